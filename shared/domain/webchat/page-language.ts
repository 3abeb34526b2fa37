/**
 * The language of the page a web-chat visitor writes from (its `<html lang>`), which the widget sends
 * with each message: the conversation's language when its first message is too short to tell ("hi").
 */

/** The longest `lang` a message may carry at all (longer is a 400); a tag over LANGUAGE_TAG_MAX is ignored. */
export const PAGE_LANG_MAX = 100;

/** The longest language tag kept (BCP 47 asks implementations to take at least 35 characters). */
const LANGUAGE_TAG_MAX = 35;

/** Well-formed codes that name no one language (undetermined, several, none, not coded). */
const NO_LANGUAGE = new Set(['und', 'mul', 'zxx', 'mis']);

let names: Intl.DisplayNames | undefined;

/**
 * The language a page's `lang` names, as the conversation's hint: the primary subtag, lower-case (`fr`
 * of `fr-CA`), as the language detector and the policy's `byLanguage` keys compare them; or why it is
 * not kept: not a language tag (`refused`), or a well-formed one of no language ICU knows (`xx`, `und`).
 */
export function pageLanguageOf(lang: string): { language: string } | { refused: 'invalid' | 'unknown' } {
  if (lang.length > LANGUAGE_TAG_MAX || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang))
    return { refused: 'invalid' };
  let primary: string;
  try {
    primary = new Intl.Locale(lang).language;
  } catch {
    return { refused: 'invalid' };
  }
  if (!primary || NO_LANGUAGE.has(primary)) return { refused: 'unknown' };
  try {
    names ??= new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
    return names.of(primary) ? { language: primary } : { refused: 'unknown' };
  } catch {
    // A code ICU will not name: no language it knows either.
    return { refused: 'unknown' };
  }
}

/** The page language a customer's web-chat message carries (`data.lang`, kept by the web-chat routes), if any. */
export function languageHintOf(item: {
  channel?: string | undefined;
  data?: Record<string, unknown> | undefined;
}) {
  const lang = item.channel === 'webchat' ? item.data?.lang : undefined;
  return typeof lang === 'string' ? lang : undefined;
}
