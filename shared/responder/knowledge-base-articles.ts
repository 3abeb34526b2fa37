import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ThreadlineError } from '../errors.js';

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

/** Markdown as plain text: no heading marks, emphasis, code ticks or HTML; links keep text and URL. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>\n]+>/g, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, '$1 ($2)')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+/gm, '')
    .replace(/^[ \t]{0,3}>[ \t]?/gm, '')
    .replace(/^[ \t]*[*+][ \t]+/gm, '- ')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/**
 * The example questions of a front matter block: the `- ` items under a `questions:` line (the only
 * key read; other keys are left for other tools). Quotes around an item are dropped.
 */
export function parseFrontMatter(block: string): { questions: string[] } {
  const questions: string[] = [];
  let inQuestions = false;
  for (const line of block.split(/\r?\n/)) {
    if (/^\S/.test(line)) inQuestions = /^questions:\s*$/.test(line);
    const item = inQuestions ? /^\s*-\s+(.+?)\s*$/.exec(line)?.[1] : undefined;
    if (item) questions.push(item.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return { questions };
}

/**
 * An article from a Markdown file's text: an optional front matter block (between `---` lines) with
 * example questions, the title is its first heading, the body everything else.
 */
export function parseArticle(id: string, source: string): Article {
  const front = FRONT_MATTER.exec(source);
  const markdown = front ? source.slice(front[0].length) : source;
  const questions = front?.[1] ? parseFrontMatter(front[1]).questions : [];
  const heading = /^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/m.exec(markdown);
  if (!heading?.[1]) throw new KnowledgeBaseError(`article ${id} has no heading to take its title from`);
  const body = markdownToText(
    markdown.slice(0, heading.index) + markdown.slice(heading.index + heading[0].length),
  );
  const parsed = ArticleSchema.safeParse({
    id,
    title: markdownToText(heading[1]),
    body,
    ...(questions.length ? { questions } : {}),
  });
  if (!parsed.success) {
    const what = body ? 'unusable example questions' : 'no body';
    throw new KnowledgeBaseError(`article ${id} has ${what}`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Whether a file of the knowledge-base folder is an article: a `*.md` file, but not the folder's
 * README.md (in any case) for whoever edits it, nor one whose name starts with `.` or `_` (an editor's
 * backup, a draft, a template).
 */
export function isArticleFile(name: string): boolean {
  return name.endsWith('.md') && !/^[._]/.test(name) && name.toLowerCase() !== 'readme.md';
}

/** Every article file of a folder (`isArticleFile`), in file-name order; an error names the file. Read once, at start-up. */
export function loadArticles(folder: string): Article[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter(isArticleFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : String(error);
    throw new KnowledgeBaseError(`cannot read the knowledge base folder ${folder}: ${why}`, { cause: error });
  }
  return names.sort().map((name) => {
    const path = join(folder, name);
    try {
      return parseArticle(basename(name, '.md'), readFileSync(path, 'utf8'));
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
 * An article's paragraphs, numbered from 1; a short line without a full stop (a sub-heading) is kept
 * with the paragraph that follows it.
 */
export function splitPassages(article: Article): Passage[] {
  const paragraphs: string[] = [];
  let heading = '';
  for (const paragraph of article.body.split(/\n\s*\n/)) {
    const text = paragraph.trim();
    if (!text) continue;
    if (!text.includes('\n') && text.length <= 80 && !/[.!?:)]$/.test(text)) {
      heading = heading ? `${heading}\n${text}` : text;
      continue;
    }
    paragraphs.push(heading ? `${heading}\n${text}` : text);
    heading = '';
  }
  if (heading) paragraphs.push(heading);
  return paragraphs.map((text, i) => ({ id: `${article.id}#${i + 1}`, article, text }));
}
