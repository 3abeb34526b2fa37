/** Whether a language is in a list, comparing primary subtags (`es-MX` is `es`). */
export function languageMatches(languages: readonly string[], language: string): boolean {
  const primary = (tag: string) => (tag.split('-')[0] ?? tag).toLowerCase();
  const wanted = primary(language);
  return languages.some((l) => primary(l) === wanted);
}
