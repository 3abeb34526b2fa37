import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { stemmerFor } from '#shared/responder/knowledge-base-terms.js';
import { bundle, bundleOptions, FUNCTIONS } from '../bench/bundles.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-stemmers-on-demand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { onDemand = [] } = FUNCTIONS.resolver ?? {};
const OTHER_LANGUAGES = ['de', 'es', 'fr', 'it', 'nl', 'pt'];

describe("the resolver's bundle and the knowledge base's stemmers", () => {
  it('holds only the English stemmer: the others wait beside it', async () => {
    const { metafile } = await build({
      ...bundleOptions('functions/resolver/handler.ts', join(dir, 'resolver.mjs'), true, [], onDemand),
      metafile: true,
      write: false,
    });
    const stemmers = Object.keys(metafile.inputs).filter((path) => path.includes('@orama/stemmers/'));
    expect(stemmers.map((path) => path.replace(/.*\/dist\//, ''))).toEqual(['en.js']);
  });

  it('stems each other language through the bundle as unbundled, loading the file beside it on first use', async () => {
    const entry = join(dir, 'entry.ts');
    const source = join(process.cwd(), 'shared/responder/knowledge-base-terms.ts');
    writeFileSync(entry, `export { stemmerFor } from ${JSON.stringify(source)};\n`);
    const outfile = join(dir, 'terms.mjs');
    await bundle(entry, outfile, true, [], onDemand);
    expect(existsSync(join(dir, 'kb-stemmers.cjs'))).toBe(true);
    const bundled = (await import(pathToFileURL(outfile).href)) as { stemmerFor: typeof stemmerFor };
    const words = ['lieferungen', 'envíos', 'chevaux', 'spedizioni', 'leveringen', 'encomendas', 'parcels'];
    for (const language of [...OTHER_LANGUAGES, 'en', 'xx']) {
      const [mine, theirs] = [await bundled.stemmerFor(language), await stemmerFor(language)];
      expect(words.map(mine), language).toEqual(words.map(theirs));
    }
    // Each other language's stemmer is its own, not English's in its place.
    const english = await stemmerFor('en');
    const own = await Promise.all(OTHER_LANGUAGES.map((l) => bundled.stemmerFor(l)));
    const word = (i: number) => words[i] ?? '';
    expect(own.map((stem, i) => stem(word(i)) === english(word(i)))).toEqual(
      OTHER_LANGUAGES.map(() => false),
    );
  });
});
