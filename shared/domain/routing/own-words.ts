import type { TimelineItem } from '../timeline.js';

// A link as a mail shows it: a URL, `www.`, or a `mailto:` (an HTML body's `<a>` becomes `text [url]`).
const LINK = /(?:\bhttps?:\/\/|\bwww\.|\bmailto:)\S/i;
// RFC 3676 §4.3's signature line (`-- `, its trailing blank cut with the body's).
const SIGNATURE = /^--[ \t]*$/;

/**
 * The words of a message that routing reads: an email's text without its footer. The quoted history
 * is cut when the mail is received (`splitQuoted`); what is left under the customer's words, a
 * signature below `-- ` and the trailing paragraphs that hold a link (a mailing tool's "Unsubscribe |
 * Manage preferences", a newsletter's "unsubscribe here [https://…]", a signature's web address), is
 * no request: "Unsubscribe" there made a question a must-be-human "cancel". The first paragraph always
 * counts, link or not, so a one-paragraph request with a link in it is read whole. Any other channel's
 * text as it is. Linear in the text.
 */
export function ownWords(item: Pick<TimelineItem, 'channel' | 'text'>): string | undefined {
  const { text } = item;
  if (item.channel !== 'email' || !text) return text;
  const lines = text.split('\n');
  const signature = lines.findIndex((line, i) => i > 0 && SIGNATURE.test(line));
  if (signature > 0) lines.length = signature;
  const paragraphs: string[][] = [[]];
  for (const line of lines) {
    const current = paragraphs.at(-1) as string[];
    if (line.trim()) current.push(line);
    else if (current.length > 0) paragraphs.push([]);
  }
  if (paragraphs.at(-1)?.length === 0) paragraphs.pop();
  while (paragraphs.length > 1 && (paragraphs.at(-1) as string[]).some((line) => LINK.test(line))) {
    paragraphs.pop();
  }
  return paragraphs.map((paragraph) => paragraph.join('\n')).join('\n\n');
}
