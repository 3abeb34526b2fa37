import { describe, expect, it } from 'vitest';
import { signCsatToken, verifyCsatToken } from '#shared/domain/csat/token.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const NOW = new Date('2026-12-03T10:00:00.000Z');
const claims = { s: 'sv1', c: 'cv_1', u: 'cu_1', t: '2026-12-03T09:00:00.000Z', e: NOW.getTime() + 60_000 };

describe('CSAT tokens', () => {
  it('verifies a token it signed, with its claims', () => {
    const token = signCsatToken(claims, SECRET);
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyCsatToken(token, [SECRET], NOW)).toEqual({ ok: true, claims });
  });

  it('accepts any of several secrets (a rotation)', () => {
    expect(verifyCsatToken(signCsatToken(claims, SECRET), ['another-secret', SECRET], NOW).ok).toBe(true);
  });

  it('refuses a token signed with another secret', () => {
    expect(verifyCsatToken(signCsatToken(claims, `${SECRET}x`), [SECRET], NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses a token whose claims were changed', () => {
    const [, signature] = signCsatToken(claims, SECRET).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, s: 'sv2' })).toString('base64url');
    expect(verifyCsatToken(`${forged}.${signature}`, [SECRET], NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('says expired once its time has passed', () => {
    const token = signCsatToken(claims, SECRET);
    expect(verifyCsatToken(token, [SECRET], new Date(claims.e))).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([[''], ['abc'], ['a.b.c'], ['.'], ['x'.repeat(700)], ['e30.AAAA']])('refuses %j', (token) => {
    expect(verifyCsatToken(token, [SECRET], NOW)).toEqual({ ok: false, reason: 'invalid' });
  });
});
