import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ForbiddenError } from '#shared/errors.js';
import { cognitoAuthenticator, tokenAuthenticator } from '#shared/http/auth.js';
import { logger } from '#shared/log.js';

const POOL = 'eu-west-1_AbCdEf123';
const CLIENT = '1example23456789abcdefghij';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' });
  const body = b64({
    sub: 'a1b2c3',
    username: 'ana',
    iss: ISSUER,
    client_id: CLIENT,
    token_use: 'access',
    iat: now,
    exp: now + 600,
    'cognito:groups': ['agents'],
    ...claims,
  });
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
  return `${head}.${body}.${signature}`;
}

const authenticate = cognitoAuthenticator({
  userPoolId: POOL,
  clientId: CLIENT,
  group: 'agents',
  adminGroup: 'admins',
  jwks: { keys: [jwk as never] },
});

describe('cognitoAuthenticator', () => {
  // When the token ends: the live socket opened with it is closed then.
  const exp = Math.floor(Date.now() / 1000) + 300;

  it('accepts a valid access token of an agent and names them, with when it expires', async () => {
    await expect(authenticate(jwt({ exp }))).resolves.toEqual({
      agentId: 'ana',
      admin: false,
      expiresAt: exp * 1000,
    });
  });

  it('makes a member of the admins group (and of the agents group) an admin', async () => {
    await expect(authenticate(jwt({ exp, 'cognito:groups': ['agents', 'admins'] }))).resolves.toEqual({
      agentId: 'ana',
      admin: true,
      expiresAt: exp * 1000,
    });
  });

  it('answers 403 for a member of the admins group who is not in the agents group', async () => {
    await expect(authenticate(jwt({ 'cognito:groups': ['admins'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });

  it.each([
    ['an expired token', jwt({ exp: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
    ['another app client', jwt({ client_id: 'someone-else' }), 'another app client'],
    [
      'another issuer',
      jwt({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
      'another issuer',
    ],
    ['an id token', jwt({ token_use: 'id' }), 'not an access token'],
    ['a forged signature', jwt({}, other.privateKey), 'bad signature'],
    ['garbage', 'not.a.jwt', 'not a JWT'],
  ])('refuses %s (401) and logs why', async (_name, token, reason) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await expect(authenticate(token)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith('agent token refused', { reason });
    } finally {
      warn.mockRestore();
    }
  });

  it('answers 403 for a valid token of a user outside the agents group', async () => {
    await expect(authenticate(jwt({ 'cognito:groups': ['customers'] }))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe('tokenAuthenticator', () => {
  it('maps local tokens to agents', async () => {
    const auth = tokenAuthenticator(new Map([['t1', { agentId: 'ana', admin: true }]]));
    expect([await auth('t1'), await auth('t2')]).toEqual([{ agentId: 'ana', admin: true }, undefined]);
  });
});
