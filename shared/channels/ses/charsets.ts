import { Transform, type TransformCallback } from 'node:stream';
import { DEFAULT_EMAIL_FALLBACK_CHARSET } from '#shared/config/email-settings.js';

/**
 * Mail labelled UTF-8 (or US-ASCII) that is not: a client that writes Latin-1 or Windows-1252 bytes
 * under the label (old Outlook, webmail behind a misconfigured gateway). Read as UTF-8 every such
 * byte is U+FFFD, and `Café` reaches the agent as `Caf�`. This is the second reading of such a mail
 * (see parseMime): the text parts labelled so are read as UTF-8 when their bytes are UTF-8, else in
 * the fallback charset (EMAIL_FALLBACK_CHARSET, Windows-1252 by default: every byte is one, and
 * Latin-1 text is a subset of it), part by part; an encoded-word labelled so likewise, word by word;
 * and a header block with raw 8-bit bytes that are not UTF-8 (RFC 6532 allows UTF-8 only) in the
 * charset the message declares for its text (old clients write the headers in it: `Subject: Заказ`
 * in Windows-1251 bytes), else in the fallback charset. A charset label no decoder knows
 * (`x-unknown-8bit`) is read as a UTF-8 label is, and so is a text part that names no charset; an
 * HTML part that names none is read, when it is not UTF-8, in the charset its `<meta>` declares in
 * its first 1,024 bytes (as a browser's prescan does), else in the fallback charset.
 */

/** The label the second reading gives UTF-8, US-ASCII and unlabelled text parts, which `sniffingDecoder`'s class reads. */
export const SNIFFED_CHARSET = 'x-utf8-or-fallback';

/** The label the second reading gives unlabelled HTML parts: UTF-8, else their `<meta>` charset, else the fallback. */
export const SNIFFED_HTML_CHARSET = 'x-utf8-or-html-meta';

/**
 * A `charset=utf-8` (quoted or not, `utf8`, `us-ascii`, `ascii`) on a Content-Type line or its folded
 * continuation. Bounded: at most 200 characters before the parameter, a linear scan per line.
 */
