import * as z from 'zod';
import { primaryLanguage } from './language-match.js';

/**
 * Tagalog's two-letter code: ICU's aliases make `tgl` and `tl` Filipino (`fil`), which has none, while
 * the detector names Tagalog `tl`.
 */
const OWN_TWO_LETTERS: Readonly<Record<string, string>> = { tgl: 'tl' };

/**
 * The tag with its primary subtag in two letters when its language has an ISO 639-1 code (`por-BR` is
 * `pt-BR`, `ger` and `deu` are `de`, the retired `iw` is `he`), as ICU's aliases give it: the
 * detector names languages so, and tags are matched on the primary subtag. Otherwise as given (`fil`).
 */
function withTwoLetterLanguage(tag: string): string {
  const [primary = tag, ...rest] = tag.split('-');
  let two = OWN_TWO_LETTERS[primary.toLowerCase()];
  if (!two) {
    try {
      two = new Intl.Locale(primary).language;
    } catch {
      return tag;
    }
  }
  return two.length === 2 && two !== primary.toLowerCase() ? [two, ...rest].join('-') : tag;
}

/**
 * A BCP 47 language tag (`en`, `es-MX`); matched on its primary subtag, case-insensitively. A
 * three-letter code of a language with a two-letter one is kept in two letters (`por` is `pt`).
 */
export const LanguageTagSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as "en" or "es-MX"')
  .overwrite(withTwoLetterLanguage);

/**
 * A record keyed by language tags (`byLanguage`), each language named once as stored: keys that are
 * one tag once kept in two letters (`por` and `pt`), or once matched (`nb` and `no`), are refused, naming
 * both, where before one quietly replaced (or hid) the other. Keys are compared case-insensitively.
 */
export function byLanguageSchema<T extends z.ZodType>(value: T) {
  return z
    .record(z.string(), z.unknown())
    .superRefine((record, ctx) => {
      const seen = new Map<string, string>();
      for (const key of Object.keys(record)) {
        const tag = LanguageTagSchema.safeParse(key);
        if (!tag.success) continue;
        const [, ...rest] = tag.data.split('-');
        const same = [primaryLanguage(tag.data), ...rest].join('-').toLowerCase();
        const first = seen.get(same);
        if (first === undefined) seen.set(same, key);
        else
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `"${first}" and "${key}" name the same language (${tag.data}): keep one`,
          });
      }
    })
    .pipe(z.record(LanguageTagSchema, value));
}
