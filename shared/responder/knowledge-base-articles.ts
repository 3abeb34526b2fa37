import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ThreadlineError } from '../errors.js';

/** One help article: `id` is its file name without `.md`, `title` its first heading, `body` plain text. */
export const ArticleSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  body: z.string().min(1),
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

/** An article from a Markdown file's text: the title is its first heading, the body everything else. */
export function parseArticle(id: string, markdown: string): Article {
  const heading = /^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/m.exec(markdown);
  if (!heading?.[1]) throw new KnowledgeBaseError(`article ${id} has no heading to take its title from`);
  const body = markdownToText(
    markdown.slice(0, heading.index) + markdown.slice(heading.index + heading[0].length),
  );
  const parsed = ArticleSchema.safeParse({ id, title: markdownToText(heading[1]), body });
  if (!parsed.success) throw new KnowledgeBaseError(`article ${id} has no body`, { cause: parsed.error });
  return parsed.data;
}

/** Every `*.md` file of a folder as an article, in file-name order. Read once, at start-up. */
export function loadArticles(folder: string): Article[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.md'));
  } catch (error) {
    throw new KnowledgeBaseError(`cannot read the knowledge base folder ${folder}`, { cause: error });
  }
  return names
    .sort()
    .map((name) => parseArticle(basename(name, '.md'), readFileSync(join(folder, name), 'utf8')));
}
