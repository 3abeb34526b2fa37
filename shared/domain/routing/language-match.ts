/**
 * Primary subtags that name one language the detector names otherwise: Norwegian Bokmål and Nynorsk
 * (`nb`, `nn`, as browsers and people write them) are its `no`; Filipino (`fil`, what ICU makes of a
 * page's `tl`) is its Tagalog, `tl`.
 */
const DETECTOR_LANGUAGE: Readonly<Record<string, string>> = { nb: 'no', nn: 'no', fil: 'tl' };

/** A tag's language as matching compares it: its primary subtag, lower-case, as the detector names it. */
export function primaryLanguage(tag: string): string {
  const primary = (tag.split('-')[0] ?? tag).toLowerCase();
  return DETECTOR_LANGUAGE[primary] ?? primary;
}

/** Whether a language is in a list, comparing primary subtags (`es-MX` is `es`, `nb` is `no`). */
export function languageMatches(languages: readonly string[], language: string): boolean {
  const wanted = primaryLanguage(language);
  return languages.some((l) => primaryLanguage(l) === wanted);
}
