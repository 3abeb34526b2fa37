/** The Markdown of help articles as plain text, and where an article's title heading is. */

/** A file's text as any editor saves it: no byte-order mark (Windows Notepad writes one), `\n` line ends. */
export function normalisedText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** One line of an article, and whether it is inside a fenced code block (``` or ~~~). */
interface Line {
  text: string;
  code: boolean;
  /** A fence's own line: dropped from the text. */
  fence: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

function markLines(markdown: string): Line[] {
  const lines: Line[] = [];
  let open = '';
  for (const text of markdown.split('\n')) {
    const fence = FENCE.exec(text)?.[1];
    if (!open && fence) {
      open = fence;
      lines.push({ text, code: false, fence: true });
    } else if (
      open &&
      fence &&
      fence[0] === open[0] &&
      fence.length >= open.length &&
      !text.trim().slice(fence.length)
    ) {
      open = '';
      lines.push({ text, code: false, fence: true });
    } else {
      lines.push({ text, code: Boolean(open), fence: false });
    }
  }
  return lines;
}

const ATX_HEADING = /^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]/;

/**
 * The first heading outside code blocks: its text and the lines it takes (`from` to before `to`). A
 * `# Title` line, or a setext heading: a line underlined with `===` or `---`.
 */
export function findTitle(markdown: string): { title: string; from: number; to: number } | undefined {
  const lines = markLines(markdown);
  for (const [i, line] of lines.entries()) {
    if (line.code || line.fence) continue;
    const atx = ATX_HEADING.exec(line.text)?.[1];
    if (atx) return { title: atx, from: i, to: i + 1 };
    const next = lines[i + 1];
    const before = lines[i - 1];
    const startsParagraph = !before || before.fence || !before.text.trim();
    if (
      next &&
      !next.code &&
      !next.fence &&
      SETEXT_UNDERLINE.test(next.text) &&
      line.text.trim() &&
      startsParagraph &&
      !LIST_ITEM.test(line.text) &&
      !line.text.includes('|')
    ) {
      return { title: line.text.trim(), from: i, to: i + 2 };
    }
  }
  return undefined;
}

// A table's delimiter row: `|---|:---:|`, `--- | ---`.
const TABLE_DELIMITER = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

function tableCells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/**
 * A table's rows as plain lines: "first cell: second cell" with two columns, "first cell: Header
 * cell; Header cell" with more. The header row names the columns and is not a line of its own.
 */
function tableLines(header: string, rows: readonly string[]): string[] {
  const names = tableCells(header);
  return rows.flatMap((row) => {
    const [first = '', ...rest] = tableCells(row);
    const values = rest
      .map((cell, i) => (cell && names.length > 2 && names[i + 1] ? `${names[i + 1]} ${cell}` : cell))
      .filter(Boolean);
    const line = [first, values.join('; ')].filter(Boolean).join(': ');
    return line ? [line] : [];
  });
}

/** The tables of a run of lines made plain lines, each table a paragraph of its own. */
function plainTables(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const delimiter = lines[i + 1];
    if (
      !line.includes('|') ||
      delimiter === undefined ||
      !TABLE_DELIMITER.test(delimiter) ||
      !delimiter.includes('-')
    ) {
      out.push(line);
      continue;
    }
    let end = i + 2;
    while (end < lines.length && lines[end]?.includes('|') && lines[end]?.trim()) end += 1;
    out.push('', ...tableLines(line, lines.slice(i + 2, end)), '');
    i = end - 1;
  }
  return out;
}

const FOOTNOTE_DEFINITION = /^ {0,3}\[\^([^\]\s]+)\]:[ \t]*(.*)$/;

