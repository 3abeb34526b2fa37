import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLanguage } from '#shared/responder/text-signals.js';
import { ELD_ON_DEMAND, onDemandBuildCommand } from '../../stacks/bundling/on-demand.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-on-demand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** text-signals.ts bundled with the resolver's options: `eld/small` replaced by its on-demand shim. */
async function bundleTextSignals(): Promise<string> {
  const outfile = join(dir, 'text-signals.mjs');
  await build({
    entryPoints: ['shared/responder/text-signals.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    alias: { [ELD_ON_DEMAND.specifier]: ELD_ON_DEMAND.shim },
    logLevel: 'silent',
  });
  return outfile;
}

const TEXTS = [
  'Hi, I ordered a jacket last week, when will it arrive?',
  'Bonjour, où est mon colis ?',
  'Wo ist mein Paket?',
  '¿Cuánto tarda el envío a Madrid? Hice un pedido ayer.',
  'hi',
];

describe('language detection loaded on demand', () => {
  it('keeps the n-grams out of the bundle, loads them from beside it on first use, and detects the same', async () => {
    const outfile = await bundleTextSignals();
    expect(statSync(outfile).size).toBeLessThan(100 * 1024);
    const bundled = (await import(pathToFileURL(outfile).href)) as { detectLanguage: typeof detectLanguage };
    // Imported without the data file: nothing reads it at load.
    expect(existsSync(join(dir, ELD_ON_DEMAND.file))).toBe(false);

    execSync(onDemandBuildCommand(ELD_ON_DEMAND, dir));
    expect(statSync(join(dir, ELD_ON_DEMAND.file)).size).toBeGreaterThan(1024 * 1024);
    expect(TEXTS.map((text) => bundled.detectLanguage(text))).toEqual(
      TEXTS.map((text) => detectLanguage(text)),
    );
    expect(TEXTS.map((text) => bundled.detectLanguage(text))).toEqual(['en', 'fr', 'de', 'es', undefined]);
  });
});
