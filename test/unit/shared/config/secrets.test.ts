import { describe, expect, it } from 'vitest';
import { checkSecretFile, loadConfigWithSecrets } from '#shared/config/secrets.js';
import { agentToken } from '../../../support/agent-token.js';

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
    ['AGENT_TOKENS', 'ana:tok:'],
    ['DEFAULT_REGION', 'gb'],
  ])('a bad %s (unused here) is dropped with a warning naming it', async (key, value) => {
    const { config, warnings } = await load({ ...good, [key]: value });
    expect(config.META_APP_SECRET).toBe(good.META_APP_SECRET);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(key);
    expect(warnings[0]).not.toContain(value);
  });

  it('a bad key the function uses fails its start, naming the secret and the key', async () => {
    await expect(load({ ...good, META_APP_SECRET: 3.5 })).rejects.toThrow(
      /provider secret: META_APP_SECRET: .*quotes/,
    );
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
      async () => JSON.stringify({ ...good, META_APP_SECRET: 'short', META_VERIFY_TOKEN: 7.5 }),
      { ...env, META_VERIFY_TOKEN: 'from-env' },
      { uses: ['META_VERIFY_TOKEN'], warn: () => {} },
    );
    expect(config.META_VERIFY_TOKEN).toBe('from-env');
  });
});

const SIGNING_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:threadline/signing-GhIjKl';
const csat = 'c'.repeat(64);
const identity = 'i'.repeat(32);

/**
 * Loads the configuration from both secrets as a function with `env` would, recording which secrets it
 * asked for and what it said.
 */
async function loadBoth(
  secrets: { provider?: unknown; signing?: unknown },
  uses: readonly string[],
  settings: Record<string, string> = { PROVIDER_SECRET_ARN: ARN, SIGNING_SECRET_ARN: SIGNING_ARN },
) {
  const asked: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const values: Record<string, unknown> = { [ARN]: secrets.provider, [SIGNING_ARN]: secrets.signing };
  const config = await loadConfigWithSecrets(
    async (id) => {
      asked.push(id);
      return JSON.stringify(values[id] ?? {});
    },
    settings,
    { uses: uses as never, warn: (m) => warnings.push(m), note: (m) => notes.push(m) },
  );
  return { config, asked, warnings, notes };
}

