import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ThreadlineError } from '../errors.js';
import { findTitle, markdownToText, normalisedText } from './knowledge-base-markdown.js';

export { markdownToText } from './knowledge-base-markdown.js';

/**
 * One help article: `id` is its file name without `.md`, `title` its first heading, `body` plain text,
 * `questions` the example questions of its front matter (how customers ask what it answers).
 */
export const ArticleSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  body: z.string().min(1),
  questions: z.array(z.string().trim().min(1).max(500)).max(200).optional(),
});
export type Article = z.infer<typeof ArticleSchema>;

/** A knowledge base that cannot be used: no articles, an article without a heading or a body. */
export class KnowledgeBaseError extends ThreadlineError {
  override name = 'KnowledgeBaseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('knowledge_base_invalid', message, options);
  }
}

/** The sample articles that ship with Threadline (a small online clothing shop). */
export const SAMPLE_KNOWLEDGE_BASE = fileURLToPath(new URL('./knowledge-base/', import.meta.url));

/** A front matter block's key line: `questions:` (in any case), and the value on the same line. */
const FRONT_MATTER_KEY = /^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$/;

const unquoted = (item: string) => item.trim().replace(/^(["'])(.*)\1$/, '$2');

/** The items of a YAML flow list (`[How does X work?, "Can I pause, then resume?"]`), without its brackets. */
function flowItems(list: string): string[] {
  const items: string[] = [];
  let item = '';
  let quote = '';
  let depth = 0;
  for (const char of list) {
    if (quote) quote = char === quote ? '' : quote;
    else if (char === '"' || char === "'") quote = item.trim() ? '' : char;
    else if (char === '[') depth += 1;
    else if (char === ']') depth -= 1;
    else if (char === ',' && depth === 0) {
      items.push(item);
      item = '';
      continue;
    }
    item += char;
  }
  items.push(item);
  return items.map(unquoted).filter(Boolean);
}

/**
 * The example questions of a front matter block: the `- ` items under a `questions:` line (the key in
 * any case), or a flow list (`questions: [How does X work?, Can I pause?]`) or one question on its line.
 * Other keys are left for other tools; quotes around an item are dropped; a line indented under an
 * item continues it.
 */
export function parseFrontMatter(block: string): { questions: string[] } {
  const questions: string[] = [];
  let inQuestions = false;
  for (const [i, line] of normalisedText(block).split('\n').entries()) {
    if (!line.trim() || /^\s*#/.test(line)) continue;
    if (/^\S/.test(line)) {
      const key = FRONT_MATTER_KEY.exec(line);
      inQuestions = /^questions?$/i.test(key?.[1] ?? '');
      const value = inQuestions ? (key?.[2] ?? '').trim() : '';
      if (value.startsWith('[')) {
        if (!value.endsWith(']')) {
          throw new KnowledgeBaseError(`front matter line ${i + 1}: the list of questions has no closing ]`);
        }
        questions.push(...flowItems(value.slice(1, -1)));
      } else if (value) questions.push(unquoted(value));
      continue;
    }
    if (!inQuestions) continue;
    const item = /^\s*-\s+(.+?)\s*$/.exec(line)?.[1];
    if (item) questions.push(unquoted(item));
    else if (questions.length) questions.push(`${questions.pop()} ${line.trim()}`);
  }
  return { questions };
}

/** The front matter of an article's text (between a first line `---` and the next `---`), and the rest. */
function splitFrontMatter(id: string, source: string): { block: string; markdown: string } {
  if (!/^---[ \t]*(?:\n|$)/.test(source)) return { block: '', markdown: source };
  const close = /\n(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(source.slice(3));
  if (!close) {
    throw new KnowledgeBaseError(
      `article ${id}: its front matter, opened by --- on the first line, has no closing --- line (before the # title)`,
    );
  }
  const end = 3 + close.index;
  return {
    block: source.slice(source.indexOf('\n') + 1, end),
    markdown: source.slice(end + close[0].length),
  };
}

/**
 * An article from a Markdown file's text: an optional front matter block (between `---` lines) with
 * example questions, the title is its first heading (`# Title`, or a line underlined with `===`),
 * the body everything else. A byte-order mark and Windows line ends are read as nothing.
 */
export function parseArticle(id: string, source: string): Article {
  const { block, markdown } = splitFrontMatter(id, normalisedText(source));
  let questions: string[];
  try {
    questions = parseFrontMatter(block).questions;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new KnowledgeBaseError(`article ${id}: ${why}`, { cause: error });
  }
  if (!markdown.trim() && !block.trim()) throw new KnowledgeBaseError(`article ${id} is empty`);
  const heading = findTitle(markdown);
  if (!heading) {
    throw new KnowledgeBaseError(
      `article ${id} has no heading to take its title from: start it with a "# Title" line`,
    );
  }
  const lines = markdown.split('\n');
  const body = markdownToText([...lines.slice(0, heading.from), ...lines.slice(heading.to)].join('\n'));
  const parsed = ArticleSchema.safeParse({
    id,
    title: markdownToText(heading.title),
    body,
    ...(questions.length ? { questions } : {}),
  });
  if (!parsed.success) {
    const what = body ? 'unusable example questions' : 'no body';
    throw new KnowledgeBaseError(`article ${id} has ${what}`, { cause: parsed.error });
  }
  return parsed.data;
}

const ARTICLE_EXTENSION = /\.(?:md|markdown)$/i;

/**
 * Whether a file of the knowledge-base folder is an article: a `*.md` or `*.markdown` file (in any
 * case), but not the folder's README.md (in any case) for whoever edits it, nor one whose name starts
 * with `.` or `_` (an editor's backup, a draft, a template).
 */
export function isArticleFile(name: string): boolean {
  return ARTICLE_EXTENSION.test(name) && !/^[._]/.test(name) && !/^readme\.(?:md|markdown)$/i.test(name);
}

/** An article's id: its file name without `.md` or `.markdown`. */
export const articleId = (name: string): string => name.replace(ARTICLE_EXTENSION, '');

/** The files of a knowledge-base folder: its articles (`isArticleFile`, not a folder) and the rest, each in name order. */
export function articleFiles(folder: string): { articles: string[]; others: string[] } {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : String(error);
    throw new KnowledgeBaseError(`cannot read the knowledge base folder ${folder}: ${why}`, { cause: error });
  }
  // A folder named like an article (`old.md`) is skipped as any other file that is not one.
  const article = (entry: Dirent) => !entry.isDirectory() && isArticleFile(entry.name);
  return {
    articles: entries.filter(article).map((entry) => entry.name),
    others: entries.filter((entry) => !article(entry)).map((entry) => entry.name),
  };
}

/**
 * Every article file of a folder (`isArticleFile`), in file-name order; an error names the file, and
 * two files of one id (`gifts.md`, `gifts.markdown`) are refused. Read once, at start-up.
 */
export function loadArticles(folder: string): Article[] {
  const names = articleFiles(folder).articles;
  const seen = new Map<string, string>();
  for (const name of names) {
    const id = articleId(name);
    const first = seen.get(id);
    if (first) {
      throw new KnowledgeBaseError(
        `${join(folder, first)} and ${name}: two articles named ${id}; rename or remove one`,
      );
    }
    seen.set(id, name);
  }
  return names.map((name) => {
    const path = join(folder, name);
    try {
      return parseArticle(articleId(name), readFileSync(path, 'utf8'));
    } catch (error) {
      // The file named, so whoever edits the folder finds it among many.
      const why = error instanceof Error ? error.message : String(error);
      throw new KnowledgeBaseError(`${path}: ${why}`, { cause: error });
    }
  });
}

/** One paragraph of an article: what an answer quotes. `id` is `<article id>#<paragraph number>`. */
export interface Passage {
  id: string;
  article: Article;
  text: string;
}

/**
 * An article's paragraphs, numbered from 1; a short line without a full stop (a sub-heading), and a
 * paragraph ending with ":" (the lead-in of a list or table), are kept with the paragraph that follows.
 */
export function splitPassages(article: Article): Passage[] {
  const paragraphs: string[] = [];
  let heading = '';
  for (const paragraph of article.body.split(/\n\s*\n/)) {
    const text = paragraph.trim();
    if (!text) continue;
    if (text.endsWith(':') || (!text.includes('\n') && text.length <= 80 && !/[.!?:)]$/.test(text))) {
      heading = heading ? `${heading}\n${text}` : text;
      continue;
    }
    paragraphs.push(heading ? `${heading}\n${text}` : text);
    heading = '';
  }
  if (heading) paragraphs.push(heading);
  return paragraphs.map((text, i) => ({ id: `${article.id}#${i + 1}`, article, text }));
}
