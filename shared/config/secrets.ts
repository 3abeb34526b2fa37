import { log } from '../log.js';
import { type Config, ConfigError, ConfigSchema, loadConfig, parseAgentTokens } from './config.js';

/** Reads a Secrets Manager secret's SecretString (undefined when it has none). */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

/** A setting the provider secret may hold. */
export type SecretKey = keyof Config;

/** The settings the senders (sender function, resolver's inline send) read from the secret. */
export const SENDER_SECRET_KEYS = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_FROM_NUMBER',
  'TWILIO_WHATSAPP_FROM',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'META_PAGE_ACCESS_TOKEN',
  'SES_FROM_ADDRESS',
] as const satisfies readonly SecretKey[];

/**
 * The keys of the signing secret (SIGNING_SECRET_ARN): what Threadline signs visitors' and customers'
 * tokens and links with. They are apart from the provider credentials so the public functions that
 * read them (web chat, the survey page) cannot read Twilio's, Meta's or WhatsApp's.
 */
export const SIGNING_SECRET_KEYS = [
  'CSAT_SIGNING_SECRET',
  'WEBCHAT_IDENTITY_SECRET',
] as const satisfies readonly SecretKey[];

type SigningKey = (typeof SIGNING_SECRET_KEYS)[number];

/** Whether `key` is read from the signing secret rather than the provider secret. */
function isSigningKey(key: string): key is SigningKey {
  return (SIGNING_SECRET_KEYS as readonly string[]).includes(key);
}

/** The two secrets, each by the setting naming it, with the keys it holds and where the others go. */
const SECRETS = [
  {
    setting: 'PROVIDER_SECRET_ARN',
    name: 'provider secret',
    holds: (key: string) => !isSigningKey(key),
    elsewhere: 'read from the signing secret (SIGNING_SECRET_ARN) now; move it there (README, Deploy)',
  },
  {
    setting: 'SIGNING_SECRET_ARN',
    name: 'signing secret',
    holds: isSigningKey,
    elsewhere: 'not read from the signing secret; it belongs in the provider secret',
  },
] as const satisfies readonly {
  setting: keyof Config;
  name: string;
  holds: (key: string) => boolean;
  elsewhere: string;
}[];

/** What a function that uses a signing key does without it: said once at its start. */
const WITHOUT_SIGNING_KEY: Record<SigningKey, { level: 'warn' | 'info'; effect: string }> = {
  // The stack generates it: missing, it was taken out, or an upgrade has not moved it yet.
  CSAT_SIGNING_SECRET: {
    level: 'warn',
    effect:
      'email surveys go out without answer links, the links already sent are refused, and page cursors hold only within one running instance',
  },
  // Unset by choice on a site without sign-in.
  WEBCHAT_IDENTITY_SECRET: {
    level: 'info',
    effect: 'identity tokens are refused, every web-chat visitor is anonymous',
  },
};

/**
 * What a function reads from the secrets: `uses`, the keys it reads (a bad one stops its start, naming
 * the key; a bad other key is dropped with a warning, so one channel's typo never stops another);
 * `warn` and `note`, where warnings and notices go.
 */
export interface SecretUse {
  readonly uses: readonly SecretKey[] | ((base: Config) => readonly SecretKey[]);
  readonly warn?: (message: string) => void;
  readonly note?: (message: string) => void;
}

/**
 * Loads the configuration on AWS: the environment, plus the keys of the Secrets Manager secrets named
 * by PROVIDER_SECRET_ARN (provider credentials) and SIGNING_SECRET_ARN (the signing keys), each read
 * once per cold start when set. Each secret gives only its own keys: one found in the other is
 * ignored with a warning saying where it goes. A variable set in the environment wins over a secret,
 * so an operator can override one value without editing it. Each key is checked on its own (see
 * SecretUse): the provider secret is shared by several functions. A signing key the function uses
 * that neither gives is said once, with what the function does without it.
 */
export async function loadConfigWithSecrets(
  readSecret: SecretReader,
  env: Record<string, string | undefined> = process.env,
  use: SecretUse = { uses: [] },
): Promise<Config> {
  const base = loadConfig(env);
  const secrets = SECRETS.filter((secret) => base[secret.setting] !== undefined);
  if (secrets.length === 0) return base;
  const uses = new Set<string>(typeof use.uses === 'function' ? use.uses(base) : use.uses);
  const warn = use.warn ?? ((message: string) => log('warn', message, {}));
  const kept: Record<string, string> = {};
  const errors: string[] = [];
  for (const secret of secrets) {
    const entries = secretEntries(await readSecret(base[secret.setting] ?? ''), secret.setting);
    for (const [key, raw] of entries) {
      if (env[key] !== undefined && env[key] !== '') continue;
      const checked = checkSecretValue(key, raw);
      const filled = checked.value !== undefined || checked.problem !== undefined;
      if (!secret.holds(key)) {
        if (checked.known && filled) warn(`${secret.name}: ${key} ignored: ${secret.elsewhere}`);
      } else if (checked.problem === undefined) {
        if (checked.value !== undefined) kept[key] = checked.value;
      } else if (uses.has(key)) errors.push(`${secret.name}: ${key}: ${checked.problem}`);
      else if (checked.known)
        warn(`${secret.name}: ${key} ignored, not used by this function: ${checked.problem}`);
    }
  }
  if (errors.length > 0) throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  const config = loadConfig({ ...kept, ...env });
  sayMissingSigningKeys(config, uses, { warn, info: use.note ?? ((m) => log('info', m, {})) });
  return config;
}

