import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { type Config, ConfigError, loadConfig } from './config.js';

const SecretPayloadSchema = z.record(z.string(), z.string());

/**
 * Loads the configuration on AWS: the environment, plus the provider secrets from the Secrets Manager
 * secret named by PROVIDER_SECRET_ARN (read once per cold start). A variable set in the environment
 * wins over the secret, so an operator can override one value without editing the secret.
 */
export async function loadConfigWithSecrets(
  env: Record<string, string | undefined> = process.env,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<Config> {
  const base = loadConfig(env);
  if (!base.PROVIDER_SECRET_ARN) return base;
  const out = await client.send(new GetSecretValueCommand({ SecretId: base.PROVIDER_SECRET_ARN }));
  let secret: Record<string, string>;
  try {
    secret = SecretPayloadSchema.parse(JSON.parse(out.SecretString ?? '{}'));
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: PROVIDER_SECRET_ARN: the secret is not a JSON object of strings (${
        error instanceof Error ? error.name : 'error'
      })`,
    );
  }
  return loadConfig({ ...secret, ...env });
}
