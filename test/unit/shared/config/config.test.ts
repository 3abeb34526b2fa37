import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIN_AGENT_TOKEN_CHARS } from '#shared/config/agent-tokens.js';
import { ConfigError, loadConfig, parseAgentTokens, requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { agentToken } from '../../../support/agent-token.js';

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

  it.each([
    'https://tunnel.example.com/threadline',
    'https://tunnel.example.com/threadline/',
    'https://t.example?x=1',
  ])('refuses PUBLIC_BASE_URL=%j: an origin, no path (the routes are at its root)', (value) => {
    // Before, a path was taken and only partly applied: Twilio's signature checked with it, the banner's
    // URLs and the status callbacks without it.
    expect(() => loadConfig({ PUBLIC_BASE_URL: value })).toThrow(/PUBLIC_BASE_URL: .*no path/);
  });

  it('takes PUBLIC_BASE_URL as an origin, with or without a trailing slash', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://tunnel.example.com/' }).PUBLIC_BASE_URL).toBe(
      'https://tunnel.example.com/',
    );
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://tunnel.example.com:8443' }).PUBLIC_BASE_URL).toBe(
      'https://tunnel.example.com:8443',
    );
  });

  it('names every missing required setting', () => {
    expect(() => requireSettings(loadConfig({}), ['META_APP_SECRET', 'INBOUND_QUEUE_URL'])).toThrow(
      'missing configuration: META_APP_SECRET, INBOUND_QUEUE_URL',
    );
  });
});

