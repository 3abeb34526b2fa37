import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BEDROCK_ON_DEMAND,
  EVERY_FUNCTION_ON_DEMAND,
  PHONE_ON_DEMAND,
  SES_ON_DEMAND,
  ZOD_COMPILE_ON_DEMAND,
} from '../../stacks/bundling/on-demand.js';
import { ELD_DATA_TEXT, MAILPARSER_TEXT } from '../support/bundle-marks.js';
import { functionAssets } from '../support/function-assets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The webhook functions' bundle budget (README, bench section 1): 150 KB. */
const WEBHOOK_BUDGET_BYTES = 150 * 1024;

const WEBHOOKS = ['WhatsApp', 'Meta', 'TwilioSms', 'TwilioVoice', 'Ses'];

/** A text only zod's schema compiler holds (its refusal message): the compiler's mark in a bundle. */
const COMPILER_TEXT = 'z.compile does not support';

/** The resolver's bundle mark (README, bench section 1): 800 KB. */
const RESOLVER_MARK_BYTES = 800 * 1024;

/**
 * `npm run synth` as an operator runs it, every function bundled for real (the other stack tests skip
 * bundling): an import a function's bundling aliases cannot satisfy fails here, not at deploy.
 */
describe('cdk synth with bundling', () => {
  let out = '';
  /** Each function's asset folder, by its construct id (the logical id without its hash). */
  let assets = new Map<string, string>();

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'threadline-synth-'));
    await run(join(root, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices', '-o', out], {
      cwd: root,
      env: { ...process.env, CDK_DEFAULT_ACCOUNT: '', CDK_DEFAULT_REGION: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    assets = functionAssets(out, 'ThreadlineApi');
  }, 600_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('bundles every function, with the files each loads on demand beside it', () => {
    expect([...assets.keys()].sort()).toEqual(
      [
        'AgentApi',
        'AgentMedia',
        'Events',
        'Live',
        'LiveStream',
        'Meta',
        'Resolver',
        'Sender',
        'Ses',
        'SesMail',
        'Timers',
        'TwilioSms',
        'TwilioVoice',
        'Webchat',
        'WebchatLive',
        'Webhooks',
        'WhatsApp',
      ].sort(),
    );
    for (const dir of assets.values()) expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(assets.get('AgentApi') ?? '', 'libphonenumber-js.cjs'))).toBe(true);
    for (const file of ['eld-small.cjs', 'client-bedrock-runtime.cjs', 'client-ses.cjs', 'kb-stemmers.cjs']) {
      expect(existsSync(join(assets.get('Resolver') ?? '', file))).toBe(true);
    }
    expect(existsSync(join(assets.get('Sender') ?? '', 'client-ses.cjs'))).toBe(true);
    expect(existsSync(join(assets.get('AgentMedia') ?? '', 'mail-mime.cjs'))).toBe(true);
    // The voice webhook answers a call by the business hours of the routing policy it reads at start.
    for (const name of ['Resolver', 'TwilioVoice']) {
      expect(existsSync(join(assets.get(name) ?? '', 'default-policy.json')), name).toBe(true);
    }
  });

  it('keeps each webhook within its bundle budget (no phone library, no SDK beyond SQS)', () => {
    for (const name of WEBHOOKS) {
      const size = statSync(join(assets.get(name) ?? '', 'index.mjs')).size;
      expect({ name, size, over: size > WEBHOOK_BUDGET_BYTES }).toEqual({ name, size, over: false });
    }
  });

  it("leaves zod's schema compiler out of each webhook's bundle, beside it for the schemas that turn hot", () => {
    for (const name of WEBHOOKS) {
      const dir = assets.get(name) ?? '';
      const bundled = readFileSync(join(dir, 'index.mjs'), 'utf8').includes(COMPILER_TEXT);
      expect({ name, bundled }).toEqual({ name, bundled: false });
    }
    // The SES webhook's notifications are parsed by no hot schema: its bundle loads no compiler.
    for (const name of WEBHOOKS.filter((webhook) => webhook !== 'Ses')) {
      expect(readFileSync(join(assets.get(name) ?? '', 'zod-compile.cjs'), 'utf8')).toContain(COMPILER_TEXT);
    }
  });

  it('leaves the MIME reader out of the agent media bundle, beside it for the emailed files opened', () => {
    const dir = assets.get('AgentMedia') ?? '';
    const bundled = readFileSync(join(dir, 'index.mjs'), 'utf8').includes(MAILPARSER_TEXT);
    expect({ bundled }).toEqual({ bundled: false });
    expect(readFileSync(join(dir, 'mail-mime.cjs'), 'utf8')).toContain(MAILPARSER_TEXT);
  });

  it("keeps the language detector's n-grams (1.6 MB) out of every bundle, beside the resolver's, which detects a language", () => {
    // The resolver detects the language of a customer's message (its touch decides the conversation's,
    // routing reads it), and loads the file at the first one. The automations, the surveys and the
    // template form read the language the conversation keeps: the timers, the sender and the agent API
    // no longer reach the detector and ship no file (before the conversation kept it, each did).
    for (const [name, dir] of assets) {
      const inlined = readFileSync(join(dir, 'index.mjs'), 'utf8').includes(ELD_DATA_TEXT);
      expect({ name, inlined }).toEqual({ name, inlined: false });
    }
    expect(readFileSync(join(assets.get('Resolver') ?? '', 'eld-small.cjs'), 'utf8')).toContain(
      ELD_DATA_TEXT,
    );
    const beside = ['AgentApi', 'Sender', 'Timers'].filter((name) =>
      existsSync(join(assets.get(name) ?? '', 'eld-small.cjs')),
    );
    expect(beside).toEqual([]);
  });

  it('ships each file loaded on demand beside every bundle that names it, and beside no other', () => {
    const modules = [
      ...EVERY_FUNCTION_ON_DEMAND,
      BEDROCK_ON_DEMAND,
      SES_ON_DEMAND,
      PHONE_ON_DEMAND,
      ZOD_COMPILE_ON_DEMAND,
    ];
    for (const [name, dir] of assets) {
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      for (const { file } of modules) {
        expect({ name, file, beside: existsSync(join(dir, file)) }).toEqual({
          name,
          file,
          beside: bundle.includes(file),
        });
      }
    }
  });

  it('leaves the MIME reader out of every bundle but the mail function, which reads every mail', () => {
    const holding = [...assets].filter(([, dir]) =>
      readFileSync(join(dir, 'index.mjs'), 'utf8').includes(MAILPARSER_TEXT),
    );
    expect(holding.map(([name]) => name)).toEqual(['SesMail']);
  });

  it("keeps the resolver under its mark (the repositories of a message's way only)", () => {
    const size = statSync(join(assets.get('Resolver') ?? '', 'index.mjs')).size;
    expect({ size, over: size > RESOLVER_MARK_BYTES }).toEqual({ size, over: false });
  });
});
