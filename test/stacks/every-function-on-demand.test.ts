import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELD_ON_DEMAND, EVERY_FUNCTION_ON_DEMAND } from '../../stacks/bundling/on-demand.js';
import { ELD_DATA_TEXT } from '../support/bundle-marks.js';
import { functionAssets } from '../support/function-assets.js';

const out = mkdtempSync(join(tmpdir(), 'threadline-every-on-demand-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Each function's asset folder, by its construct id. */
let assets = new Map<string, string>();

// Two house functions bundled for real, neither listing what it loads on demand: the resolver, whose
// touch and routing detect a message's language, and the WhatsApp webhook, which never does. (The
// timers were the first: their automations and surveys read the language the conversation keeps now.)
beforeAll(async () => {
  await promisify(execFile)(
    'node_modules/.bin/tsx',
    ['test/support/bundled-functions.ts', out, 'Resolver=resolver', 'WhatsApp=whatsapp'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  assets = functionAssets(out, 'Functions');
}, 180_000);

describe('ThreadlineFunction: the heavy modules on demand in every function', () => {
  it("keeps eld's n-grams out of a bundle that reaches them without listing them, and ships them beside it", () => {
    const dir = assets.get('Resolver') ?? '';
    const inlined = readFileSync(join(dir, 'index.mjs'), 'utf8').includes(ELD_DATA_TEXT);
    expect({ inlined, beside: existsSync(join(dir, ELD_ON_DEMAND.file)) }).toEqual({
      inlined: false,
      beside: true,
    });
    expect(readFileSync(join(dir, ELD_ON_DEMAND.file), 'utf8')).toContain(ELD_DATA_TEXT);
  });

  it('ships no file beside a bundle that never reaches its module', () => {
    const dir = assets.get('WhatsApp') ?? '';
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(EVERY_FUNCTION_ON_DEMAND.filter((m) => existsSync(join(dir, m.file)))).toEqual([]);
  });
});