describe('loadConfigWithSecrets: the signing keys come from the signing secret only', () => {
  it('takes the provider credentials from the provider secret and the signing keys from the signing secret', async () => {
    const { config, asked, warnings, notes } = await loadBoth(
      {
        provider: good,
        signing: { CSAT_SIGNING_SECRET: csat, WEBCHAT_IDENTITY_SECRET: identity },
      },
      [...meta, 'CSAT_SIGNING_SECRET', 'WEBCHAT_IDENTITY_SECRET'],
    );
    expect(asked).toEqual([ARN, SIGNING_ARN]);
    expect(config.META_APP_SECRET).toBe(good.META_APP_SECRET);
    expect(config.CSAT_SIGNING_SECRET).toEqual([csat]);
    expect(config.WEBCHAT_IDENTITY_SECRET).toBe(identity);
    expect([...warnings, ...notes]).toEqual([]);
  });

  it('reads only the signing secret for a function given only it (web chat, the survey page)', async () => {
    const { config, asked } = await loadBoth(
      { signing: { WEBCHAT_IDENTITY_SECRET: identity } },
      ['WEBCHAT_IDENTITY_SECRET'],
      { SIGNING_SECRET_ARN: SIGNING_ARN },
    );
    expect(asked).toEqual([SIGNING_ARN]);
    expect(config.WEBCHAT_IDENTITY_SECRET).toBe(identity);
  });

  it.each([
    ['CSAT_SIGNING_SECRET', csat],
    ['WEBCHAT_IDENTITY_SECRET', identity],
  ])('ignores %s left in the provider secret, with one warning saying where it goes', async (key, value) => {
    const { config, warnings } = await loadBoth(
      { provider: { ...good, [key]: value }, signing: { [key]: 'n'.repeat(40) } },
      [...meta, key],
    );
    expect([config[key as 'CSAT_SIGNING_SECRET']].flat()).toEqual(['n'.repeat(40)]);
    expect(warnings).toEqual([
      `provider secret: ${key} ignored: read from the signing secret (SIGNING_SECRET_ARN) now; move it there (README, Deploy)`,
    ]);
  });

  it('warns of a bad signing key left in the provider secret without failing or showing it', async () => {
    const { warnings } = await loadBoth({ provider: { ...good, CSAT_SIGNING_SECRET: 'short' } }, meta);
    expect(warnings).toEqual([expect.stringMatching(/^provider secret: CSAT_SIGNING_SECRET ignored: /)]);
    expect(warnings.join()).not.toContain('short');
  });

  it("says nothing of the provider secret's empty template value of a signing key", async () => {
    const { warnings, notes } = await loadBoth({ provider: { ...good, CSAT_SIGNING_SECRET: '' } }, meta);
    expect([...warnings, ...notes]).toEqual([]);
  });

  it('ignores a provider credential put in the signing secret, with a warning', async () => {
    const { config, warnings } = await loadBoth(
      { signing: { CSAT_SIGNING_SECRET: csat, TWILIO_AUTH_TOKEN: 'tok' } },
      ['CSAT_SIGNING_SECRET', 'TWILIO_AUTH_TOKEN'],
      { SIGNING_SECRET_ARN: SIGNING_ARN },
    );
    expect(config.TWILIO_AUTH_TOKEN).toBeUndefined();
    expect(warnings).toEqual([
      'signing secret: TWILIO_AUTH_TOKEN ignored: not read from the signing secret; it belongs in the provider secret',
    ]);
  });

  it('fails the start of a function that uses a bad signing key, naming the secret and the key', async () => {
    await expect(
      loadBoth({ signing: { CSAT_SIGNING_SECRET: 'short' } }, ['CSAT_SIGNING_SECRET']),
    ).rejects.toThrow(/signing secret: CSAT_SIGNING_SECRET: at least 32 characters/);
  });

  it('warns once when the survey key a function uses is missing, saying what it does without', async () => {
    const { config, warnings, notes } = await loadBoth(
      { provider: { ...good, CSAT_SIGNING_SECRET: csat }, signing: { WEBCHAT_IDENTITY_SECRET: '' } },
      ['CSAT_SIGNING_SECRET'],
    );
    expect(config.CSAT_SIGNING_SECRET).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/^provider secret: CSAT_SIGNING_SECRET ignored: /),
      'signing secret: CSAT_SIGNING_SECRET not in the signing secret: email surveys go out without answer links, the links already sent are refused, and page cursors hold only within one running instance',
    ]);
    expect(notes).toEqual([]);
  });

  it('notes, without a warning, that web chat takes no identity tokens when its key is unset', async () => {
    const { warnings, notes } = await loadBoth({ signing: { WEBCHAT_IDENTITY_SECRET: '' } }, [
      'WEBCHAT_IDENTITY_SECRET',
    ]);
    expect(warnings).toEqual([]);
    expect(notes).toEqual([
      'signing secret: WEBCHAT_IDENTITY_SECRET not in the signing secret: identity tokens are refused, every web-chat visitor is anonymous',
    ]);
  });

  it('says nothing of a missing signing key the function does not use, nor locally (no secret)', async () => {
    expect((await loadBoth({ signing: {} }, meta)).warnings).toEqual([]);
    const warnings: string[] = [];
    await loadConfigWithSecrets(
      async () => '{}',
      {},
      {
        uses: ['CSAT_SIGNING_SECRET'],
        warn: (m) => warnings.push(m),
        note: (m) => warnings.push(m),
      },
    );
    expect(warnings).toEqual([]);
  });
});

