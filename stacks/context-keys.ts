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
