/** A reply's text body as 7-bit MIME: as it is when plain ASCII, else quoted-printable UTF-8. */

const CRLF = '\r\n';

export function encodeBody(text: string): { text: string; encoding: '7bit' | 'quoted-printable' } {
  const lines = text.split(CRLF);
  const plain = /^[\t\x20-\x7e\r\n]*$/.test(text) && lines.every((line) => line.length <= 998);
  return plain
    ? { text, encoding: '7bit' }
    : { text: lines.map(quotedPrintableLine).join(CRLF), encoding: 'quoted-printable' };
}

/**
 * RFC 2045 §6.7: `=XX` for non-printable bytes and `=`, trailing blanks encoded, soft breaks at 76
 * columns, never inside one character's bytes (so each line stays decodable UTF-8 on its own).
 */
function quotedPrintableLine(line: string): string {
  const chars = [...line];
  const out: string[] = [];
  let current = '';
  chars.forEach((char, i) => {
    const code = char.codePointAt(0) ?? 0;
    const blank = char === ' ' || char === '\t';
    const literal = (code >= 0x21 && code <= 0x7e && char !== '=') || (blank && i < chars.length - 1);
    const token = literal
      ? char
      : [...Buffer.from(char, 'utf8')]
          .map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
    if (current.length + token.length > 75) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  });
  out.push(current);
  return out.join(CRLF);
}
