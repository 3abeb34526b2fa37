/** A body split into what the sender wrote now and the history they quoted below (or above) it. */
export interface SplitText {
  /** The new text: the whole body when nothing is quoted, empty when the body is nothing but a quote. */
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
// Outlook's rule over the block: underscores in its text part, a line of dashes for its <hr> in HTML.
const OUTLOOK_RULE = /^(?:_{20,}|-{20,})$/;
// Outlook's header block over a quoted mail, in the languages it writes it in: English, German, French,
// Spanish, Portuguese, Italian, Dutch, Polish, Swedish, Danish and Norwegian, Russian, Turkish, Czech,
// Japanese, Chinese. French sets a space before the colon; Japanese and Chinese may use a full-width one.
const COLON = '[ \\u00a0]?[:\\uff1a]';
const HEADER_FROM = new RegExp(
  `^(From|Von|De|Da|Van|Od|Från|Fra|От|Kimden|差出人|发件人|寄件者)${COLON}\\s`,
  'i',
);
const HEADER_SENT = new RegExp(
  `^(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Wysłano|Skickat|Sendt|Отправлено|Gönderildi|Odesláno|送信日時|发送时间|傳送時間)${COLON}`,
  'i',
);
const HEADER_TO_OR_SUBJECT = new RegExp(
  `^(To|An|À|Para|A|Aan|Do|Till|Til|Кому|Kime|Komu|宛先|收件人|Subject|Betreff|Objet|Asunto|Assunto|Oggetto|Onderwerp|Temat|Ämne|Emne|Тема|Konu|Předmět|件名|主题|主旨)${COLON}`,
  'i',
);
// A `Label: value` line of a header block in any language and script (`Lähettäjä:`, `Feladó:`, `Από:`,
// `تم الإرسال:`): a label of at most a few words, after any direction marks. Anchored and bounded.
const LABEL_LINE =
  /^[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*\p{L}[\p{L}\p{M} .'-]{0,30}[ \u00a0]?[:\uff1a]/u;
// A header block under a rule has at least this many label lines (From, Sent, To or Subject).
const MIN_LABEL_LINES = 3;
// A forward carries the content the sender wants us to read: it is never treated as a quote.
const FORWARD =
  /^(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*Weitergeleitete Nachricht\s*-{2,})$/i;
// A subject that says the mail is forwarded: Fwd/Fw, and Outlook's translations (WG German, TR French,
// RV Spanish, ENC Portuguese, Doorst Dutch, VS Finnish, VB Swedish, VS/VL Norwegian and Danish, PD Polish,
// I Italian). Outlook forwards a mail under the same From/Sent/To/Subject block as it quotes one in a reply.
const FORWARD_SUBJECT = /^\s*(?:fwd?|wg|tr|rv|enc|doorst|vs|vb|vl|pd|i)\s*:/i;
// Quote markers are looked for in this many lines only: a reply written above its quote is far shorter,
// and a body of a million short lines must not cost a million rounds of pattern tests.
const MAX_SCANNED_LINES = 5000;

/**
 * Separates the new text of an email from the history it quotes: everything from the first quote
 * marker on (`> ` lines, an "On … wrote:" attribution, Outlook's "-----Original Message-----" or
 * "From:/Sent:" block). The customer's words below a `> ` quote are kept too: a bottom-posted reply
 * (quote first, answer below) keeps its answer, words above and below one quote are kept without it,
 * and answers written between quoted lines keep the quoted lines as `> ` context, since the questions
 * are what the answers mean. Forwards are left whole: what they carry is what the sender wants read.
 * A mail whose `subject` says it is a forward (`FW:`, `Fwd:`, `WG:`...) is not cut at an Outlook block
 * either: Outlook forwards under the same block it quotes a reply with.
 */
export function splitQuoted(body: string, options: { subject?: string | undefined } = {}): SplitText {
  const full = trimBody(body);
  const head = full.split('\n', MAX_SCANNED_LINES);
  const forwarded = FORWARD_SUBJECT.test(options.subject ?? '');
  const first = firstQuote(head, forwarded);
  if (!first) return { text: full, full, quoted: false };
  const before = head.slice(0, first.line);
  const textEnd = lastTextEnd(before);
  const attribution = first.inline ? attributionStart(before, 0, textEnd) : textEnd;
  if (attribution < textEnd) before.length = attribution;
  const { runs, skip } = first.inline
    ? answersBelow(head, first.line, forwarded)
    : { runs: [], skip: new Set() };
  const top = trimBody(before.join('\n'));
  const last = runs.at(-1);
  let text = top;
  if (runs.length > 1 && last) {
    // Answers between quoted lines: the whole exchange down to the last answer, attributions left out.
    const below = head.slice(first.line, last.end).filter((_, k) => !skip.has(first.line + k));
    text = trimBody([...before, ...below].join('\n'));
  } else if (last) {
    text = [top, trimBody(head.slice(last.start, last.end).join('\n'))].filter(Boolean).join('\n\n');
  }
  // Nothing but the quote: no new text (a file sent as a reply, our mail sent back), unless the body
  // goes on past the lines read, where an answer may stand.
  if (text || head.length < MAX_SCANNED_LINES) return { text, full, quoted: true };
  return { text: full, full, quoted: false };
}

/** The first quote marker: its line, and whether it is an inline quote (`> ` lines or an attribution). */
function firstQuote(head: string[], forwarded: boolean): { line: number; inline: boolean } | undefined {
  for (let i = 0; i < head.length; i++) {
    const line = (head[i] ?? '').trim();
    if (FORWARD.test(line)) return undefined;
    if (line.startsWith('>') || isAttribution(head, i)) return { line: i, inline: true };
    if (!forwarded && isOutlookBlock(head, i, line)) return { line: i, inline: false };
  }
  return undefined;
}

/**
 * The customer's runs of unquoted lines below the first quote (`start` to `end`, exclusive), and the
 * lines among them to leave out (attributions). It stops at what can only be history: an attribution
 * over no `> ` lines, an Outlook block, and a signature that opens a run (Gmail writes its `--` under
 * the quote), so that what follows is not read as answers.
 */
function answersBelow(
  lines: string[],
  from: number,
  forwarded: boolean,
): { runs: { start: number; end: number }[]; skip: Set<number> } {
  const runs: { start: number; end: number }[] = [];
  const skip = new Set<number>();
  let start = -1;
  let end = -1;
  const close = (quoteFollows: boolean) => {
    if (start < 0) return;
    const kept = quoteFollows ? attributionStart(lines, start, end) : end;
    for (let k = kept; k < end; k++) skip.add(k);
    if (kept > start) runs.push({ start, end: kept });
    start = -1;
  };
  for (let i = from; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line) continue;
    if (line.startsWith('>')) {
      close(true);
      continue;
    }
    const span = attributionLength(lines, i);
    if (span > 0) {
      close(true);
      for (let k = i; k < i + span; k++) skip.add(k);
      if (!(nextNonEmpty(lines, i + span) ?? '').startsWith('>')) break;
      i += span - 1;
      continue;
    }
    if ((start < 0 && line === '--') || (!forwarded && isOutlookBlock(lines, i, line))) break;
    if (start < 0) start = i;
    end = i + 1;
  }
  close(false);
  return { runs, skip };
}

/** One past the last line with text of `lines`, 0 when none has any. */
function lastTextEnd(lines: string[]): number {
  return lines.findLastIndex((line) => line.trim() !== '') + 1;
}

/**
 * Where the line right above a `> ` quote starts when it introduces the quote in a form the patterns
 * do not know (`end` when it does not): "John wrote:", or a line ending in a colon that names an
 * address (Gmail's attribution in Japanese, Swedish, Polish, Russian, Chinese...: `2026年12月4日(金)
 * 18:00 Shop <shop@example.com>:`), with the line before it when Gmail wrapped the address onto its
 * own line (`... Shop <` / `shop@example.com>:`). `end` is one past the run's last line with text.
 */
function attributionStart(lines: string[], start: number, end: number): number {
  const last = end - 1;
  const line = unmarked(lines[last] ?? '');
  if (last < start || !(/\bwrote:$/i.test(line) || (/[:\uff1a]$/.test(line) && line.includes('@'))))
    return end;
  const wrapped = line.startsWith('<') || (lines[last - 1] ?? '').trimEnd().endsWith('<');
  return Math.max(wrapped ? last - 1 : last, start);
}

/**
 * Outlook's "-----Original Message-----", or its rule or From: line over a From/Sent/To block; or, in a
 * language the lists do not hold, its rule over a block of label lines (`isLabelBlock`).
 */
function isOutlookBlock(lines: string[], i: number, line: string): boolean {
  return (
    ORIGINAL_MESSAGE.test(line) ||
    (OUTLOOK_RULE.test(line) &&
      (HEADER_FROM.test(nextNonEmpty(lines, i + 1) ?? '') || isLabelBlock(lines, i + 1))) ||
    (HEADER_FROM.test(line) && isHeaderBlock(lines, i))
  );
}

/**
 * An attribution that introduces a quote: it names an address (`Support <care@example.com>`), or
 * the next line with text is quoted (`> `). "On Monday the courier wrote:" in the customer's own
 * words is neither, and cutting there hid everything below it from the agent and the AI.
 */
function isAttribution(lines: string[], i: number): boolean {
  const n = attributionLength(lines, i);
  if (n === 0) return false;
  if (lines.slice(i, i + n).some((line) => line.includes('@'))) return true;
  return (nextNonEmpty(lines, i + n) ?? '').startsWith('>');
}

/** How many lines (1 to 3) the attribution starting at line i spans, or 0 when there is none. */
function attributionLength(lines: string[], i: number): number {
  const first = unmarked(lines[i] ?? '');
  if (!/^(On|Am|Le|El|Em|Op|Il giorno)\b/i.test(first)) return 0;
  for (let n = 1; n <= 3 && i + n <= lines.length; n++) {
    // Every attribution ends with a colon: only then are the lines joined and the patterns tried.
    if (!unmarked(lines[i + n - 1] ?? '').endsWith(':')) continue;
    const joined = lines
      .slice(i, i + n)
      .map(unmarked)
      .join(' ');
    if (ATTRIBUTION.some((pattern) => pattern.test(joined))) return n;
  }
  return 0;
}

function isHeaderBlock(lines: string[], i: number): boolean {
  const window = lines.slice(i + 1, i + 5).map((l) => l.trim());
  return window.some((l) => HEADER_SENT.test(l)) && window.some((l) => HEADER_TO_OR_SUBJECT.test(l));
}

/**
 * Whether the lines from `from` (blank ones skipped first) are Outlook's header block in whatever
 * language its labels are: MIN_LABEL_LINES or more consecutive `Label: value` lines, the first naming
 * an address (From) and the second a date with a year and a time (Sent). A contact form's fields
 * (`Name:`, `Email:`, `Phone:`) under a rule are not: no address first, or no date after it.
 */
function isLabelBlock(lines: string[], from: number): boolean {
  let i = from;
  while (i < lines.length && !lines[i]?.trim()) i++;
  const block: string[] = [];
  for (; i < lines.length && block.length < MIN_LABEL_LINES; i++) {
    const line = lines[i]?.trim() ?? '';
    if (!LABEL_LINE.test(line)) break;
    block.push(line);
  }
  const [sender, sent] = block;
  return block.length === MIN_LABEL_LINES && !!sender?.includes('@') && isDateLine(sent ?? '');
}

/**
 * A line holding a year (four digits) and a time (`10:06`, Finnish `10.06`), as Outlook's Sent line
 * does: digits of any script (`\p{Nd}`), since Outlook writes an Arabic date in Arabic-Indic ones
 * (`٧ ديسمبر، ٢٠٢٦ ١٠:٠٠`) and a Persian or Urdu one in Eastern Arabic-Indic (`۲۰۲۶ ۱۰:۰۶`).
 */
function isDateLine(line: string): boolean {
  return /\p{Nd}{4}/u.test(line) && /\p{Nd}[:.]\p{Nd}{2}/u.test(line);
}

/**
 * Direction marks (ALM, LRM, RLM, the embeddings and overrides, the isolates): clients set them
 * around right-to-left text, after an attribution's colon too (`… كتب:` and U+200F).
 */
const DIRECTION_MARK = /^[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]$/;

/** Whether `c` is blank or a direction mark: cut from a line's ends before a pattern reads it. */
function isEdge(c: string): boolean {
  return c.trim() === '' || DIRECTION_MARK.test(c);
}

/**
 * `line` without the blanks and direction marks at its ends. A loop over them, so linear in a line
 * of a million marks (a pattern like `/[marks]+$/` retries from each mark of a run: quadratic).
 */
function unmarked(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && isEdge(line.charAt(start))) start++;
  while (end > start && isEdge(line.charAt(end - 1))) end--;
  return line.slice(start, end);
}

function nextNonEmpty(lines: string[], from: number): string | undefined {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return undefined;
}

// Spaces and tabs before a line end. The look-behind starts a try only where a run of blanks starts:
// `/[ \t]+$/gm` retried from every position of a run, quadratic in it (80,000 spaces took 21 s).
const TRAILING_BLANKS = /(?<![ \t])[ \t]+(?=\n|$)/g;

/** Line ends normalised, trailing spaces and tabs cut from each line, blank lines cut from both ends. */
function trimBody(text: string): string {
  // split/join: a replace with a million matches (a body of bare CRs) takes half a second.
  const normalised = text.split('\r\n').join('\n').split('\r').join('\n').replace(TRAILING_BLANKS, '');
  let start = 0;
  let end = normalised.length;
  while (start < end && normalised[start] === '\n') start++;
  while (end > start && normalised[end - 1] === '\n') end--;
  return normalised.slice(start, end);
}
