import { describe, expect, it } from 'vitest';
import {
  type IdentityClaims,
  signIdentityToken,
  siteUserOf,
  verifyIdentityToken,
} from '#shared/domain/webchat/identity-token.js';
import { UnauthorizedError } from '#shared/errors.js';

const SECRET = 'unit-secret-unit-secret-unit-secret!';
const NOW = new Date('2026-12-03T12:00:00Z');
const exp = (seconds: number) => Math.floor(NOW.getTime() / 1000) + seconds;

/** The code of the 401 `verify` answers (it must refuse), to tell which rule refused. */
function refusedWith(verify: () => IdentityClaims | unknown): string {
  try {
    verify();
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return (error as UnauthorizedError).code;
  }
  throw new Error('the token was accepted');
}

describe('identity tokens (HS256)', () => {
  it('accepts a token signed with the secret, with sub and a future exp', () => {
    const token = signIdentityToken({ sub: 'u1', email: 'a@b.co', name: 'Ann', exp: exp(60) }, SECRET);
    expect(verifyIdentityToken(token, SECRET, NOW)).toMatchObject({
      sub: 'u1',
      email: 'a@b.co',
      name: 'Ann',
    });
  });

  it.each([
    ['another secret', signIdentityToken({ sub: 'u1', exp: exp(60) }, `${SECRET}x`)],
    ['an expired token', signIdentityToken({ sub: 'u1', exp: exp(-1) }, SECRET)],
    ['no exp', signIdentityToken({ sub: 'u1' }, SECRET)],
    ['no sub', signIdentityToken({ exp: exp(60) }, SECRET)],
    ['a bad email', signIdentityToken({ sub: 'u1', email: 'nope', exp: exp(60) }, SECRET)],
    ['two parts', 'a.b'],
    ['garbage', 'not a token at all'],
    ['a huge token', `${'a'.repeat(5000)}.b.c`],
  ])('refuses %s with 401', (_, token) => {
    expect(() => verifyIdentityToken(token, SECRET, NOW)).toThrow(UnauthorizedError);
  });

  it('refuses alg none and other algorithms even with a matching HMAC', () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${encode({ alg: 'none' })}.${encode({ sub: 'u1', exp: exp(60) })}.`;
    expect(() => verifyIdentityToken(none, SECRET, NOW)).toThrow(UnauthorizedError);
  });

  it('takes a token whose aud names the Origin (one or a list, a trailing slash aside), refuses another', () => {
    const sign = (aud: unknown) => signIdentityToken({ sub: 'u1', aud, exp: exp(60) }, SECRET);
    const shop = 'https://shop.example';
    const on = (origin?: string) => ({ origin, self: 'https://chat.example' });
    expect(verifyIdentityToken(sign(shop), SECRET, NOW, on(shop)).sub).toBe('u1');
    expect(verifyIdentityToken(sign(['https://x.example', `${shop}/`]), SECRET, NOW, on(shop)).sub).toBe(
      'u1',
    );
    expect(() => verifyIdentityToken(sign(shop), SECRET, NOW, on('https://other.example'))).toThrow(
      'the identity token is for another site: its aud does not name https://other.example',
    );
    expect(() => verifyIdentityToken(sign(shop), SECRET, NOW, on())).toThrow('the request has no Origin');
    expect(() => verifyIdentityToken(sign([shop, 'https://chat.example']), SECRET, NOW, on())).toThrow(
      'the request has no Origin',
    );
    for (const bad of [[], 7]) {
      expect(() => verifyIdentityToken(sign(bad), SECRET, NOW, on(shop))).toThrow(
        "the identity token's aud must be text or a list of 1 to 20 texts (the site's origins)",
      );
    }
    // Without aud, or with one naming no site (another kind of audience, Threadline itself), any origin, as before.
    const other = on('https://other.example');
    for (const aud of [
      undefined,
      'threadline',
      'urn:shop:chat',
      ['https://chat.example/', 'https://chat.example/webchat'],
    ]) {
      expect(verifyIdentityToken(sign(aud), SECRET, NOW, other).sub).toBe('u1');
    }
  });

  /**
   * QA (pen test): an `aud` written with a capital, an explicit default port or a path was dropped
   * from the audience, so the token was good from any origin sharing the secret (fail-open).
   */
  it('compares aud as origins (case, default port), and refuses an entry that is no origin', () => {
    const sign = (aud: unknown) => signIdentityToken({ sub: 'u1', aud, exp: exp(60) }, SECRET);
    const on = (origin?: string) => ({ origin, self: 'https://chat.example' });
    for (const aud of [
      'https://Brand-A.example',
      'HTTPS://brand-a.example',
      'https://brand-a.example:443',
      ' https://brand-a.example:443/ ',
      ['http://other.example:80', 'https://brand-a.example'],
    ]) {
      expect(verifyIdentityToken(sign(aud), SECRET, NOW, on('https://brand-a.example')).sub).toBe('u1');
      expect(refusedWith(() => verifyIdentityToken(sign(aud), SECRET, NOW, on('https://else.example')))).toBe(
        'unauthorized',
      );
    }
    expect(
      verifyIdentityToken(sign('http://brand-a.example:80'), SECRET, NOW, on('http://brand-a.example')).sub,
    ).toBe('u1');
    for (const aud of [
      'https://brand-a.example/shop',
      'https://brand-a.example/?x=1',
      'https://brand-a.example#top',
      'https://user@brand-a.example',
      'https://brand a.example',
      'https://',
      ['https://brand-a.example', 'https://brand-b.example/shop'],
    ]) {
      for (const origin of ['https://brand-a.example', 'https://else.example', undefined]) {
        expect(refusedWith(() => verifyIdentityToken(sign(aud), SECRET, NOW, on(origin)))).toBe(
          'identity_aud_not_origin',
        );
      }
    }
  });

  /**
   * QA (pen test): an `exp` past JavaScript's dates (9e15) made the start answer 500, and one in
   * milliseconds was taken as a token good for some 55,000 years.
   */
  it('refuses an exp more than a year ahead (milliseconds, out of range) with 401, never a crash', () => {
    const year = 366 * 24 * 3600;
    expect(
      verifyIdentityToken(signIdentityToken({ sub: 'u1', exp: exp(year) }, SECRET), SECRET, NOW).exp,
    ).toBe(exp(year));
    for (const far of [exp(year + 1), NOW.getTime() + 3600e3, 9e12, 9e15]) {
      const token = signIdentityToken({ sub: 'u1', exp: far }, SECRET);
      expect(refusedWith(() => verifyIdentityToken(token, SECRET, NOW))).toBe('identity_exp_too_far');
    }
    // Past the whole numbers a double holds exactly: no exp the claims' schema reads.
    const huge = signIdentityToken({ sub: 'u1', exp: 1e300 }, SECRET);
    expect(refusedWith(() => verifyIdentityToken(huge, SECRET, NOW))).toBe('unauthorized');
  });

  /**
   * RFC 7519's `nbf` was not read: a token a site signs for a sign-in that starts later (or one whose
   * `nbf` says it is not good yet) was good at once. A minute's difference of clocks is allowed.
   */
  it('refuses a token before its nbf, a minute of clock difference aside; a malformed nbf too', () => {
    const at = (nbf: unknown) =>
      verifyIdentityToken(signIdentityToken({ sub: 'u1', exp: exp(3600), nbf }, SECRET), SECRET, NOW);
    expect(at(exp(0)).sub).toBe('u1');
    expect(at(exp(60)).sub).toBe('u1');
    expect(refusedWith(() => at(exp(61)))).toBe('identity_not_yet_valid');
    expect(refusedWith(() => at(exp(1800)))).toBe('identity_not_yet_valid');
    expect(refusedWith(() => at('soon'))).toBe('unauthorized');
  });
});

/**
 * QA (pen test): with brand B on its own secret, a brand-A user (the secret without an origin) whose
 * `sub` was `https://brand-b.example|user-7` was keyed as brand B's user-7, and read their history.
 */
describe('site users (webchat_user keys)', () => {
  const B = 'https://brand-b.example';

  it("keys a site's user under its space, another's under the bare sub, as they were", () => {
    expect(siteUserOf('user-7', B, true)).toEqual({ kind: 'webchat_user', value: `${B}|user-7` });
    expect(siteUserOf(`${B}|user-7`, B, true)).toEqual({ kind: 'webchat_user', value: `${B}|${B}|user-7` });
    for (const sub of ['user-7', 'auth0|123', 'google-oauth2|9', 'https://brand-b.example', `${B}|user-7`]) {
      // One secret for every site: no site's user to name, every sub keeps the key it had.
      expect(siteUserOf(sub, undefined, false)).toEqual({ kind: 'webchat_user', value: sub });
    }
    for (const sub of ['user-7', 'auth0|123', 'https://brand-b.example', 'HTTPS://brand-b.example|7']) {
      expect(siteUserOf(sub, undefined, true)).toEqual({ kind: 'webchat_user', value: sub });
    }
  });

  it("refuses the others' secret a sub that reads as a site's user when sites have their own", () => {
    for (const sub of [`${B}|user-7`, 'https://brand-c.example|x', 'http://localhost:4000|1', 'https://|x']) {
      expect(refusedWith(() => siteUserOf(sub, undefined, true))).toBe('identity_sub_reserved');
    }
  });
});
