import { describe, expect, it } from 'vitest';
import { checkSecretFile, loadConfigWithSecrets } from '#shared/config/secrets.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:threadline/providers-AbCdEf';
const env = { PROVIDER_SECRET_ARN: ARN, INBOUND_QUEUE_URL: 'https://sqs.example/q' };
const good = { META_APP_SECRET: 'a'.repeat(32), META_VERIFY_TOKEN: 'verify-me' };
const meta = ['META_APP_SECRET', 'META_VERIFY_TOKEN'] as const;

/** Loads `secret` as the Meta webhook does, collecting the warnings. */
async function load(secret: unknown, uses: readonly string[] = meta) {
  const warnings: string[] = [];
  const config = await loadConfigWithSecrets(async () => JSON.stringify(secret), env, {
    uses: uses as never,
    warn: (m) => warnings.push(m),
  });
  return { config, warnings };
}

describe('loadConfigWithSecrets: each function validates only the keys it uses', () => {
  it.each([
    ['CSAT_SIGNING_SECRET', 'abcdefabcdefabcd'],
    ['WEBCHAT_IDENTITY_SECRET', 'x'.repeat(20)],
    ['AGENT_TOKENS', 'ana:tok:'],
    ['DEFAULT_REGION', 'gb'],
  ])('a bad %s (unused here) is dropped with a warning naming it', async (key, value) => {
    const { config, warnings } = await load({ ...good, [key]: value });
    expect(config.META_APP_SECRET).toBe(good.META_APP_SECRET);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(key);
    expect(warnings[0]).not.toContain(value);
  });

  it('a bad key the function uses fails its start, naming the key', async () => {
    await expect(
      load({ ...good, CSAT_SIGNING_SECRET: 'short' }, [...meta, 'CSAT_SIGNING_SECRET']),
    ).rejects.toThrow(/CSAT_SIGNING_SECRET: at least 32 characters/);
  });

  it('takes a JSON number where digits are expected', async () => {
    const { config, warnings } = await load({ ...good, WHATSAPP_PHONE_NUMBER_ID: 106540352242922 }, [
      'WHATSAPP_PHONE_NUMBER_ID',
    ]);
    expect(config.WHATSAPP_PHONE_NUMBER_ID).toBe('106540352242922');
    expect(warnings).toEqual([]);
  });

  it('names the key of a value that is neither text nor an exact number', async () => {
    await expect(
      load({ ...good, WHATSAPP_PHONE_NUMBER_ID: 2 ** 60 }, ['WHATSAPP_PHONE_NUMBER_ID']),
    ).rejects.toThrow(/WHATSAPP_PHONE_NUMBER_ID: .*quotes/);
    await expect(load({ ...good, META_APP_SECRET: { nested: true } })).rejects.toThrow(/META_APP_SECRET/);
  });

  it('keeps the environment winning over a bad value in the secret', async () => {
    const config = await loadConfigWithSecrets(
      async () => JSON.stringify({ ...good, CSAT_SIGNING_SECRET: 'short' }),
      { ...env, CSAT_SIGNING_SECRET: 'c'.repeat(32) },
      { uses: ['CSAT_SIGNING_SECRET'], warn: () => {} },
    );
    expect(config.CSAT_SIGNING_SECRET).toBe('c'.repeat(32));
  });
});

describe('checkSecretFile', () => {
  it('lists every problem by key, and what is not read on AWS', () => {
    const problems = checkSecretFile(
      JSON.stringify({
        ...good,
        CSAT_SIGNING_SECRET: 'short',
        WHATSAPP_PHONE_NUMBER_ID: 106540352242922,
        AGENT_TOKENS: 'ana:tok',
        META_APP_SECRT: 'typo',
      }),
    );
    expect(problems.errors).toEqual([expect.stringMatching(/^CSAT_SIGNING_SECRET: at least 32/)]);
    expect(problems.warnings).toEqual([
      expect.stringMatching(/^AGENT_TOKENS: .*Cognito/),
      expect.stringMatching(/^META_APP_SECRT: not a setting/),
    ]);
  });

  it('says when the file is not a JSON object', () => {
    expect(checkSecretFile('not json').errors).toEqual([expect.stringMatching(/not a JSON object/)]);
    expect(checkSecretFile('[1]').errors).toEqual([expect.stringMatching(/not a JSON object/)]);
  });
});
