import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { editDistance } from '#shared/responder/knowledge-base-typos.js';
import { operatorFiles } from './operator-files.js';
import { operatorSettings } from './settings.js';

/** The context keys the stacks read beside the operator settings and files; test/stacks/context-keys.test.ts holds it to the code. */
const stackKeys = [
  'nag',
  'emailDomain',
  'emailRecipients',
  'inboundMailRetentionDays',
  'alarmEmail',
  'publicBaseUrl',
  'reserveConcurrency',
  'keepGsi1',
  'providerSecretTemplate',
] as const;

/** Every context key of ours: the stacks read nothing else. */
export const knownContextKeys: readonly string[] = [
  ...stackKeys,
  ...Object.values(operatorSettings).map((setting) => setting.context),
  ...Object.values(operatorFiles).map((setting) => setting.context),
];

/**
 * Whether a key looks like one of ours: a plain camelCase word. CDK's own keys all carry a `@`, a `:`
 * or a `-` (feature flags `@aws-cdk/...:...`, `aws:cdk:...`, lookups `availability-zones:...`,
 * `acknowledged-issue-numbers`), so they are never refused.
 */
const looksOurs = (key: string) => /^[A-Za-z][A-Za-z0-9]*$/.test(key);

/** The known key nearest to `key` (case aside), by edit distance. */
function nearestKnownKey(key: string): string {
  const lower = key.toLowerCase();
  let best = knownContextKeys[0] ?? '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of knownContextKeys) {
    const distance = editDistance(lower, known.toLowerCase(), Math.max(lower.length, known.length));
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best;
}

/**
 * Refuses context keys of ours the stacks do not read, naming each and the nearest known key: a typo
 * (`-c reopenWindowHour=1`, `routingPolicyfile` in cdk.json) otherwise synthesized the default silently.
 */
export function refuseUnknownContext(scope: Construct): void {
  const unknown = Object.keys(scope.node.getAllContext() as Record<string, unknown>).filter(
    (key) => looksOurs(key) && !knownContextKeys.includes(key),
  );
  if (unknown.length === 0) return;
  const problems = unknown.map((key) => `${key} is not a setting (did you mean ${nearestKnownKey(key)}?)`);
  throw new Error(`unknown context: ${problems.join('; ')}. The settings are in the README, Deploy to AWS`);
}

/** Keys meant for one deploy, never saved: `nag` (a check), `keepGsi1` (one step of the gsi1k upgrade). */
const oneDeployKeys: readonly string[] = ['nag', 'keepGsi1'];

/**
 * The context keys saved where every deploy reads them: `context` in `dir`'s cdk.json, `dir`'s
 * cdk.context.json (the context itself) and `context` in `home`'s .cdk.json. A file missing or not
 * JSON gives none (the CLI itself says what is wrong with it).
 */
export function savedContextKeys(dir = process.cwd(), home = homedir()): Set<string> {
  const keys = new Set<string>();
  const files: [string, boolean][] = [
    [join(dir, 'cdk.json'), true],
    [join(dir, 'cdk.context.json'), false],
    [join(home, '.cdk.json'), true],
  ];
  for (const [file, underContext] of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const context = underContext ? (parsed as { context?: unknown } | null)?.context : parsed;
    if (typeof context === 'object' && context !== null)
      for (const key of Object.keys(context)) keys.add(key);
  }
  return keys;
}

/**
 * Warns on every stack of settings of ours given with `-c` alone, saved in none of the files every deploy
 * reads: the next `cdk deploy` without them takes them away (the SES receipt rules, the alarm
 * subscription, PUBLIC_BASE_URL, the operator's policy), and nothing else would say so.
 */
export function warnUnsavedContext(app: Construct, saved: ReadonlySet<string> = savedContextKeys()): void {
  const unsaved = Object.keys(app.node.getAllContext() as Record<string, unknown>).filter(
    (key) => knownContextKeys.includes(key) && !oneDeployKeys.includes(key) && !saved.has(key),
  );
  if (unsaved.length === 0) return;
  const message =
    `${unsaved.join(', ')} given on the command line (-c) only: a later deploy without ` +
    `${unsaved.length === 1 ? 'it takes it' : 'them takes them'} away (the SES receipt rules, the alarm ` +
    `subscription, PUBLIC_BASE_URL, your policy...). Save every setting in cdk.json's "context" ` +
    '(README, Deploy to AWS)';
  for (const stack of app.node.children.filter(Stack.isStack)) {
    Annotations.of(stack).addWarningV2('threadline:context-not-saved', message);
  }
}
