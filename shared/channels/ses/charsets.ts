import { Transform, type TransformCallback } from 'node:stream';

/**
 * Mail labelled UTF-8 (or US-ASCII) that is not: a client that writes Latin-1 or Windows-1252 bytes
 * under the label (old Outlook, webmail behind a misconfigured gateway). Read as UTF-8 every such
 * byte is U+FFFD, and `Café` reaches the agent as `Caf�`. This is the second reading of such a mail
 * (see parseMime): the text parts labelled so are read as UTF-8 when their bytes are UTF-8, else as
 * Windows-1252 (which every byte is, and which Latin-1 text is a subset of), part by part; an
 * encoded-word labelled so likewise, word by word; and a header block with raw 8-bit bytes that are
 * not UTF-8 (RFC 6532 allows UTF-8 only) in the charset the message declares for its text (old
 * clients write the headers in it: `Subject: Заказ` in Windows-1251 bytes), else as Windows-1252.
 * A charset label no decoder knows (`x-unknown-8bit`) is read as a UTF-8 label is: UTF-8 when the
 * bytes are, else Windows-1252.
 */

/** The label the second reading gives UTF-8 and US-ASCII text parts, which `SniffingDecoder` reads. */
export const SNIFFED_CHARSET = 'x-utf8-or-windows-1252';

/**
 * A `charset=utf-8` (quoted or not, `utf8`, `us-ascii`, `ascii`) on a Content-Type line or its folded
 * continuation. Bounded: at most 200 characters before the parameter, a linear scan per line.
 */
const TEXT_CHARSET =
  /^((?:content-type:|[ \t])[^\r\n]{0,200}?\bcharset[ \t]{0,5}=[ \t]{0,5})("?)(?:utf-?8|(?:us-)?ascii)\2(?![\w-])/gim;

/** A text Content-Type with no parameter at all (so no charset: mailparser reads it as UTF-8). */
const BARE_TEXT_TYPE = /^(content-type:[ \t]{0,5}text\/[a-z]{1,20})[ \t]{0,5}(?=\r?\n(?![ \t]))/gim;

/** An RFC 2047 encoded-word (its charset label at most 40 characters, its text at most 1,000). */
const ENCODED_WORD = /=\?([\w.:+-]{1,40})((?:\*[A-Za-z-]{1,20})?)\?([bq])\?([^?\s]{0,1000})\?=/gi;

/** A UTF-8 or US-ASCII charset label. */
const UTF8_LABEL = /^(?:utf-?8|(?:us-)?ascii)$/i;

/**
 * A Content-Type field with its folded continuation lines (at most 20 of at most 998 characters), and
 * its `charset` parameter: a linear scan per line start.
 */
const CONTENT_TYPE_FIELD = /^content-type:[ \t]{0,5}([^\r\n]{0,998}(?:\r?\n[ \t][^\r\n]{0,998}){0,20})/gim;
const CHARSET_PARAMETER = /\bcharset[ \t]{0,5}=[ \t]{0,5}"?([\w.:+-]{1,40})/i;

/** How much of the body is searched for the first text part's charset (its headers come first). */
const CHARSET_SEARCH_BYTES = 64 * 1024;

const strictUtf8 = () => new TextDecoder('utf-8', { fatal: true });

/** Whether `bytes` are valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8().decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Windows-1252's 0x80 to 0x9F (the rest is Latin-1): Node's TextDecoder reads `windows-1252` as
 * Latin-1 and makes these C1 controls, so they are mapped here (five bytes are unassigned: kept as
 * the C1 control of their value, as the WHATWG decoder does).
 */
const WINDOWS_1252_C1 =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/** `bytes` as Windows-1252. */
export function windows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_C1.charAt(c.charCodeAt(0) - 0x80));
}

/** `bytes` as UTF-8 when they are, else as Windows-1252. */
export function utf8OrWindows1252(bytes: Uint8Array): string {
  try {
    return strictUtf8().decode(bytes);
  } catch {
    return windows1252(bytes);
  }
}

/**
 * The MIME for the second reading: UTF-8 and US-ASCII text parts, and text parts that name no
 * charset, labelled SNIFFED_CHARSET,
 * encoded-words whose bytes are not UTF-8 relabelled windows-1252, and the message's header block
 * re-encoded from Windows-1252 when its raw bytes are not UTF-8. Undefined when nothing changed.
 */
