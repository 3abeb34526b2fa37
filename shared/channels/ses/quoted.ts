/** A body split into what the sender wrote now and the history they quoted below (or above) it. */
export interface SplitText {
  /** The new text; the whole body when nothing is quoted. */
  text: string;
  /** The whole body, trimmed. */
  full: string;
  quoted: boolean;
}

// "On <date>, <name> wrote:" and its translations; Gmail wraps it over two or three lines.
const ATTRIBUTION = [
  /^On\b.{1,400}\bwrote:$/is,
  /^Am\b.{1,400}\bschrieb\b.{0,200}:$/is,
  /^Le\b.{1,400}\ba écrit\s?:$/is,
  /^El\b.{1,400}\bescribió:$/is,
  /^Em\b.{1,400}\bescreveu:$/is,
  /^Op\b.{1,400}\bschreef\b.{0,200}:$/is,
  /^Il giorno\b.{1,400}\bha scritto:$/is,
];
const ORIGINAL_MESSAGE = /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}$/i;
const OUTLOOK_RULE = /^_{20,}$/;
const HEADER_FROM = /^(From|Von|De|Da):\s/i;
const HEADER_SENT = /^(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato):\s/i;
// A forward carries the content the sender wants us to read: it is never treated as a quote.
const FORWARD =
  /^(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*Weitergeleitete Nachricht\s*-{2,})$/i;

/**
 * Separates the new text of an email from the history it quotes: everything from the first quote
 * marker on (`> ` lines, an "On … wrote:" attribution, Outlook's "-----Original Message-----" or
 * "From:/Sent:" block). A bottom-posted reply (quote first, answer below) keeps its unquoted lines.
 * Forwards are left whole: what they carry is what the sender wants read.
 */
export function splitQuoted(body: string): SplitText {
  const full = trimBody(body);
  const lines = full.split('\n');
  let cut = -1;
  let inline = false;
  for (let i = 0; i < lines.length && cut < 0; i++) {
    const line = (lines[i] ?? '').trim();
    if (FORWARD.test(line)) break;
    if (line.startsWith('>') || attributionLength(lines, i) > 0) {
      cut = i;
      inline = true;
    } else if (
      ORIGINAL_MESSAGE.test(line) ||
      (OUTLOOK_RULE.test(line) && HEADER_FROM.test(nextNonEmpty(lines, i + 1) ?? '')) ||
      (HEADER_FROM.test(line) && isHeaderBlock(lines, i))
    ) {
      cut = i;
    }
  }
  if (cut < 0) return { text: full, full, quoted: false };
  const before = lines.slice(0, cut);
  // "John wrote:" in a form the patterns do not know still introduces the quote below it.
  const last = before.findLastIndex((line) => line.trim() !== '');
  if (inline && last >= 0 && /\bwrote:$/i.test(before[last]?.trim() ?? '')) before.splice(last);
  const text = trimBody(before.join('\n'));
  if (text) return { text, full, quoted: true };
  if (inline) {
    const answer: string[] = [];
    for (let i = cut; i < lines.length; i++) {
      const skip = attributionLength(lines, i);
      if (skip > 0) i += skip - 1;
      else if (!(lines[i] ?? '').trimStart().startsWith('>')) answer.push(lines[i] ?? '');
    }
    const bottom = trimBody(answer.join('\n'));
    if (bottom) return { text: bottom, full, quoted: true };
  }
  return { text: full, full, quoted: false };
}

/** How many lines (1 to 3) the attribution starting at line i spans, or 0 when there is none. */
function attributionLength(lines: string[], i: number): number {
  const first = lines[i]?.trim() ?? '';
  if (!/^(On|Am|Le|El|Em|Op|Il giorno)\b/i.test(first)) return 0;
  for (let n = 1; n <= 3 && i + n <= lines.length; n++) {
    const joined = lines
      .slice(i, i + n)
      .map((l) => l.trim())
      .join(' ');
    if (ATTRIBUTION.some((pattern) => pattern.test(joined))) return n;
  }
  return 0;
}

function isHeaderBlock(lines: string[], i: number): boolean {
  const window = lines.slice(i + 1, i + 5).map((l) => l.trim());
  return (
    window.some((l) => HEADER_SENT.test(l)) &&
    window.some((l) => /^(To|An|À|Para|A|Subject|Betreff|Objet|Asunto|Oggetto):/i.test(l))
  );
}

function nextNonEmpty(lines: string[], from: number): string | undefined {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return undefined;
}

function trimBody(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/^\n+|\n+$/g, '');
}
