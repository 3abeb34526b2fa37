import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseAgentTokens } from '#shared/config/config.js';
import { devSecrets, withDevSecrets } from '#shared/local/dev-secrets.js';
import { agentToken } from '../../../support/agent-token.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'threadline-dev-secrets-'));
const stored = (dir: string): unknown => JSON.parse(readFileSync(join(dir, 'dev-secrets.json'), 'utf8'));

describe('devSecrets', () => {
  it('generates the secrets once, keeps them private, and returns the same ones on the next start', () => {
    const dir = freshDir();
    const first = devSecrets(dir);
    expect(first.META_APP_SECRET).toMatch(/^[0-9a-f]{32}$/);
    expect(first.AGENT_TOKENS).toMatch(/^dev-agent:[0-9a-f]{32}:admin$/);
    expect(statSync(join(dir, 'dev-secrets.json')).mode & 0o777).toBe(0o600);
    expect(devSecrets(dir)).toEqual(first);
  });

  it('saves a Twilio token generated for a file written before Twilio, so it stays the same', () => {
    const dir = freshDir();
    const old = { META_APP_SECRET: 'a', META_VERIFY_TOKEN: 'b', AGENT_TOKENS: 'dev-agent:c' };
    writeFileSync(join(dir, 'dev-secrets.json'), JSON.stringify(old));
    const first = devSecrets(dir);
    expect(first).toMatchObject(old);
    expect(first.TWILIO_AUTH_TOKEN).toMatch(/^[0-9a-f]{32}$/);
    expect(stored(dir)).toEqual(first);
    expect(devSecrets(dir).TWILIO_AUTH_TOKEN).toBe(first.TWILIO_AUTH_TOKEN);
  });

  it.each([
    ['truncated', '{"META_APP_SECRET": "abc'],
    ['empty', ''],
    ['not secrets', '{"META_APP_SECRET": 1}'],
  ])('names the file when it is %s, and leaves it as it is', (_name, text) => {
    const dir = freshDir();
    const file = join(dir, 'dev-secrets.json');
    writeFileSync(file, text);
    expect(() => devSecrets(dir)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('withDevSecrets', () => {
  it.each([
    ['empty', ''],
    ['only a comma', ','],
    ['only a space', ' '],
  ])('reads AGENT_TOKENS %s as unset: the development agent signs in', (_name, value) => {
    const secrets = devSecrets(freshDir());
    const config = loadConfig(withDevSecrets(secrets, { AGENT_TOKENS: value }));
    expect(config.AGENT_TOKENS).toBe(secrets.AGENT_TOKENS);
    expect([...parseAgentTokens(config.AGENT_TOKENS).values()]).toEqual([
      { agentId: 'dev-agent', admin: true },
    ]);
  });

  it('reads any other empty secret as unset too, and keeps the values the environment sets', () => {
    const secrets = devSecrets(freshDir());
    const env = {
      META_APP_SECRET: '',
      CSAT_SIGNING_SECRET: 'c'.repeat(40),
      AGENT_TOKENS: `ana:${agentToken('t1')}`,
    };
    const config = loadConfig(withDevSecrets(secrets, env));
    expect(config.META_APP_SECRET).toBe(secrets.META_APP_SECRET);
    expect(config.CSAT_SIGNING_SECRET).toEqual([env.CSAT_SIGNING_SECRET]);
    expect(config.AGENT_TOKENS).toBe(env.AGENT_TOKENS);
  });
});