export function relabelledMime(mime: Uint8Array): Buffer | undefined {
  const raw = Buffer.from(mime.buffer, mime.byteOffset, mime.byteLength);
  const end = headerBlockEnd(raw);
  const head = raw.subarray(0, end);
  const body = raw.subarray(end).toString('latin1');
  const headText = isUtf8(head)
    ? head.toString('latin1')
    : Buffer.from(headerDecoder(declaredCharset(head.toString('latin1'), body))(head), 'utf8').toString(
        'latin1',
      );
  const text = `${headText}${body}`
    .replace(TEXT_CHARSET, `$1$2${SNIFFED_CHARSET}$2`)
    .replace(BARE_TEXT_TYPE, `$1; charset=${SNIFFED_CHARSET}`)
    .replace(ENCODED_WORD, (word, charset: string, language: string, encoding: string, data: string) => {
      if (!UTF8_LABEL.test(charset) && knownCharset(charset)) return word;
      const utf8 = isUtf8(encodedWordBytes(encoding, data));
      if (utf8 && UTF8_LABEL.test(charset)) return word;
      return `=?${utf8 ? 'utf-8' : 'windows-1252'}${language}?${encoding}?${data}?=`;
    });
  const out = Buffer.from(text, 'latin1');
  return out.equals(raw) ? undefined : out;
}

/**
 * The charset the message declares for its text: the top-level Content-Type's, else the first text
 * part's (searched in the body's first CHARSET_SEARCH_BYTES). `head` and `body` are Latin-1 strings.
 */
function declaredCharset(head: string, body: string): string | undefined {
  const top = [...head.matchAll(CONTENT_TYPE_FIELD)][0]?.[1];
  const own = top === undefined ? undefined : CHARSET_PARAMETER.exec(top)?.[1];
  if (own || !top?.toLowerCase().startsWith('multipart/')) return own;
  for (const [, field] of body.slice(0, CHARSET_SEARCH_BYTES).matchAll(CONTENT_TYPE_FIELD)) {
    if (field?.toLowerCase().startsWith('text/')) return CHARSET_PARAMETER.exec(field)?.[1];
  }
  return undefined;
}

/**
 * How a header block that is not UTF-8 is read: in `charset` when a decoder knows it and it writes
 * ASCII as ASCII (not UTF-8, which the block is not, nor UTF-16), else as Windows-1252.
 */
function headerDecoder(charset: string | undefined): (bytes: Uint8Array) => string {
  const decoder = charset ? knownCharset(charset) : undefined;
  if (!decoder || ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'].includes(decoder.encoding))
    return windows1252;
  return (bytes) => decoder.decode(bytes);
}

/** The WHATWG decoder of a charset label, or undefined when it knows no such label. */
function knownCharset(label: string): InstanceType<typeof TextDecoder> | undefined {
  try {
    return new TextDecoder(label);
  } catch {
    return undefined;
  }
}

/** Where the message's header block ends (its blank line), or the end of the mail. */
function headerBlockEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((at) => at >= 0);
  return ends.length > 0 ? Math.min(...ends) : raw.length;
}

/** The bytes an encoded-word's text stands for (RFC 2047 §4: B is base64, Q is `_` and `=XX`). */
function encodedWordBytes(encoding: string, data: string): Buffer {
  if (encoding.toLowerCase() === 'b') return Buffer.from(data, 'base64');
  const latin1 = data
    .replace(/_/g, ' ')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(latin1, 'latin1');
}

/**
 * The decoder mailparser's `Iconv` option takes in the second reading (`new Iconv(from, to)`, a
 * stream of UTF-8 out): SNIFFED_CHARSET parts, and parts whose label the WHATWG decoder does not know,
 * read whole by `utf8OrWindows1252`; any other charset by the WHATWG decoder of its label.
 */
export class SniffingDecoder extends Transform {
  readonly #decoder: InstanceType<typeof TextDecoder> | undefined;
  readonly #chunks: Buffer[] = [];

  constructor(charset: string) {
    super();
    this.#decoder = charset.toLowerCase() === SNIFFED_CHARSET ? undefined : knownCharset(charset);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#decoder) this.push(Buffer.from(this.#decoder.decode(chunk, { stream: true }), 'utf8'));
    else this.#chunks.push(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    const text = this.#decoder ? this.#decoder.decode() : utf8OrWindows1252(Buffer.concat(this.#chunks));
    if (text) this.push(Buffer.from(text, 'utf8'));
    done();
  }
}