describe('settings an operator can get wrong', () => {
  it('refuses a MAX_BODY_BYTES under the floor, naming it: 4096 refused an ordinary WhatsApp message', () => {
    expect(() => loadConfig({ MAX_BODY_BYTES: '4096' })).toThrow(
      /MAX_BODY_BYTES: 4096 bytes is under the 524288/,
    );
    expect(loadConfig({ MAX_BODY_BYTES: String(512 * 1024) }).MAX_BODY_BYTES).toBe(512 * 1024);
  });

  it('refuses a DEFAULT_REGION libphonenumber-js does not know (UK for GB), naming the variable', () => {
    expect(() => loadConfig({ DEFAULT_REGION: 'UK' })).toThrow(
      /DEFAULT_REGION: UK is not a region libphonenumber-js knows/,
    );
    expect(loadConfig({ DEFAULT_REGION: 'GB' }).DEFAULT_REGION).toBe('GB');
  });

  it.each([
    ['shop.example.com', 'https://shop.example.com'],
    ['https://shop.example.com/support', 'https://shop.example.com'],
    ['https://Shop.Example.com', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
  ])('refuses the WEBCHAT_ALLOWED_ORIGINS entry %s, naming it and the origin it may mean', (entry, meant) => {
    const value = `https://ok.example, ${entry}`;
    expect(() => loadConfig({ WEBCHAT_ALLOWED_ORIGINS: value })).toThrow(
      `WEBCHAT_ALLOWED_ORIGINS: "${entry}" is not an origin`,
    );
    expect(() => loadConfig({ WEBCHAT_ALLOWED_ORIGINS: value })).toThrow(meant);
  });

  it.each(['*', 'https://*.shop.example', 'https://*'])(
    'refuses the WEBCHAT_ALLOWED_ORIGINS wildcard %s, saying to name each origin (never a guess of one)',
    (entry) => {
      // Before, `https://*.shop.example` was taken (it matched no page), and `*` was told "write https://*".
      const load = () => loadConfig({ WEBCHAT_ALLOWED_ORIGINS: `https://ok.example, ${entry}` });
      expect(load).toThrow(
        `WEBCHAT_ALLOWED_ORIGINS: "${entry}" has a wildcard (*): web chat takes no wildcard`,
      );
      expect(load).toThrow("write each site's origin, such as https://shop.example");
      expect(load).not.toThrow('write https://*');
    },
  );

  it.each([
    ['a name over 100 characters', 'A'.repeat(101), '101 characters, over 100'],
    ['a line break', 'Parcel\nShop', 'write it on one line'],
    ['a tab', 'Parcel\tShop', 'control character'],
    ['only spaces', '   ', 'blank'],
  ])('refuses a WEBCHAT_BUSINESS_NAME with %s, naming the setting', (_name, value, why) => {
    expect(() => loadConfig({ WEBCHAT_BUSINESS_NAME: value })).toThrow(`WEBCHAT_BUSINESS_NAME: `);
    expect(() => loadConfig({ WEBCHAT_BUSINESS_NAME: value })).toThrow(why);
  });

  it('takes an EMAIL_FALLBACK_CHARSET a decoder knows; windows-1252 unset', () => {
    expect(loadConfig({}).EMAIL_FALLBACK_CHARSET).toBe('windows-1252');
    for (const label of ['windows-1256', 'cp1256', 'ISO-8859-6', 'koi8-r', 'shift_jis']) {
      expect(loadConfig({ EMAIL_FALLBACK_CHARSET: label }).EMAIL_FALLBACK_CHARSET).toBe(label);
    }
  });

  it.each([
    ['an unknown charset', 'x-klingon', '"x-klingon" is no charset a decoder knows: name the 8-bit charset'],
    ['UTF-8', 'utf8', 'utf-8 cannot be the fallback for 8-bit text: name the 8-bit charset'],
    ['UTF-16', 'utf-16', 'utf-16le cannot be the fallback for 8-bit text'],
    ['a label too long to be one', 'windows-1256'.repeat(5), 'is no charset a decoder knows'],
  ])('refuses an EMAIL_FALLBACK_CHARSET that is %s, naming the setting', (_name, value, why) => {
    expect(() => loadConfig({ EMAIL_FALLBACK_CHARSET: value })).toThrow('EMAIL_FALLBACK_CHARSET: ');
    expect(() => loadConfig({ EMAIL_FALLBACK_CHARSET: value })).toThrow(why);
  });

  it('takes a WEBCHAT_BUSINESS_NAME of up to 100 characters, accents and all', () => {
    const name = `Café ${'é'.repeat(95)}`;
    expect(loadConfig({ WEBCHAT_BUSINESS_NAME: name }).WEBCHAT_BUSINESS_NAME).toBe(name);
  });

  it.each([
    ['PT0S', 'is zero'],
    ['PT', 'an ISO 8601 duration'],
    ['PT99999999999S', 'an ISO 8601 duration'],
    ['PT30S', '"PT30S" is under a minute'],
    ['P8D', '"P8D" is over 7 days'],
    ['P2W', '"P2W" is over 7 days'],
  ])('refuses WEBCHAT_EMAIL_FALLBACK_DELAY=%s, saying what to write', (value, why) => {
    // Before, PT0S, PT and a number too long for the timers were taken, and no fallback was ever set.
    expect(() => loadConfig({ WEBCHAT_EMAIL_FALLBACK_DELAY: value })).toThrow(
      'WEBCHAT_EMAIL_FALLBACK_DELAY: ',
    );
    expect(() => loadConfig({ WEBCHAT_EMAIL_FALLBACK_DELAY: value })).toThrow(why);
  });

  it.each(['PT1M', 'PT15M', 'PT2H', 'P1D', 'P7D', 'P1W', 'off'])(
    'takes WEBCHAT_EMAIL_FALLBACK_DELAY=%s',
    (value) => {
      expect(loadConfig({ WEBCHAT_EMAIL_FALLBACK_DELAY: value }).WEBCHAT_EMAIL_FALLBACK_DELAY).toBe(value);
    },
  );

  it('takes origins as pages send them, a trailing slash and spaces dropped', () => {
    const config = loadConfig({
      WEBCHAT_ALLOWED_ORIGINS: ' https://shop.example.com/, http://localhost:5173 ,',
    });
    expect(config.WEBCHAT_ALLOWED_ORIGINS).toEqual(['https://shop.example.com', 'http://localhost:5173']);
  });

  it('caps WEBHOOK_TIMEOUT_MS well inside the webhooks function’s timeout', () => {
    expect(loadConfig({ WEBHOOK_TIMEOUT_MS: '20000' }).WEBHOOK_TIMEOUT_MS).toBe(20_000);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '25000' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });
});

describe('parseAgentTokens', () => {
  const T1 = agentToken('t1');
  const T2 = agentToken('t2');

  it('maps tokens to agents, none of them admins', () => {
    expect(parseAgentTokens(`ana:${T1}, ben:${T2}`)).toEqual(
      new Map([
        [T1, { agentId: 'ana', admin: false }],
        [T2, { agentId: 'ben', admin: false }],
      ]),
    );
  });

  it('makes an entry ending in :admin an admin, and keeps colons inside tokens', () => {
    expect(parseAgentTokens(`boss:${T1}:admin,ana:${T1}:2`)).toEqual(
      new Map([
        [T1, { agentId: 'boss', admin: true }],
        [`${T1}:2`, { agentId: 'ana', admin: false }],
      ]),
    );
  });

  it('refuses an admin entry without a token', () => {
    expect(() => parseAgentTokens('boss::admin')).toThrow(/AGENT_TOKENS/);
    expect(() => parseAgentTokens(`:${T1}:admin`)).toThrow(/AGENT_TOKENS/);
  });

  it('refuses a pair without a token', () => {
    expect(() => parseAgentTokens('ana')).toThrow(/AGENT_TOKENS/);
  });

  it.each([
    ['a trailing colon', `ana:${T1},ben:${T2}:`, /entry 2 \(agent "ben"\).*empty/],
    ['an empty part inside the token', `ben:${T2}::x`, /entry 1 \(agent "ben"\).*empty/],
    ['a role that is not exactly admin', `ben:${T2}:Admin`, /entry 1 \(agent "ben"\).*admin/],
    ['a colon after the role', `ben:${T2}:admin:`, /entry 1 \(agent "ben"\).*empty/],
    ['a space inside the token', `ben:${T2} x`, /entry 1 \(agent "ben"\).*space/],
    ['one token for two agents', `ana:${T1},ben:${T1}`, /entry 2 \(agent "ben"\).*entry 1/],
    [
      'an id with a space, which the API refuses',
      `boss:${T1}:admin,Ana Smith:${T2}`,
      /entry 2 \(agent "Ana Smith"\).*letters, digits/,
    ],
    ['an id with a #', `ana#x:${T1}`, /entry 1 \(agent "ana#x"\).*letters, digits/],
    ['an id with a letter outside ASCII', `Zoë:${T1}`, /entry 1 \(agent "Zoë"\).*letters, digits/],
    ['an id over 64 characters', `${'a'.repeat(65)}:${T1}`, /entry 1 .*64/],
    [
      'the id `me`, which the API reads as the caller',
      `boss:${T1}:admin,me:${T2}`,
      /entry 2 \(agent "me"\).*`me`/,
    ],
    ['one agent twice', `ana:${T1},ana:${T2}:admin`, /entry 2 \(agent "ana"\).*entry 1/],
    [
      'an id Threadline acts under',
      `boss:${T1}:admin,clock:${T2}`,
      /entry 2 \(agent "clock"\).*acts under itself/,
    ],
  ])('refuses %s at start, naming the variable and the entry but never the token', (_name, value, reason) => {
    expect(() => parseAgentTokens(value)).toThrow(ConfigError);
    expect(() => parseAgentTokens(value)).toThrow(reason);
    expect(() => loadConfig({ AGENT_TOKENS: value })).toThrow(/AGENT_TOKENS/);
    try {
      parseAgentTokens(value);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/t1|t2/);
    }
  });
  it('refuses a token shorter than 32 characters at start, naming the entry and the fix, never the token', () => {
    // Before, any token was taken: `ana:t1:admin` made an admin whose password was two characters.
    const short = `boss:${T1}:admin,ana:${'s'.repeat(MIN_AGENT_TOKEN_CHARS - 1)}`;
    expect(() => loadConfig({ AGENT_TOKENS: short })).toThrow(
      'AGENT_TOKENS: entry 2 (agent "ana"): the token is shorter than 32 characters, easy to guess: use a random one, such as `openssl rand -hex 16`',
    );
    expect(() => loadConfig({ AGENT_TOKENS: short })).not.toThrow(/sss/);
    const long = 's'.repeat(MIN_AGENT_TOKEN_CHARS);
    expect(parseAgentTokens(`ana:${long}`)).toEqual(new Map([[long, { agentId: 'ana', admin: false }]]));
  });

  it('takes the token npm start generates (16 random bytes in hex)', () => {
    const generated = randomBytes(16).toString('hex');
    expect(parseAgentTokens(`dev-agent:${generated}:admin`).get(generated)).toEqual({
      agentId: 'dev-agent',
      admin: true,
    });
  });
});

