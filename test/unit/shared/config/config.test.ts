import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseAgentTokens, requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';

describe('loadConfig', () => {
  it('applies development defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      TABLE_NAME: 'threadline',
      PORT: 3000,
      DATA_DIR: '.data',
      DEFAULT_REGION: 'US',
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => loadConfig({ DEFAULT_REGION: 'usa' })).toThrow(ConfigError);
  });

  it('names every missing required setting', () => {
    expect(() => requireSettings(loadConfig({}), ['META_APP_SECRET', 'INBOUND_QUEUE_URL'])).toThrow(
      'missing configuration: META_APP_SECRET, INBOUND_QUEUE_URL',
    );
  });
});

describe('parseAgentTokens', () => {
  it('maps tokens to agent ids', () => {
    expect(parseAgentTokens('ana:t1, ben:t2')).toEqual(
      new Map([
        ['t1', 'ana'],
        ['t2', 'ben'],
      ]),
    );
  });

  it('refuses a pair without a token', () => {
    expect(() => parseAgentTokens('ana')).toThrow(/AGENT_TOKENS/);
  });
});

describe('loadConfigWithSecrets', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('fills provider secrets from the secret, the environment winning', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'arn:secret' }).resolves({
      SecretString: JSON.stringify({ META_APP_SECRET: 'from-secret', META_VERIFY_TOKEN: 'verify' }),
    });
    const config = await loadConfigWithSecrets(
      { PROVIDER_SECRET_ARN: 'arn:secret', META_VERIFY_TOKEN: 'from-env' },
      new SecretsManagerClient({ region: 'us-east-1' }),
    );
    expect(config.META_APP_SECRET).toBe('from-secret');
    expect(config.META_VERIFY_TOKEN).toBe('from-env');
  });

  it('fails with the variable name when the secret is not a JSON object of strings', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '[1,2]' });
    await expect(
      loadConfigWithSecrets(
        { PROVIDER_SECRET_ARN: 'arn:secret' },
        new SecretsManagerClient({ region: 'us-east-1' }),
      ),
    ).rejects.toThrow(/PROVIDER_SECRET_ARN/);
  });
});