/** Footnote definitions taken out of the lines (with their indented continuation lines), by label. */
function takeFootnotes(lines: Line[]): Map<string, string> {
  const notes = new Map<string, string>();
  let current: string | undefined;
  for (const line of lines) {
    if (line.code || line.fence) {
      current = undefined;
      continue;
    }
    const definition = FOOTNOTE_DEFINITION.exec(line.text);
    if (definition) {
      current = definition[1] ?? '';
      notes.set(current, (definition[2] ?? '').trim());
      line.text = '';
      line.fence = true;
    } else if (current !== undefined && /^(?: {4}|\t)\S/.test(line.text)) {
      notes.set(current, `${notes.get(current) ?? ''} ${line.text.trim()}`.trim());
      line.text = '';
      line.fence = true;
    } else {
      current = undefined;
    }
  }
  return notes;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  '#39': "'",
  nbsp: ' ',
};

/** The inline Markdown and HTML of text outside code blocks. */
function plainInline(markdown: string, notes: ReadonlyMap<string, string>): string {
  return (
    markdown
      .replace(/<!--[\s\S]*?-->/g, '')
      // An autolink keeps its address; only a tag (a name right after `<`) is HTML: "under <€50" stays.
      .replace(/<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>/g, '$1')
      .replace(/<([^\s<>@]+@[^\s<>@]+)>/g, '$1')
      .replace(/\n?[ \t]*<br[ \t]*\/?>[ \t]*\n?/gi, '\n')
      .replace(/<\/?[a-zA-Z][a-zA-Z0-9-]*(?:[ \t\n][^<>]*)?\/?>/g, '')
      .replace(/&(amp|lt|gt|quot|apos|#39|nbsp);/g, (_, name: string) => ENTITIES[name] ?? '')
      .replace(/[ \t]*\[\^([^\]\s]+)\](?!:)/g, (_, label: string) => {
        const note = notes.get(label)?.replace(/[.;]$/, '');
        return note ? ` (${note})` : '';
      })
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, '$1 ($2)')
      // A thematic break, or the underline of a setext heading.
      .replace(/^ {0,3}(?:([-*_])(?:[ \t]*\1){2,}|=+)[ \t]*$/gm, '')
      .replace(/^[ \t]{0,3}#{1,6}[ \t]+/gm, '')
      .replace(/^[ \t]{0,3}>[ \t]?/gm, '')
      // An indented block (an address, a list item's second paragraph) starts at the margin; a nested list item keeps its place.
      .replace(/^[ \t]+(?=[^ \t])(?!(?:[-*+]|\d{1,9}[.)])[ \t])/gm, '')
      .replace(/^[ \t]*[*+][ \t]+/gm, '- ')
      .replace(/^([ \t]*(?:-|\d{1,9}[.)])[ \t]+)\[[ xX]\][ \t]+/gm, '$1')
      // Struck through: no longer so.
      .replace(/[ \t]*~~[^~\n]+~~/g, '')
      .replace(/(\*\*|__)(.+?)\1/g, '$2')
      .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, '$1$2')
      .replace(/`([^`]+)`/g, '$1')
  );
}

/**
 * Markdown as plain text: no heading marks, emphasis, code ticks or HTML tags (`<` and `>` otherwise
 * stay: "orders >€50"); links keep text and URL, autolinks their address; a table's rows become lines
 * ("Monday to Friday: 9:00 to 17:00"); a footnote's text goes in brackets where it is marked; struck
 * text is dropped; a fenced code block's lines are kept as they are, a paragraph of their own.
 */
export function markdownToText(markdown: string): string {
  const lines = markLines(normalisedText(markdown));
  const notes = takeFootnotes(lines);
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) out.push(plainInline(plainTables(run).join('\n'), notes));
    run = [];
  };
  let inCode = false;
  for (const line of lines) {
    if (line.code !== inCode) {
      flush();
      out.push('');
      inCode = line.code;
    }
    if (line.fence) {
      // A fence ends the paragraph before it; a footnote's definition leaves nothing.
      if (line.text) run.push('');
    } else if (line.code) out.push(line.text);
    else run.push(line.text);
  }
  flush();
  return out
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
