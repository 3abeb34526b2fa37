import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';

/**
 * Kept when the stack is updated or deleted, deleted when the create that made it rolls back
 * (CloudFormation's `RetainExceptOnCreate`): a failed first deploy kept the secrets, whose fixed names
 * (`threadline/providers`, `threadline/signing`) then stopped every retry. A new secret holds nothing yet.
 */
const keptButOnAFailedCreate = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

// The two Secrets Manager secrets of the stateful stack: the provider credentials, read by the signed
// webhooks and the functions that send replies; and the signing keys, read by the public web chat and
// the survey links, so that no public function can read a provider's credentials.

/** The keys every shape of the provider secret's template starts with, in their order. */
const firstKeys = [
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_ACCOUNT_SID',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'META_PAGE_ACCESS_TOKEN',
  'SES_FROM_ADDRESS',
] as const satisfies readonly (keyof Config)[];

/**
 * Every list of keys the provider secret's template was deployed with, by the first day it shipped
 * (context `providerSecretTemplate`). Frozen, every one: CloudFormation generates a new value, wiping
 * the operator's credentials, when a secret's GenerateSecretString changes, so a stack keeps the shape
 * it was first deployed with whatever the functions read. Keys the functions no longer read
 * (AGENT_TOKENS, CSAT_SIGNING_SECRET) stay empty placeholders and are ignored.
 */
export const providerSecretTemplates = {
  '2026-11-21-first': [...firstKeys, 'AGENT_TOKENS'],
  '2026-11-21': [...firstKeys, 'TWILIO_FROM_NUMBER', 'TWILIO_WHATSAPP_FROM', 'AGENT_TOKENS'],
  '2026-12-03': [
    ...firstKeys,
    'TWILIO_FROM_NUMBER',
    'TWILIO_WHATSAPP_FROM',
    'AGENT_TOKENS',
    'CSAT_SIGNING_SECRET',
  ],
  '2026-12-04': [...firstKeys, 'TWILIO_FROM_NUMBER', 'TWILIO_WHATSAPP_FROM', 'CSAT_SIGNING_SECRET'],
} as const satisfies Record<string, readonly (keyof Config)[]>;

export type ProviderSecretTemplate = keyof typeof providerSecretTemplates;

/**
 * The shape a stack gets without `providerSecretTemplate`: the one stacks deployed from 2026-11-21
 * to 2026-12-03 have, the longest-lived (README, Deploy, says why it is the default).
 */
export const defaultProviderSecretTemplate: ProviderSecretTemplate = '2026-11-21';

/** The keys of the default shape's template. */
export const providerSecretTemplateKeys = providerSecretTemplates[defaultProviderSecretTemplate];

/**
 * The provider credentials: the keys the functions read from the provider secret (AGENT_TOKENS: Cognito
 * instead). TWILIO_PREVIOUS_AUTH_TOKEN is in no template: the operator adds it during a rotation only.
 */
export const providerSecretKeys = [
  ...firstKeys,
  'TWILIO_FROM_NUMBER',
  'TWILIO_WHATSAPP_FROM',
  'TWILIO_PREVIOUS_AUTH_TOKEN',
] as const satisfies readonly (keyof Config)[];

/**
 * The shape named by context `providerSecretTemplate`, or the default; a name no version deployed
 * fails synth naming the shapes, as a typo would otherwise wipe the secret on deploy.
 */
export function providerSecretTemplateOf(scope: Construct): ProviderSecretTemplate {
  const raw: unknown = scope.node.tryGetContext('providerSecretTemplate');
  if (raw === undefined || raw === null || raw === '') return defaultProviderSecretTemplate;
  const name = String(raw);
  if (Object.hasOwn(providerSecretTemplates, name)) return name as ProviderSecretTemplate;
  throw new Error(
    `providerSecretTemplate: ${JSON.stringify(name)} is not a shape the provider secret was deployed with: ` +
      `${Object.keys(providerSecretTemplates).join(', ')} (README, Deploy: "Upgrading: the provider secret")`,
  );
}

/** The one generated value: a verify token is ours to choose, and the operator pastes it into Meta. */
const generatedKey = 'META_VERIFY_TOKEN';

/**
 * The keys of the signing secret, which the public functions (web chat, the survey page) read instead
 * of the provider secret: what survey links and sites' identity tokens are signed with
 * (SIGNING_SECRET_KEYS in shared/config/secrets.ts).
 */
export const signingSecretKeys = [
  'CSAT_SIGNING_SECRET',
  'WEBCHAT_IDENTITY_SECRET',
] as const satisfies readonly (keyof Config)[];

/** The signing secret's generated value: the survey links' key is ours to choose, so new stacks send links at once. */
const generatedSigningKey = 'CSAT_SIGNING_SECRET';

/**
 * The template is the stack's shape (providerSecretTemplateOf). Empty values read as unset, so a function whose credentials are not filled in yet fails at cold
 * start naming them. The values never enter the template: CloudFormation has Secrets Manager generate
 * the secret from this template of keys.
 */
export function createProviderSecret(scope: Construct): Secret {
  const shape = providerSecretTemplateOf(scope);
  const keys: readonly string[] = providerSecretTemplates[shape];
  const placeholders = Object.fromEntries(keys.filter((key) => key !== generatedKey).map((key) => [key, '']));
  // The description may change (CloudFormation regenerates the value only when GenerateSecretString
  // does): it names the shape and asks only for what the functions read, as the README does.
  const read = keys.filter((key) => (providerSecretKeys as readonly string[]).includes(key));
  const unread = keys.filter((key) => !read.includes(key));
  const leave = unread.length > 0 ? `; leave ${unread.join(' and ')} empty: no function reads them` : '';
  return new Secret(scope, 'ProviderSecret', {
    secretName: 'threadline/providers',
    description: `Threadline provider credentials, shape ${shape} (JSON: ${read.join(', ')}); fill in after deploy${leave}`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(placeholders),
      generateStringKey: generatedKey,
      passwordLength: 32,
      excludePunctuation: true,
    },
    removalPolicy: keptButOnAFailedCreate,
  });
}

/**
 * The signing secret: CloudFormation generates the survey links' key; the identity-token key is
 * empty (web chat takes no identity tokens) until the operator fills it in. A stack deployed before
 * it had both in the provider secret: README, Deploy, says how to move them.
 */
export function createSigningSecret(scope: Construct): Secret {
  const placeholders = Object.fromEntries(
    signingSecretKeys.filter((key) => key !== generatedSigningKey).map((key) => [key, '']),
  );
  return new Secret(scope, 'SigningSecret', {
    secretName: 'threadline/signing',
    description: `Threadline signing keys (JSON: ${signingSecretKeys.join(', ')}), read by web chat and the survey links`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(placeholders),
      generateStringKey: generatedSigningKey,
      passwordLength: 64,
      excludePunctuation: true,
    },
    removalPolicy: keptButOnAFailedCreate,
  });
}
