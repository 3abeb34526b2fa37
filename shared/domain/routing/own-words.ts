import type { TimelineItem } from '../timeline.js';

// A link as a mail shows it: a URL, `www.`, or a `mailto:` (an HTML body's `<a>` becomes `text [url]`).
const LINK = /(?:\bhttps?:\/\/|\bwww\.|\bmailto:)\S/i;
// What a mailing tool's footer says beside its links (English, French, Spanish, German, Italian,
// Portuguese, Dutch): a trailing paragraph with a link is a footer only with one of these, so a
// customer's own "cancel my order, see https://…" under a greeting is still read.
const FOOTER_WORDS =
  /unsubscribe|opt[ -]?out|preferences|view (?:it |this (?:email|message) )?(?:in|on) (?:your |a )?(?:browser|web)|d[ée]sinscri|d[ée]sabonner|darse de baja|cancelar (?:la )?suscripci|abmelden|abbestellen|disiscriviti|cancelar (?:a )?inscri|afmelden|uitschrijven/i;
// RFC 3676 §4.3's signature line (`-- `, its trailing blank cut with the body's).
const SIGNATURE = /^--[ \t]*$/;

/**
 * The words of a message that routing reads: an email's text without its footer. The quoted history
 * is cut when the mail is received (`splitQuoted`); what is left under the customer's words, a
 * signature below `-- ` and the trailing paragraphs that hold a link and a list's words (a mailing
 * tool's "Unsubscribe | Manage preferences", a newsletter's "unsubscribe here [https://…]"), is
 * no request: "Unsubscribe" there made a question a must-be-human "cancel". The first paragraph always
 * counts, link or not, so a one-paragraph request with a link in it is read whole. Any other channel's
 * text as it is. Linear in the text.
 */
/** A paragraph a mailing tool adds: a link, and words about the list (unsubscribe, preferences). */
const isFooter = (paragraph: string[]) =>
  paragraph.some((line) => LINK.test(line)) && paragraph.some((line) => FOOTER_WORDS.test(line));

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
  while (paragraphs.length > 1 && isFooter(paragraphs.at(-1) as string[])) paragraphs.pop();
  return paragraphs.map((paragraph) => paragraph.join('\n')).join('\n\n');
}
