/**
 * A hand-off summary note cut into runs of text and runs the console isolates (`<bdi>`): each quote
 * (of the customer's words, a voicemail's, the AI's held-back answer) and the customer's name. The
 * note reads left to right ("Hand-off…"); unisolated, an Arabic quote with Latin words or digits in it
 * was laid out as part of the English line, its words in the wrong order. The stored text is left as
 * it is: the runs put together are the note.
 */
export type NoteRun = { text: string; isolate: boolean };

/** The summary's line naming the customer: `<name> (<history>); channels: …`. */
const NAME_LINE = /^(.+) \([^()\n]{1,40}\); channels: /;

/** The held-back answer's line, last in the note: its quote runs to the note's end, lines and all. */
const ANSWER_LINE = "The AI's answer, not sent";

/**
 * The runs of a hand-off note. A quote opens at a `"` that begins a line or follows a space, and closes
 * at the first `"` of its line that ends the line or comes before ` / ` (the next quote), else at the
 * line's last `"`: one pass over the text, each line read at most twice.
 */
export function handoffRuns(note: string): NoteRun[] {
  const runs: NoteRun[] = [];
  const plain = (text: string) => {
    if (text) runs.push({ text, isolate: false });
  };
  const lines = note.split('\n');
  for (const [index, line] of lines.entries()) {
    if (index > 0) plain('\n');
    if (line.startsWith(ANSWER_LINE) && line.includes('"')) {
      const rest = lines.slice(index).join('\n');
      const open = rest.indexOf('"');
      const close = rest.lastIndexOf('"');
      if (close > open) {
        runLine(rest.slice(0, open), runs);
        runs.push({ text: rest.slice(open, close + 1), isolate: true });
        plain(rest.slice(close + 1));
        return runs;
      }
    }
    const name = NAME_LINE.exec(line);
    if (name?.[1]) {
      runs.push({ text: name[1], isolate: true });
      runLine(line.slice(name[1].length), runs);
    } else {
      runLine(line, runs);
    }
  }
  return runs;
}

function runLine(line: string, runs: NoteRun[]): void {
  let from = 0;
  let at = 0;
  while (at < line.length) {
    const open = line.indexOf('"', at);
    if (open < 0) break;
    if (open > 0 && line[open - 1] !== ' ') {
      at = open + 1;
      continue;
    }
    const close = closingQuote(line, open);
    if (close < 0) break;
    if (open > from) runs.push({ text: line.slice(from, open), isolate: false });
    runs.push({ text: line.slice(open, close + 1), isolate: true });
    from = close + 1;
    at = from;
  }
  if (from < line.length) runs.push({ text: line.slice(from), isolate: false });
}

/** Where the quote opened at `open` closes on its line (see `handoffRuns`), or -1. */
function closingQuote(line: string, open: number): number {
  for (let at = line.indexOf('"', open + 1); at >= 0; at = line.indexOf('"', at + 1)) {
    if (at === line.length - 1 || line.startsWith(' / ', at + 1)) return at;
  }
  const last = line.lastIndexOf('"');
  return last > open ? last : -1;
}

/** The note's first line, `Hand-off (<routing reason>): <detail>.`, as routing writes it. */
const HEAD = /^Hand-off \(([a-z_]+)\): ?(.*)$/;

/** The note's facts line, `sentiment <label> (<score>); language <code>.`, either part alone too. */
const FACTS =
  /^(?:sentiment ([a-z]+)( \(-?[\d.]+\))?)?(; )?(?:language ([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\.$/;

/**
 * A hand-off note in words: its head without the routing reason's code (its detail says it; the reason
 * in words when the detail is empty) and its facts line with names ("Language: English"), where routing
 * wrote `Hand-off (after_hours): …` and `language en.`. The stored note is left as it is.
 */
export function handoffWords(note: string, reasonWords: (reason: string) => string): string {
  const lines = note.split('\n');
  const head = HEAD.exec(lines[0] ?? '');
  if (head?.[1] !== undefined) {
    const detail = (head[2] ?? '').trim();
    lines[0] = `Hand-off: ${detail && detail !== '.' ? detail : `${reasonWords(head[1])}.`}`;
  }
  return lines
    .map((line) => {
      const facts = FACTS.exec(line);
      if (!facts || line === '.' || (!facts[1] && !facts[4])) return line;
      const parts = [
        ...(facts[1] ? [`Sentiment: ${facts[1]}${facts[2] ?? ''}`] : []),
        ...(facts[4] ? [`Language: ${languageName(facts[4])}`] : []),
      ];
      return `${parts.join('; ')}.`;
    })
    .join('\n');
}

/** A language code's English name ("en" is English), or the code when the browser knows no name. */
function languageName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}