describe('loadConfigWithSecrets', () => {
  /** A secret store holding one secret; records what was asked for. */
  function store(secretId: string, secretString: string | undefined) {
    const asked: string[] = [];
    const read = async (id: string) => {
      asked.push(id);
      if (id !== secretId) throw new Error(`no secret ${id}`);
      return secretString;
    };
    return { asked, read };
  }

  it('fills provider secrets from the secret, the environment winning', async () => {
    const secrets = store(
      'arn:secret',
      JSON.stringify({ META_APP_SECRET: 'from-secret', META_VERIFY_TOKEN: 'verify' }),
    );
    const config = await loadConfigWithSecrets(secrets.read, {
      PROVIDER_SECRET_ARN: 'arn:secret',
      META_VERIFY_TOKEN: 'from-env',
    });
    expect(config.META_APP_SECRET).toBe('from-secret');
    expect(config.META_VERIFY_TOKEN).toBe('from-env');
    expect(secrets.asked).toEqual(['arn:secret']);
  });

  it('reads no secret when PROVIDER_SECRET_ARN is unset', async () => {
    const secrets = store('arn:secret', '{}');
    const config = await loadConfigWithSecrets(secrets.read, { META_APP_SECRET: 'env' });
    expect(config.META_APP_SECRET).toBe('env');
    expect(secrets.asked).toEqual([]);
  });

  it('fails with the variable name when the secret is not a JSON object', async () => {
    for (const bad of ['[1,2]', 'null', 'not json']) {
      await expect(
        loadConfigWithSecrets(store('arn:secret', bad).read, { PROVIDER_SECRET_ARN: 'arn:secret' }),
      ).rejects.toThrow(/PROVIDER_SECRET_ARN/);
    }
  });
});