const TEXT_CHARSET =
  /^((?:content-type:|[ \t])[^\r\n]{0,200}?\bcharset[ \t]{0,5}=[ \t]{0,5})("?)(?:utf-?8|(?:us-)?ascii)\2(?![\w-])/gim;

/** A text Content-Type with no parameter at all (so no charset: mailparser reads it as UTF-8). */
const BARE_TEXT_TYPE = /^(content-type:[ \t]{0,5}text\/([a-z]{1,20}))[ \t]{0,5}(?=\r?\n(?![ \t]))/gim;

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

type Decode = (bytes: Uint8Array) => string;

/**
 * How bytes in the charset of `label` are read: Windows-1252 by `windows1252` (Node's decoder reads
 * Latin-1 for it), any other by the WHATWG decoder. Undefined for a label no decoder knows.
 */
function decoderOf(label: string): { encoding: string; decode: Decode } | undefined {
  const decoder = knownCharset(label);
  if (!decoder) return undefined;
  if (decoder.encoding === 'windows-1252') return { encoding: decoder.encoding, decode: windows1252 };
  return { encoding: decoder.encoding, decode: (bytes) => decoder.decode(bytes) };
}

/** The fallback charset's decoder (EMAIL_FALLBACK_CHARSET, checked at start), Windows-1252's if none knows it. */
function fallbackOf(label: string): { encoding: string; decode: Decode } {
  return decoderOf(label) ?? { encoding: 'windows-1252', decode: windows1252 };
}

/** `bytes` as UTF-8 when they are, else by `otherwise`. */
function utf8Or(bytes: Uint8Array, otherwise: Decode): string {
  try {
    return strictUtf8().decode(bytes);
  } catch {
    return otherwise(bytes);
  }
}

/**
 * The MIME for the second reading: UTF-8 and US-ASCII text parts, and text parts that name no
 * charset, labelled SNIFFED_CHARSET (SNIFFED_HTML_CHARSET for HTML that names none), encoded-words
 * whose bytes are not UTF-8 relabelled in the fallback charset, and the message's header block
 * re-encoded from the fallback charset when its raw bytes are not UTF-8 and the message declares no
 * other. Undefined when nothing changed.
 */
export function relabelledMime(
  mime: Uint8Array,
  fallbackCharset: string = DEFAULT_EMAIL_FALLBACK_CHARSET,
): Buffer | undefined {
  const fallback = fallbackOf(fallbackCharset);
  const raw = Buffer.from(mime.buffer, mime.byteOffset, mime.byteLength);
  const end = headerBlockEnd(raw);
  const head = raw.subarray(0, end);
  const body = raw.subarray(end).toString('latin1');
  const readHead = headerDecoder(declaredCharset(head.toString('latin1'), body), fallback.decode);
  const headText = isUtf8(head)
    ? head.toString('latin1')
    : Buffer.from(readHead(head), 'utf8').toString('latin1');
  const text = `${headText}${body}`
    .replace(TEXT_CHARSET, `$1$2${SNIFFED_CHARSET}$2`)
    .replace(
      BARE_TEXT_TYPE,
      (_, type: string, subtype: string) =>
        `${type}; charset=${subtype.toLowerCase() === 'html' ? SNIFFED_HTML_CHARSET : SNIFFED_CHARSET}`,
    )
    .replace(ENCODED_WORD, (word, charset: string, language: string, encoding: string, data: string) => {
      if (!UTF8_LABEL.test(charset) && knownCharset(charset)) return word;
      const utf8 = isUtf8(encodedWordBytes(encoding, data));
      if (utf8 && UTF8_LABEL.test(charset)) return word;
      return `=?${utf8 ? 'utf-8' : fallback.encoding}${language}?${encoding}?${data}?=`;
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
 * ASCII as ASCII (not UTF-8, which the block is not, nor UTF-16), else by `fallback`.
 */
function headerDecoder(charset: string | undefined, fallback: Decode): Decode {
  const decoder = charset ? decoderOf(charset) : undefined;
  if (!decoder || ['utf-8', 'utf-16le', 'utf-16be'].includes(decoder.encoding)) return fallback;
  return decoder.decode;
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
 * stream of UTF-8 out), for a fallback charset: SNIFFED_CHARSET parts, and parts whose label the
 * WHATWG decoder does not know, read whole as UTF-8 when they are, else in the fallback charset;
 * SNIFFED_HTML_CHARSET parts likewise, but in their `<meta>` charset before the fallback (see
 * `metaCharset`); any other charset by the WHATWG decoder of its label.
 */
export function sniffingDecoder(fallbackCharset: string = DEFAULT_EMAIL_FALLBACK_CHARSET): CharsetDecoder {
  let decoder = sniffingDecoders.get(fallbackCharset);
  if (!decoder) {
    decoder = sniffingDecoderClass(fallbackOf(fallbackCharset).decode);
    sniffingDecoders.set(fallbackCharset, decoder);
  }
  return decoder;
}

/** What mailparser's `Iconv` option is given: a class of transform streams, one per text part. */
export type CharsetDecoder = new (charset: string) => Transform;

const sniffingDecoders = new Map<string, CharsetDecoder>();

function sniffingDecoderClass(fallback: Decode): CharsetDecoder {
  return class SniffingDecoder extends Transform {
    readonly #decoder: InstanceType<typeof TextDecoder> | undefined;
    readonly #html: boolean;
    readonly #chunks: Buffer[] = [];

    constructor(charset: string) {
      super();
      const label = charset.toLowerCase();
      this.#html = label === SNIFFED_HTML_CHARSET;
      this.#decoder = label === SNIFFED_CHARSET || this.#html ? undefined : knownCharset(charset);
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      if (this.#decoder) this.#push(this.#decoder.decode(chunk, { stream: true }));
      else this.#chunks.push(chunk);
      done();
    }

    override _flush(done: TransformCallback): void {
      if (this.#decoder) this.#push(this.#decoder.decode());
      else {
        const bytes = Buffer.concat(this.#chunks);
        const meta = this.#html ? metaCharset(bytes) : undefined;
        this.#push(utf8Or(bytes, (meta && metaDecoder(meta)) || fallback));
      }
      done();
    }

    #push(text: string): void {
      if (text) this.push(Buffer.from(text, 'utf8'));
    }
  };
}

/**
 * The decoder of a `<meta>` charset, when a decoder knows it and it is not UTF-8 (which the bytes are
 * not) nor UTF-16 (which a browser reads such a declaration as UTF-8).
 */
function metaDecoder(label: string): Decode | undefined {
  const decoder = decoderOf(label);
  return decoder && !['utf-8', 'utf-16le', 'utf-16be'].includes(decoder.encoding)
    ? decoder.decode
    : undefined;
}

/** How much of an HTML part is searched for its `<meta>` charset, as a browser's prescan does. */
const META_PRESCAN_BYTES = 1024;

/**
 * The charset an HTML part declares in its first META_PRESCAN_BYTES: a `<meta charset>`, or a
 * `<meta http-equiv="Content-Type" content="…; charset=…">`, the first one outside comments (the
 * HTML standard's prescan, simplified). One pass over at most 1,024 characters.
 */
export function metaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, META_PRESCAN_BYTES));
  const html = head.toString('latin1').toLowerCase();
  let at = 0;
  for (let open = html.indexOf('<'); open >= 0; open = html.indexOf('<', at)) {
    if (html.startsWith('<!--', open)) {
      const close = html.indexOf('-->', open + 4);
      if (close < 0) return undefined;
      at = close + 3;
      continue;
    }
    const closing = html[open + 1] === '/';
    let name = open + (closing ? 2 : 1);
    if (!/[a-z]/.test(html.charAt(name))) {
      // `<!DOCTYPE …>`, `<?xml …?>`, a stray `<`: skipped to the next `>`.
      const close = html.indexOf('>', open + 1);
      if (close < 0) return undefined;
      at = close + 1;
      continue;
    }
    const nameStart = name;
    while (name < html.length && !isTagEnd(html.charAt(name))) name++;
    const tag = attributesAt(html, name);
    at = tag.end;
    if (!closing && html.slice(nameStart, name) === 'meta') {
      const charset = charsetOf(tag.attributes);
      if (charset) return charset;
    }
  }
  return undefined;
}

/** A blank, `/`, `=` or `>`: what ends a tag's or an attribute's name. */
function isTagEnd(c: string): boolean {
  return c === '/' || c === '>' || c === '=' || c.trim() === '';
}

/** The attributes of the tag whose name ends at `from` (the first of each name), and where the tag ends. */
function attributesAt(html: string, from: number): { attributes: Map<string, string>; end: number } {
  const attributes = new Map<string, string>();
  let at = from;
  while (at < html.length) {
    const c = html.charAt(at);
    if (c === '>') return { attributes, end: at + 1 };
    if (c === '/' || c.trim() === '') {
      at++;
      continue;
    }
    let end = at + 1;
    while (end < html.length && !isTagEnd(html.charAt(end))) end++;
    const name = html.slice(at, end);
    at = end;
    while (at < html.length && html.charAt(at).trim() === '') at++;
    let value = '';
    if (html.charAt(at) === '=') {
      at++;
      while (at < html.length && html.charAt(at).trim() === '') at++;
      const quote = html.charAt(at);
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, at + 1);
        const stop = close < 0 ? html.length : close;
        value = html.slice(at + 1, stop);
        at = stop + 1;
      } else {
        const start = at;
        while (at < html.length && html.charAt(at) !== '>' && html.charAt(at).trim() !== '') at++;
        value = html.slice(start, at);
      }
    }
    if (!attributes.has(name)) attributes.set(name, value);
  }
  return { attributes, end: html.length };
}

/** A `<meta>`'s charset: its `charset` attribute, or the one in the `content` of its Content-Type pragma. */
function charsetOf(attributes: Map<string, string>): string | undefined {
  const own = attributes.get('charset')?.trim();
  if (own) return own;
  if (attributes.get('http-equiv')?.trim() !== 'content-type') return undefined;
  return /\bcharset[ \t]{0,5}=[ \t]{0,5}["']?([\w.:+-]{1,40})/.exec(attributes.get('content') ?? '')?.[1];
}