/** One line per signing key the function uses that no secret or variable gave, with what it does without. */
function sayMissingSigningKeys(
  config: Config,
  uses: ReadonlySet<string>,
  say: Record<'warn' | 'info', (message: string) => void>,
): void {
  for (const key of SIGNING_SECRET_KEYS) {
    if (!uses.has(key) || config[key] !== undefined) continue;
    const { level, effect } = WITHOUT_SIGNING_KEY[key];
    const where = config.SIGNING_SECRET_ARN ? 'not in the signing secret' : 'not set (no SIGNING_SECRET_ARN)';
    say[level](`signing secret: ${key} ${where}: ${effect}`);
  }
}

/** The secret's keys and values, or a ConfigError naming `setting` when it is not a JSON object. */
function secretEntries(secretString: string | undefined, setting: string): [string, unknown][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '{}');
  } catch (error) {
    parsed = error;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || parsed instanceof Error) {
    throw new ConfigError(`invalid configuration: ${setting}: the secret is not a JSON object`);
  }
  return Object.entries(parsed);
}

/**
 * One value of the secret as the setting `key` takes it: text as is, an integer JSON can carry exactly
 * as its digits (a phone number id pasted unquoted), anything else a problem naming what to write.
 * `known` says whether `key` is a setting at all. Empty text is no value (the stack's template).
 */
function checkSecretValue(key: string, raw: unknown): { known: boolean; value?: string; problem?: string } {
  const schema = (ConfigSchema.shape as Record<string, (typeof ConfigSchema.shape)[keyof Config]>)[key];
  const known = schema !== undefined;
  let value: string;
  if (typeof raw === 'string') value = raw;
  else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) value = String(raw);
  else if (typeof raw === 'number') {
    return { known, problem: 'a number JSON cannot carry exactly: write it in quotes, as text' };
  } else return { known, problem: 'expected text (a JSON string)' };
  if (value === '' || !known) return { known, value: value === '' ? undefined : value };
  const result = schema.safeParse(value);
  if (!result.success) return { known, problem: result.error.issues.map((i) => i.message).join(', ') };
  if (key === 'AGENT_TOKENS') {
    try {
      parseAgentTokens(value);
    } catch (error) {
      return {
        known,
        problem: (error as Error).message.replace(/^invalid configuration: AGENT_TOKENS: /, ''),
      };
    }
  }
  return { known, value };
}

/** Settings that have no place in the provider secret on AWS, and why. */
const NOT_READ_ON_AWS: Partial<Record<SecretKey, string>> = {
  AGENT_TOKENS: 'not read on AWS, where agents sign in with Cognito; leave it out of the secret',
};

/** Which secret a file is for: the provider credentials, or the signing keys (`--signing`). */
export type SecretFileKind = 'provider' | 'signing';

/**
 * Checks a secret file before `put-secret-value` (`npm run check-secret -- [--signing] <file>`):
 * every key's value as the functions that read it would, so an error here would stop those functions'
 * start. Warnings name keys no function reads from this secret: a typo, AGENT_TOKENS, or a key that
 * belongs in the other secret (the signing keys moved out of the provider secret).
 */
export function checkSecretFile(
  text: string,
  kind: SecretFileKind = 'provider',
): { errors: string[]; warnings: string[] } {
  let entries: [string, unknown][];
  try {
    entries = secretEntries(text, 'the file');
  } catch (error) {
    return { errors: [(error as Error).message], warnings: [] };
  }
  const secret = SECRETS[kind === 'provider' ? 0 : 1];
  const errors: string[] = [];
  const warnings: string[] = [];
  const given = new Set<string>();
  for (const [key, raw] of entries) {
    const checked = checkSecretValue(key, raw);
    const filled = checked.value !== undefined || checked.problem !== undefined;
    if (filled) given.add(key);
    if (!checked.known) warnings.push(`${key}: not a setting Threadline reads (a typo?)`);
    else if (!secret.holds(key)) {
      // The functions ignore it here, whatever its value: it is checked in the file it moves to.
      if (filled) warnings.push(`${key}: ${secret.elsewhere}`);
      continue;
    } else if (checked.problem !== undefined) errors.push(`${key}: ${checked.problem}`);
    const why = NOT_READ_ON_AWS[key as SecretKey];
    if (why && checked.value !== undefined) warnings.push(`${key}: ${why}`);
  }
  warnings.push(...generatedKeysLeftOut(kind, given));
  warnings.sort();
  return { errors, warnings };
}

/**
 * The keys the stack generated that a file leaves out while it needs them: `put-secret-value` replaces
 * the whole secret, so the generated value would go. The provider secret's META_VERIFY_TOKEN is
 * needed once a Meta or WhatsApp key is there (Meta's handshake checks it); the signing secret's
 * CSAT_SIGNING_SECRET always (the survey links already sent were signed with it).
 */
function generatedKeysLeftOut(kind: SecretFileKind, given: ReadonlySet<string>): string[] {
  const [key, needed, effect] =
    kind === 'provider'
      ? [
          'META_VERIFY_TOKEN',
          META_KEYS.some((meta) => given.has(meta)),
          "Meta's webhook handshake (WhatsApp, Messenger, Instagram) fails",
        ]
      : ['CSAT_SIGNING_SECRET', true, 'survey links already sent are refused'];
  if (!needed || given.has(key)) return [];
  const secretId = kind === 'provider' ? 'threadline/providers' : 'threadline/signing';
  return [
    `${key}: missing, and put-secret-value replaces the whole secret: the value the stack generated goes, ` +
      `and ${effect}. Copy the current one into the file first: aws secretsmanager get-secret-value ` +
      `--secret-id ${secretId} --query SecretString --output text (README, Deploy to AWS, step 1)`,
  ];
}

/** The provider secret's keys of the Meta channels (WhatsApp Cloud API, Messenger, Instagram). */
const META_KEYS = [
  'META_APP_SECRET',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'META_PAGE_ACCESS_TOKEN',
];
