import { describe, expect, it } from 'vitest';
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

  it.each(['PT1M', 'PT15M', 'PT2H', 'P1D', 'P7D', 'P1W'])(
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
  it('maps tokens to agents, none of them admins', () => {
    expect(parseAgentTokens('ana:t1, ben:t2')).toEqual(
      new Map([
        ['t1', { agentId: 'ana', admin: false }],
        ['t2', { agentId: 'ben', admin: false }],
      ]),
    );
  });

  it('makes an entry ending in :admin an admin, and keeps colons inside tokens', () => {
    expect(parseAgentTokens('boss:t1:admin,ana:t:2')).toEqual(
      new Map([
        ['t1', { agentId: 'boss', admin: true }],
        ['t:2', { agentId: 'ana', admin: false }],
      ]),
    );
  });

  it('refuses an admin entry without a token', () => {
    expect(() => parseAgentTokens('boss::admin')).toThrow(/AGENT_TOKENS/);
    expect(() => parseAgentTokens(':t1:admin')).toThrow(/AGENT_TOKENS/);
  });

  it('refuses a pair without a token', () => {
    expect(() => parseAgentTokens('ana')).toThrow(/AGENT_TOKENS/);
  });

  it.each([
    ['a trailing colon', 'ana:t1,ben:t2:', /entry 2 \(agent "ben"\).*empty/],
    ['an empty part inside the token', 'ben:t2::x', /entry 1 \(agent "ben"\).*empty/],
    ['a role that is not exactly admin', 'ben:t2:Admin', /entry 1 \(agent "ben"\).*admin/],
    ['a colon after the role', 'ben:t2:admin:', /entry 1 \(agent "ben"\).*empty/],
    ['a space inside the token', 'ben:t 2', /entry 1 \(agent "ben"\).*space/],
    ['one token for two agents', 'ana:t1,ben:t1', /entry 2 \(agent "ben"\).*entry 1/],
    [
      'an id with a space, which the API refuses',
      'boss:t1:admin,Ana Smith:t2',
      /entry 2 \(agent "Ana Smith"\).*letters, digits/,
    ],
    ['an id with a #', 'ana#x:t1', /entry 1 \(agent "ana#x"\).*letters, digits/],
    ['an id with a letter outside ASCII', 'Zoë:t1', /entry 1 \(agent "Zoë"\).*letters, digits/],
    ['an id over 64 characters', `${'a'.repeat(65)}:t1`, /entry 1 .*64/],
    ['the id `me`, which the API reads as the caller', 'boss:t1:admin,me:t2', /entry 2 \(agent "me"\).*`me`/],
    ['one agent twice', 'ana:t1,ana:t2:admin', /entry 2 \(agent "ana"\).*entry 1/],
    ['an id Threadline acts under', 'boss:t1:admin,clock:t2', /entry 2 \(agent "clock"\).*acts under itself/],
  ])('refuses %s at start, naming the variable and the entry but never the token', (_name, value, reason) => {
    expect(() => parseAgentTokens(value)).toThrow(ConfigError);
    expect(() => parseAgentTokens(value)).toThrow(reason);
    expect(() => loadConfig({ AGENT_TOKENS: value })).toThrow(/AGENT_TOKENS/);
    try {
      parseAgentTokens(value);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/t1|t2|t 2/);
    }
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
