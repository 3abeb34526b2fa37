import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import { onFirstUse } from '../domain/on-first-use.js';
import { type Article, KnowledgeBaseError, loadArticles } from './knowledge-base-articles.js';
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

/** A JSON file of the folder checked against its schema, or undefined when there is none. */
function readJson<T>(folder: string, name: string, schema: z.ZodType<T>): T | undefined {
  const path = join(folder, name);
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new KnowledgeBaseError(`${name} of the knowledge base is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KnowledgeBaseError(`${name}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Reads a knowledge-base folder: its articles (`isArticleFile`), and the optional synonyms.json and calibration.json. */
export function readKnowledgeBase(folder: string, language = 'en'): KnowledgeBase {
  const articles = loadArticles(folder);
  if (!articles.length) {
    throw new KnowledgeBaseError(
      `the knowledge base ${folder} has no articles (*.md, other than README.md and names starting with . or _)`,
    );
  }
  return {
    articles,
    synonyms: readJson(folder, 'synonyms.json', SynonymsSchema),
    calibration: readJson(folder, 'calibration.json', CalibrationSchema),
    language,
  };
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
