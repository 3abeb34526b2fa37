import * as z from 'zod/mini';
import { type Config, ConfigError, loadConfig } from './config.js';

const SecretPayloadSchema = z.record(z.string(), z.string());

/** Reads a Secrets Manager secret's SecretString (undefined when it has none). */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

/**
 * Loads the configuration on AWS: the environment, plus the provider secrets from the Secrets Manager
 * secret named by PROVIDER_SECRET_ARN (read once per cold start). A variable set in the environment
 * wins over the secret, so an operator can override one value without editing the secret.
 */
export async function loadConfigWithSecrets(
  readSecret: SecretReader,
  env: Record<string, string | undefined> = process.env,
): Promise<Config> {
  const base = loadConfig(env);
  if (!base.PROVIDER_SECRET_ARN) return base;
  const secretString = await readSecret(base.PROVIDER_SECRET_ARN);
  let secret: Record<string, string>;
  try {
    secret = SecretPayloadSchema.parse(JSON.parse(secretString ?? '{}'));
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: PROVIDER_SECRET_ARN: the secret is not a JSON object of strings (${
        error instanceof Error ? error.name : 'error'
      })`,
    );
  }
  return loadConfig({ ...secret, ...env });
}
