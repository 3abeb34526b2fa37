/** The body of a mail as text: which part is read, HTML turned to text, a text part cut at a boundary. */
import { compile } from 'html-to-text';

/**
 * What a mail hides from its reader (a preheader: the inbox's preview line, kept out of the body), as
 * attribute selectors on its inline style, written with and without the space after the colon.
 */
const HIDDEN_STYLES = ['display:none', 'visibility:hidden', 'mso-hide:all', 'max-height:0;', 'max-height:0px']
  .concat(['font-size:0;', 'font-size:0px'])
  .flatMap((style) => [style, style.replace(':', ': ')]);
const HIDDEN = ['[hidden]', ...HIDDEN_STYLES.map((style) => `[style*="${style}"]`)];

// Built once: compiling the converter's selectors costs more than a typical conversion.
const convertHtml = compile({
  wordwrap: false,
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'img', format: 'skip' },
    ...HIDDEN.map((selector) => ({ selector, format: 'skip' })),
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    // Mail lays its text out in tables, and writes text a table holds outside any cell: a data table's
    // format keeps cells only and lost such a body whole. A table is read as blocks, a cell a line.
    { selector: 'table', format: 'block' },
    ...['tr', 'td', 'th'].map((selector) => ({
      selector,
      format: 'block',
      options: { leadingLineBreaks: 1, trailingLineBreaks: 1 },
    })),
  ],
});

/** An HTML body as plain text: headings in their own case, images dropped, quotes as `> ` lines. */
export function htmlToText(html: string): string {
  return convertHtml(html).replace(ZERO_WIDTH_PADDING, '').trimEnd();
}

/**
 * Padding a preheader leaves after itself (`&zwnj;&nbsp;` again and again, soft hyphens, grapheme
 * joiners): two or more zero-width characters, white space between them. Each character is in one
 * class only, so the pattern cannot backtrack; one zero-width non-joiner (Persian writes it) stays.
 */
const ZERO_WIDTH_PADDING =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: U+034F is matched on its own, as padding.
  /[\u200b\u200c\u00ad\u034f\u2060\ufeff](?:[ \t\u00a0]*[\u200b\u200c\u00ad\u034f\u2060\ufeff])+[ \t\u00a0]*/g;

/** How much of the raw MIME is read for boundaries, and how many are kept: the parts that enclose a text part come first. */
const BOUNDARY_SCAN_BYTES = 256 * 1024;
const MAX_BOUNDARIES = 32;
// RFC 2046 §5.1.1: a boundary is 1 to 70 characters; quoted, or a token up to `;` or the line's end.
const BOUNDARY_PARAM = /\bboundary\s*=\s*(?:"([^"\r\n]{1,70})"|([^\s";]{1,70}))/gi;

/**
 * The boundaries the multiparts of a message declare, from its first 256 KiB (an enclosing multipart
 * declares its boundary before the parts it holds). A bounded scan with a pattern that cannot backtrack.
 */
export function multipartBoundaries(mime: Uint8Array): Set<string> {
  const head = Buffer.from(mime.buffer, mime.byteOffset, Math.min(mime.byteLength, BOUNDARY_SCAN_BYTES));
  const found = new Set<string>();
  for (const match of head.toString('latin1').matchAll(BOUNDARY_PARAM)) {
    const boundary = (match[1] ?? match[2])?.trimEnd();
    if (boundary) found.add(boundary);
    if (found.size >= MAX_BOUNDARIES) break;
  }
  return found;
}

/**
 * A text part up to the first line that is a boundary of the message. A multipart left unclosed by
 * its sender makes the parser read on into the enclosing multipart's next parts, whose headers and
 * data then show as the customer's text; a boundary never occurs inside a part (RFC 2046 §5.1.1).
 * One pass over the lines.
 */
export function cutAtBoundary(text: string, boundaries: ReadonlySet<string>): string {
  if (boundaries.size === 0) return text;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (text.startsWith('--', start) && isBoundaryLine(text.slice(start + 2, stop), boundaries)) {
      return text.slice(0, start);
    }
    start = stop + 1;
  }
  return text;
}

/** `line` (after its leading `--`) is a boundary or a closing boundary, with trailing white space. */
function isBoundaryLine(line: string, boundaries: ReadonlySet<string>): boolean {
  const trimmed = line.trimEnd();
  const name = trimmed.endsWith('--') && !boundaries.has(trimmed) ? trimmed.slice(0, -2) : trimmed;
  return boundaries.has(name);
}

/** A text part this short may be a placeholder for its HTML: "This email requires an HTML-capable client." */
const PLACEHOLDER_MAX_CHARS = 200;

/**
 * The body as text: the text part, else the HTML turned to text. A short text part whose words are
 * not in the HTML, which says more, only points at the HTML ("This email requires an HTML-capable
 * client.", "[This message is in HTML format]"): the HTML is the message then. Words are compared
 * as their letters and digits, so a text part that marks them otherwise (`*42*`) is still the HTML's.
 */
export function bodyOf(plain: string | undefined, html: string | undefined): string | undefined {
  if (!html) return plain;
  if (!plain) return htmlToText(html);
  if (plain.trim().length > PLACEHOLDER_MAX_CHARS) return plain;
  const fromHtml = htmlToText(html);
  const own = lettersOf(plain);
  const shown = lettersOf(fromHtml);
  return shown.length > own.length && !shown.includes(own) ? fromHtml : plain;
}

/** Only the letters and digits of a text, lower-cased, in one compatibility form. */
function lettersOf(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
