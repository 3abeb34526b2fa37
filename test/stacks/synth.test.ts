import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

const TemplateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({
      Type: z.string(),
      Metadata: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
});

/** The webhook functions' bundle budget (README, bench section 1): 150 KB. */
const WEBHOOK_BUDGET_BYTES = 150 * 1024;

const WEBHOOKS = ['WhatsApp', 'Meta', 'TwilioSms', 'TwilioVoice', 'Ses'];

/** A text only zod's schema compiler holds (its refusal message): the compiler's mark in a bundle. */
const COMPILER_TEXT = 'z.compile does not support';

/** A header name only mailparser spells out (its header handling): the MIME reader's mark in a bundle. */
const MAILPARSER_TEXT = 'disposition-notification-to';

/** The resolver's bundle mark (README, bench section 1): 800 KB. */
const RESOLVER_MARK_BYTES = 800 * 1024;

/**
 * `npm run synth` as an operator runs it, every function bundled for real (the other stack tests skip
 * bundling): an import a function's bundling aliases cannot satisfy fails here, not at deploy.
 */
describe('cdk synth with bundling', () => {
  let out = '';
  /** Each function's asset folder, by its construct id (the logical id without its hash). */
  const assets = new Map<string, string>();

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'threadline-synth-'));
    await run(join(root, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices', '-o', out], {
      cwd: root,
      env: { ...process.env, CDK_DEFAULT_ACCOUNT: '', CDK_DEFAULT_REGION: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const template = TemplateSchema.parse(
      JSON.parse(readFileSync(join(out, 'ThreadlineApi.template.json'), 'utf8')),
    );
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const path = resource.Metadata?.['aws:asset:path'];
      if (resource.Type === 'AWS::Lambda::Function' && typeof path === 'string') {
        assets.set(logicalId.replace(/[0-9A-F]{8}$/, ''), join(out, path));
      }
    }
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
      expect(readFileSync(join(dir, 'zod-compile.cjs'), 'utf8')).toContain(COMPILER_TEXT);
    }
  });

  it('leaves the MIME reader out of the agent media bundle, beside it for the emailed files opened', () => {
    const dir = assets.get('AgentMedia') ?? '';
    const bundled = readFileSync(join(dir, 'index.mjs'), 'utf8').includes(MAILPARSER_TEXT);
    expect({ bundled }).toEqual({ bundled: false });
    expect(readFileSync(join(dir, 'mail-mime.cjs'), 'utf8')).toContain(MAILPARSER_TEXT);
  });

  it("keeps the language detector's n-grams (1.6 MB) beside each bundle that may detect a language, not in it", () => {
    // The resolver routes by language; the others run the conversation clock's automations by language
    // and the surveys' language: only a rule or survey that needs it loads the file.
    for (const name of ['Resolver', 'AgentApi', 'AgentMedia', 'Sender', 'Timers']) {
      const dir = assets.get(name) ?? '';
      const size = statSync(join(dir, 'index.mjs')).size;
      const beside = existsSync(join(dir, 'eld-small.cjs'));
      expect({ name, beside, underOneMiB: size < 1024 * 1024 }).toEqual({
        name,
        beside: true,
        underOneMiB: true,
      });
    }
  });

  it("keeps the resolver under its mark (the repositories of a message's way only)", () => {
    const size = statSync(join(assets.get('Resolver') ?? '', 'index.mjs')).size;
    expect({ size, over: size > RESOLVER_MARK_BYTES }).toEqual({ size, over: false });
  });
});
