import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import { onFirstUse } from '../domain/on-first-use.js';
import { logger } from '../log.js';
import { type Article, articleFiles, KnowledgeBaseError, loadArticles } from './knowledge-base-articles.js';
import { type Calibration, CalibrationSchema } from './knowledge-base-calibration.js';
import { createPassageIndex, type PassageIndex } from './knowledge-base-index.js';
import { createTermPipeline, type Synonyms, SynonymsSchema, stemmerFor } from './knowledge-base-terms.js';

/** A knowledge base as read from its folder: articles, the synonym map and the calibration. */
export interface KnowledgeBase {
  articles: readonly Article[];
  synonyms?: Synonyms | undefined;
  calibration?: Calibration | undefined;
  /** ISO 639-1 language the articles are written in: picks the stemmer. */
  language: string;
}

/** The reason JSON.parse gives, on one line, with the line and column of the position it names (when it names one). */
function jsonReason(error: unknown, text: string): string {
  // One line: Node's message quotes the text around the mistake, line ends and all.
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
  const position = /at position (\d+)/.exec(reason)?.[1];
  if (position === undefined) return reason;
  const before = text.slice(0, Number(position)).split('\n');
  return `${reason} (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/**
 * A JSON file of the folder checked against its schema, or undefined when there is none. A byte-order
 * mark (Windows Notepad saves one) is no part of it; an error names the file's path and what is wrong.
 */
function readJson<T>(folder: string, name: string, schema: z.ZodType<T>): T | undefined {
  const path = join(folder, name);
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new KnowledgeBaseError(`${path}: cannot read it: ${why}`, { cause: error });
  }
  if (!text.trim()) throw new KnowledgeBaseError(`${path}: the file is empty (write {} in it, or delete it)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KnowledgeBaseError(`${path}: not JSON: ${jsonReason(error, text)}`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KnowledgeBaseError(`${path}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

const READ_BESIDE = new Set(['synonyms.json', 'calibration.json']);

/**
 * Reads a knowledge-base folder: its articles (`isArticleFile`), and the optional synonyms.json and
 * calibration.json. The other files it skips are named in a log line, so a `returns.txt` is not lost
 * without a word.
 */
export function readKnowledgeBase(folder: string, language = 'en'): KnowledgeBase {
  const articles = loadArticles(folder);
  if (!articles.length) {
    throw new KnowledgeBaseError(
      `the knowledge base ${folder} has no articles (*.md or *.markdown, other than README.md and names starting with . or _)`,
    );
  }
  const synonyms = readJson(folder, 'synonyms.json', SynonymsSchema);
  const calibration = readJson(folder, 'calibration.json', CalibrationSchema);
  const skipped = articleFiles(folder).others.filter((name) => !READ_BESIDE.has(name));
  if (skipped.length) logger.info('knowledge base: files skipped, not articles', { folder, skipped });
  return { articles, synonyms, calibration, language };
}

/** Builds the passage index: the stemmer of the base's language, its synonyms, every text as vocabulary. */
export async function buildPassageIndex(base: KnowledgeBase): Promise<PassageIndex> {
  const synonyms = base.synonyms ?? SynonymsSchema.parse({});
  const vocabulary = base.articles.flatMap((article) => [
    article.title,
    article.body,
    ...(article.questions ?? []),
  ]);
  const pipeline = createTermPipeline(await stemmerFor(base.language), synonyms, vocabulary);
  return createPassageIndex(base.articles, pipeline, base.calibration);
}

/**
 * The index built on first use and kept: start-up only reads the files, and a failed build is
 * retried on the next call rather than remembered.
 */
export function lazyPassageIndex(base: KnowledgeBase): () => Promise<PassageIndex> {
  return onFirstUse(() => buildPassageIndex(base));
}
