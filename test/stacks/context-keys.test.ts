import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { knownContextKeys, refuseUnknownContext } from '../../stacks/context-keys.js';
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
});
