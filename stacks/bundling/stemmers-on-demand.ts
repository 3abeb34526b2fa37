import { createRequire } from 'node:module';
import type * as Stemmers from '#shared/responder/knowledge-base-stemmers.js';

/**
 * What the resolver's bundle imports in place of `#shared/responder/knowledge-base-stemmers.js` (see
 * on-demand.ts): the same `stemmerOf`, the other languages' stemmers read from a file beside the
 * bundle the first time a knowledge base not in English is built.
 */
const load = createRequire(import.meta.url);
let stemmers: typeof Stemmers | undefined;

/** `stemmerOf` of knowledge-base-stemmers.ts, loaded from `./kb-stemmers.cjs` when first called. */
export function stemmerOf(language: string): ReturnType<typeof Stemmers.stemmerOf> {
  stemmers ??= load('./kb-stemmers.cjs') as typeof Stemmers;
  return stemmers.stemmerOf(language);
}
