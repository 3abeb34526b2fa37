import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';

// The two Secrets Manager secrets of the stateful stack: the provider credentials, read by the signed
// webhooks and the functions that send replies; and the signing keys, read by the public web chat and
// the survey links, so that no public function can read a provider's credentials.

/**
 * The keys of the provider secret's template as first deployed. Frozen: CloudFormation generates a new
 * value, wiping the operator's credentials, when a secret's GenerateSecretString changes. The survey
 * key stays an empty placeholder here; the functions read it from the signing secret (signingSecretKeys).
 */
export const providerSecretTemplateKeys = [
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_ACCOUNT_SID',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'META_PAGE_ACCESS_TOKEN',
  'SES_FROM_ADDRESS',
  'TWILIO_FROM_NUMBER',
  'TWILIO_WHATSAPP_FROM',
  'CSAT_SIGNING_SECRET',
] as const satisfies readonly (keyof Config)[];

/** The provider credentials: the keys the functions read from the provider secret (AGENT_TOKENS: Cognito instead). */
export const providerSecretKeys = providerSecretTemplateKeys.filter((key) => key !== 'CSAT_SIGNING_SECRET');

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
 * Empty values read as unset, so a function whose credentials are not filled in yet fails at cold
 * start naming them. The values never enter the template: CloudFormation has Secrets Manager generate
 * the secret from this template of keys.
 */
export function createProviderSecret(scope: Construct): Secret {
  const placeholders = Object.fromEntries(
    providerSecretTemplateKeys.filter((key) => key !== generatedKey).map((key) => [key, '']),
  );
  return new Secret(scope, 'ProviderSecret', {
    secretName: 'threadline/providers',
    description: `Threadline provider credentials (JSON: ${providerSecretTemplateKeys.join(', ')}); fill in after deploy`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(placeholders),
      generateStringKey: generatedKey,
      passwordLength: 32,
      excludePunctuation: true,
    },
    removalPolicy: RemovalPolicy.RETAIN,
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
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
