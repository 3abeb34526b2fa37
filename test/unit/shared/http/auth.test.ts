import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '#shared/errors.js';
import { cognitoAuthenticator, tokenAuthenticator } from '#shared/http/auth.js';

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
  jwks: { keys: [jwk as never] },
});

describe('cognitoAuthenticator', () => {
  it('accepts a valid access token of an agent and names them', async () => {
    await expect(authenticate(jwt({}))).resolves.toBe('ana');
  });

  it.each([
    ['an expired token', jwt({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['another app client', jwt({ client_id: 'someone-else' })],
    ['another issuer', jwt({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' })],
    ['an id token', jwt({ token_use: 'id' })],
    ['a forged signature', jwt({}, other.privateKey)],
    ['garbage', 'not.a.jwt'],
  ])('refuses %s (401)', async (_name, token) => {
    await expect(authenticate(token)).resolves.toBeUndefined();
  });

  it('answers 403 for a valid token of a user outside the agents group', async () => {
    await expect(authenticate(jwt({ 'cognito:groups': ['customers'] }))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe('tokenAuthenticator', () => {
  it('maps local tokens to agents', async () => {
    const auth = tokenAuthenticator(new Map([['t1', 'ana']]));
    expect([await auth('t1'), await auth('t2')]).toEqual(['ana', undefined]);
  });
});
