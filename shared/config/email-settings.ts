/**
 * EMAIL_FALLBACK_CHARSET: the charset mail text is read in when it is not UTF-8 and names no charset
 * it is in (no label, a UTF-8 or US-ASCII label its bytes are not, a label no decoder knows; an HTML
 * part's `<meta>` charset comes first). Windows-1252 by default, as Western European clients write;
 * a team whose customers write Arabic names windows-1256, Cyrillic windows-1251, and so on.
 */
export const DEFAULT_EMAIL_FALLBACK_CHARSET = 'windows-1252';

/**
 * Charsets a decoder knows that cannot be the fallback: UTF-8 (the text is not), UTF-16 and
 * ISO-2022-JP (no 8-bit text is written in them), and Mac Cyrillic, which iconv-lite (mailparser's
 * decoder of RFC 2047 encoded-words) does not know.
 */
const NOT_FALLBACKS = ['utf-8', 'utf-16le', 'utf-16be', 'iso-2022-jp', 'x-mac-cyrillic'];

/** Why EMAIL_FALLBACK_CHARSET cannot be `value`, saying what to write, or undefined when it can. */
export function fallbackCharsetProblem(value: string): string | undefined {
  let encoding = '';
  try {
    encoding = value.length > 40 ? '' : new TextDecoder(value).encoding;
  } catch {}
  const example = 'name the 8-bit charset of your customers’ mail, such as windows-1256 (Arabic)';
  if (NOT_FALLBACKS.includes(encoding))
    return `${encoding} cannot be the fallback for 8-bit text: ${example}`;
  return encoding
    ? undefined
    : `${JSON.stringify(value.slice(0, 40))} is no charset a decoder knows: ${example}`;
}
