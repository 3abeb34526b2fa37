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
 * What a function reads from the secret: `uses`, the keys it reads (a bad one stops its start, naming
 * the key; a bad other key is dropped with a warning, so one channel's typo never stops another);
 * `warn`, where those warnings go.
 */
export interface SecretUse {
  readonly uses: readonly SecretKey[] | ((base: Config) => readonly SecretKey[]);
  readonly warn?: (message: string) => void;
}

/**
 * Loads the configuration on AWS: the environment, plus the provider secrets from the Secrets Manager
 * secret named by PROVIDER_SECRET_ARN (read once per cold start). A variable set in the environment
 * wins over the secret, so an operator can override one value without editing the secret. Each key of
 * the secret is checked on its own (see SecretUse): the secret is shared by every function.
 */
export async function loadConfigWithSecrets(
  readSecret: SecretReader,
  env: Record<string, string | undefined> = process.env,
  use: SecretUse = { uses: [] },
): Promise<Config> {
  const base = loadConfig(env);
  if (!base.PROVIDER_SECRET_ARN) return base;
  const entries = secretEntries(await readSecret(base.PROVIDER_SECRET_ARN), 'PROVIDER_SECRET_ARN');
  const uses = new Set<string>(typeof use.uses === 'function' ? use.uses(base) : use.uses);
  const warn = use.warn ?? ((message: string) => log('warn', message, {}));
  const kept: Record<string, string> = {};
  const errors: string[] = [];
  for (const [key, raw] of entries) {
    if (env[key] !== undefined && env[key] !== '') continue;
    const checked = checkSecretValue(key, raw);
    if (checked.problem === undefined) {
      if (checked.value !== undefined) kept[key] = checked.value;
    } else if (uses.has(key)) errors.push(`${key}: ${checked.problem}`);
    else if (checked.known)
      warn(`provider secret: ${key} ignored, not used by this function: ${checked.problem}`);
  }
  if (errors.length > 0)
    throw new ConfigError(`invalid configuration (provider secret): ${errors.join('; ')}`);
  return loadConfig({ ...kept, ...env });
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

/**
 * Checks a provider secret file before `put-secret-value` (`npm run check-secret -- <file>`): every
 * key's value as the functions that read it would, so an error here would stop those functions'
 * start. Warnings name keys no function reads from it (a typo, or AGENT_TOKENS).
 */
export function checkSecretFile(text: string): { errors: string[]; warnings: string[] } {
  let entries: [string, unknown][];
  try {
    entries = secretEntries(text, 'the file');
  } catch (error) {
    return { errors: [(error as Error).message], warnings: [] };
  }
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const [key, raw] of entries) {
    const checked = checkSecretValue(key, raw);
    if (!checked.known) warnings.push(`${key}: not a setting Threadline reads (a typo?)`);
    else if (checked.problem !== undefined) errors.push(`${key}: ${checked.problem}`);
    const why = NOT_READ_ON_AWS[key as SecretKey];
    if (why && checked.value !== undefined) warnings.push(`${key}: ${why}`);
  }
  warnings.sort();
  return { errors, warnings };
}