describe('checkSecretFile', () => {
  it('lists every problem by key, and what is not read on AWS', () => {
    const problems = checkSecretFile(
      JSON.stringify({
        ...good,
        META_VERIFY_TOKEN: 12.5,
        WHATSAPP_PHONE_NUMBER_ID: 106540352242922,
        AGENT_TOKENS: `ana:${agentToken('tok')}`,
        META_APP_SECRT: 'typo',
      }),
    );
    expect(problems.errors).toEqual([expect.stringMatching(/^META_VERIFY_TOKEN: .*quotes/)]);
    expect(problems.warnings).toEqual([
      expect.stringMatching(/^AGENT_TOKENS: .*Cognito/),
      expect.stringMatching(/^META_APP_SECRT: not a setting/),
    ]);
  });

  it('says which keys of a provider secret file moved to the signing secret, checking them there', () => {
    const problems = checkSecretFile(
      JSON.stringify({ ...good, CSAT_SIGNING_SECRET: 'short', WEBCHAT_IDENTITY_SECRET: '' }),
    );
    expect(problems.errors).toEqual([]);
    expect(problems.warnings).toEqual([
      'CSAT_SIGNING_SECRET: read from the signing secret (SIGNING_SECRET_ARN) now; move it there (README, Deploy)',
    ]);
    const signing = checkSecretFile(
      JSON.stringify({ CSAT_SIGNING_SECRET: 'short', WEBCHAT_IDENTITY_SECRET: identity, ...good }),
      'signing',
    );
    expect(signing.errors).toEqual([expect.stringMatching(/^CSAT_SIGNING_SECRET: at least 32/)]);
    expect(signing.warnings).toEqual([
      'META_APP_SECRET: not read from the signing secret; it belongs in the provider secret',
      'META_VERIFY_TOKEN: not read from the signing secret; it belongs in the provider secret',
    ]);
  });

  it('warns when Meta or WhatsApp keys come without META_VERIFY_TOKEN: the put would wipe the generated one', () => {
    for (const key of [
      'META_APP_SECRET',
      'WHATSAPP_ACCESS_TOKEN',
      'WHATSAPP_PHONE_NUMBER_ID',
      'META_PAGE_ACCESS_TOKEN',
    ]) {
      // A value each key takes (a phone number id is digits).
      const value = key === 'WHATSAPP_PHONE_NUMBER_ID' ? '1'.repeat(15) : 'a'.repeat(32);
      const problems = checkSecretFile(JSON.stringify({ [key]: value, META_VERIFY_TOKEN: '' }));
      expect(problems.errors).toEqual([]);
      expect(problems.warnings).toEqual([
        expect.stringMatching(
          /^META_VERIFY_TOKEN: missing.*replaces the whole secret.*get-secret-value --secret-id threadline\/providers/,
        ),
      ]);
    }
    expect(checkSecretFile(JSON.stringify(good)).warnings).toEqual([]);
    // No Meta channel, no verify token needed.
    expect(checkSecretFile(JSON.stringify({ TWILIO_AUTH_TOKEN: 'x'.repeat(32) })).warnings).toEqual([]);
  });

  it('warns when a signing file has no CSAT_SIGNING_SECRET: the put would wipe the generated key', () => {
    const problems = checkSecretFile(JSON.stringify({ WEBCHAT_IDENTITY_SECRET: identity }), 'signing');
    expect(problems.errors).toEqual([]);
    expect(problems.warnings).toEqual([
      expect.stringMatching(
        /^CSAT_SIGNING_SECRET: missing.*replaces the whole secret.*get-secret-value --secret-id threadline\/signing/,
      ),
    ]);
    const kept = checkSecretFile(
      JSON.stringify({ CSAT_SIGNING_SECRET: 'c'.repeat(32), WEBCHAT_IDENTITY_SECRET: identity }),
      'signing',
    );
    expect(kept).toEqual({ errors: [], warnings: [] });
  });

  it('says when the file is not a JSON object', () => {
    expect(checkSecretFile('not json').errors).toEqual([expect.stringMatching(/not a JSON object/)]);
    expect(checkSecretFile('[1]').errors).toEqual([expect.stringMatching(/not a JSON object/)]);
  });
});
