import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  knownContextKeys,
  refuseUnknownContext,
  savedContextKeys,
  warnUnsavedContext,
} from '../../stacks/context-keys.js';
import { appWith } from '../support/cdk-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const stacksDir = fileURLToPath(new URL('../../stacks/', import.meta.url));

/** Every `.ts` file under stacks/. */
function stackSources(dir = stacksDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return stackSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A stack of one resource (CDK refuses an empty template). */
function stackIn(app: ReturnType<typeof appWith>, id: string): Stack {
  const stack = new Stack(app, id);
  new CfnWaitConditionHandle(stack, 'Handle');
  return stack;
}

describe('stack context keys', () => {
  it('stop the app as cdk synth runs it, before any stack', async () => {
    const out = mkdtempSync(join(tmpdir(), 'threadline-context-'));
    try {
      const context = { 'aws:cdk:bundling-stacks': [], reopenWindowHour: '1' };
      const synth = promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['stacks/app.ts'], {
        cwd: root,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: out },
      });
      await expect(synth).rejects.toThrow(
        /reopenWindowHour is not a setting \(did you mean reopenWindowHours\?\)/,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a misspelt key, naming it and the nearest known key', () => {
    const app = appWith({
      routingPolicyfile: 'shared/domain/routing/nope.json',
      reopenWindowHour: '1',
    });
    expect(() => refuseUnknownContext(app)).toThrow(
      /routingPolicyfile is not a setting \(did you mean routingPolicyFile\?\); reopenWindowHour is not a setting \(did you mean reopenWindowHours\?\)/,
    );
  });

  it("passes every known key and CDK's own keys (cdk.json's flags, the CLI's, lookups, acknowledgements)", () => {
    const app = appWith({
      ...Object.fromEntries(knownContextKeys.map((key) => [key, ''])),
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:version-reporting': true,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [12345],
    });
    expect(() => refuseUnknownContext(app)).not.toThrow();
  });

  it('knows every key the stacks read', () => {
    const read = new Set<string>();
    for (const file of stackSources()) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/tryGetContext\('(\w+)'\)|stackSetting\(\s*\w+,\s*'(\w+)'/g)) {
        read.add(match[1] ?? match[2] ?? '');
      }
    }
    expect(read.size).toBeGreaterThan(5);
    expect([...read].filter((key) => !knownContextKeys.includes(key))).toEqual([]);
  });

  it('warns, on every stack, of settings given with -c alone: the next deploy without them drops them', () => {
    const app = appWith({
      alarmEmail: 'ops@shop.example',
      publicBaseUrl: 'https://help.shop.example',
      nag: 'true',
      keepGsi1: 'true',
    });
    const stacks = [stackIn(app, 'One'), stackIn(app, 'Two')];
    warnUnsavedContext(app, new Set(['publicBaseUrl']));
    for (const stack of stacks) {
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
      expect(warnings.map((warning) => warning.entry.data)).toEqual([
        expect.stringMatching(
          /^alarmEmail given on the command line \(-c\) only.*cdk\.json's "context" \(README, Deploy to AWS\) \[ack: threadline:context-not-saved\]$/,
        ),
      ]);
    }
    // Saved, or one deploy's keys only (a check, a step of an upgrade): nothing to say.
    const saved = appWith({ alarmEmail: 'ops@shop.example', nag: 'true', keepGsi1: 'true' });
    const quiet = stackIn(saved, 'One');
    warnUnsavedContext(saved, new Set(['alarmEmail']));
    expect(Annotations.fromStack(quiet).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it("reads the saved keys from cdk.json's context, cdk.context.json and ~/.cdk.json's context", () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-saved-'));
    const home = mkdtempSync(join(tmpdir(), 'threadline-home-'));
    try {
      writeFileSync(
        join(dir, 'cdk.json'),
        JSON.stringify({ app: 'x', context: { alarmEmail: 'a@b.example' } }),
      );
      writeFileSync(join(dir, 'cdk.context.json'), JSON.stringify({ emailDomain: 'support.shop.example' }));
      writeFileSync(
        join(home, '.cdk.json'),
        JSON.stringify({ context: { publicBaseUrl: 'https://x.example' } }),
      );
      expect([...savedContextKeys(dir, home)].sort()).toEqual(['alarmEmail', 'emailDomain', 'publicBaseUrl']);
      expect([...savedContextKeys(join(dir, 'none'), join(home, 'none'))]).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("the README's settings table (Deploy to AWS)", () => {
  it('lists every context key the stacks read, and no other', () => {
    // Before, voiceClosedGreeting and bedrockTimeoutMs were taken and wired but not in the table.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('Settings (`context` in `cdk.json`');
    expect(start).toBeGreaterThan(0);
    const rows = (readme.slice(start).split('\n\n')[1] ?? '').split('\n').slice(2);
    const listed = rows.flatMap((row) =>
      [...(row.split('|')[1] ?? '').matchAll(/`([A-Za-z0-9]+)`/g)].map((match) => match[1]),
    );
    expect([...listed].sort()).toEqual([...knownContextKeys].sort());
  });
});
