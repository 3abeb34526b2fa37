import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import { COMPILE_AFTER } from '#shared/validation/hot.js';
import { onDemandBuildCommand, ZOD_COMPILE_ON_DEMAND } from '../../stacks/bundling/on-demand.js';
import { bundle } from '../bench/bundles.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-zod-compile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A text only zod's compiler holds (its refusal message), so it marks the compiler in a bundle. */
const COMPILER_TEXT = 'z.compile does not support';

/**
 * The WhatsApp normaliser bundled as the webhooks are, with or without the compiler on demand (the
 * shim as an alias only: the file beside the bundle is built later).
 */
async function bundleNormaliser(name: string, onDemand: boolean): Promise<string> {
  const outfile = join(dir, name, 'index.mjs');
  const alias = onDemand ? { [ZOD_COMPILE_ON_DEMAND.specifier]: ZOD_COMPILE_ON_DEMAND.shim } : {};
  await bundle('shared/channels/whatsapp/normalise.ts', outfile, false, [], [], alias);
  return outfile;
}

const FIXTURES = new URL('../fixtures/whatsapp/', import.meta.url);
const CTX = { receivedAt: '2026-06-01T12:00:00.000Z', bodySha256: 'a'.repeat(64) };

/** Every WhatsApp fixture, and two it turns bad (a message's sender a number; not WhatsApp at all). */
function payloads(): unknown[] {
  const bodies: unknown[] = readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')));
  const text = JSON.parse(readFileSync(new URL('text.json', FIXTURES), 'utf8'));
  text.entry[0].changes[0].value.messages[0].from = 16505551234;
  return [...bodies, text, { object: 'page', entry: [] }];
}

/** What a normaliser answers for a body, an error's name and message included. */
function outcome(normalise: typeof normaliseWhatsApp, payload: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(normalise(payload, CTX)));
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

describe("zod's compiler loaded on demand by the webhooks", () => {
  it('leaves the compiler out of the bundle, loads it from beside it when a schema turns hot, and normalises the same', async () => {
    const plain = await bundleNormaliser('plain', false);
    const slim = await bundleNormaliser('slim', true);
    expect(readFileSync(plain, 'utf8')).toContain(COMPILER_TEXT);
    expect(readFileSync(slim, 'utf8')).not.toContain(COMPILER_TEXT);

    const bundled = (await import(pathToFileURL(slim).href)) as {
      normaliseWhatsApp: typeof normaliseWhatsApp;
    };
    const bodies = payloads();
    expect(bodies.length).toBeGreaterThan(40);
    // Parses before the schemas turn hot read no file: the bundle runs without it.
    for (const payload of bodies.slice(0, 20)) {
      expect(outcome(bundled.normaliseWhatsApp, payload)).toEqual(outcome(normaliseWhatsApp, payload));
    }
    const file = join(dir, 'slim', ZOD_COMPILE_ON_DEMAND.file);
    const cache = createRequire(import.meta.url).cache;
    expect(existsSync(file)).toBe(false);

    execSync(onDemandBuildCommand(ZOD_COMPILE_ON_DEMAND, join(dir, 'slim')));
    expect(readFileSync(file, 'utf8')).toContain(COMPILER_TEXT);
    for (let round = 0; round * bodies.length < 3 * COMPILE_AFTER; round++) {
      for (const payload of bodies) {
        expect(outcome(bundled.normaliseWhatsApp, payload)).toEqual(outcome(normaliseWhatsApp, payload));
      }
    }
    // The hot schemas were compiled by the file beside the bundle.
    expect(cache[file]).toBeDefined();
  }, 60_000);
});
