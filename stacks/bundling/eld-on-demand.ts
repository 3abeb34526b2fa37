import { createRequire } from 'node:module';
import type { eld as Eld } from 'eld/small';

/**
 * What a bundle imports in place of `eld/small` (see on-demand.ts): the same `eld.detect`, whose n-gram
 * data (1.6 MB) is read from a file shipped beside the bundle on the first call, not at cold start.
 */
const load = createRequire(import.meta.url);
let detector: typeof Eld | undefined;

/** `eld` from `eld/small`, loaded from `./eld-small.cjs` next to the bundle when first asked. */
export const eld: Pick<typeof Eld, 'detect'> = {
  detect: (text) => {
    detector ??= (load('./eld-small.cjs') as { eld: typeof Eld }).eld;
    return detector.detect(text);
  },
};
