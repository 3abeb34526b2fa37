import { createRequire } from 'node:module';
import type * as Core from 'zod/v4/core';

/**
 * What the webhooks' bundles import in place of `#zod-compile` (zod's `compile`, see on-demand.ts and
 * shared/validation/hot.ts): the same function, whose code generator (~33 KB, a fifth of a webhook's
 * bundle) is read from a file beside the bundle when a schema turns hot, on its 100th parse, not at
 * cold start. The copy of zod's core in that file only reads the schemas it is given: the errors,
 * settings and fallbacks stay the bundle's (zod keeps its global settings on `globalThis`).
 */
const load = createRequire(import.meta.url);
let compiler: Pick<typeof Core, 'compile'> | undefined;

/** zod's `compile`, loaded from `./zod-compile.cjs` next to the bundle when first called. */
export function compile<T extends Core.$ZodType>(schema: T): T {
  compiler ??= load('./zod-compile.cjs') as Pick<typeof Core, 'compile'>;
  return compiler.compile(schema);
}
