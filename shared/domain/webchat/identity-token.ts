import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { UnauthorizedError } from '../../errors.js';

/** The claims a site signs for its signed-in user; `exp` is required so a leaked token dies. */
export const IdentityClaimsSchema = z.object({
  sub: z.string().trim().min(1).max(256),
  email: z.email().max(320).optional(),
  /**
   * OpenID Connect's claim: `false` says the site has not confirmed that the user holds `email`, which
   * then joins nobody (it is taken as typed in the pre-chat form). Absent or `true`: the email is the customer.
   */
  email_verified: z.boolean().optional(),
  name: z.string().trim().min(1).max(256).optional(),
  exp: z.number().int().positive(),
  iat: z.number().optional(),
});
export type IdentityClaims = z.infer<typeof IdentityClaimsSchema>;

/** Longest identity token accepted: a handful of claims, never a page of text. */
const MAX_TOKEN_LENGTH = 4096;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError('the identity token is not a JWT');
  }
}

/**
 * Verifies a site's identity token: an HS256 JWT signed with WEBCHAT_IDENTITY_SECRET, with `sub` and a
 * future `exp` (`email` and `name` optional). Any other algorithm, a bad signature, an expired token or
 * one without `exp` is refused with 401. The signature is compared in constant time before any claim is read.
 */
export function verifyIdentityToken(token: string, secret: string, now: Date): IdentityClaims {
  if (token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('the identity token is too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new UnauthorizedError('the identity token is not a JWT');
  }
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError('the identity token signature is not valid');
  }
  const head = decodeJson(header) as { alg?: unknown; typ?: unknown };
  if (head?.alg !== 'HS256') throw new UnauthorizedError('the identity token must be signed with HS256');
  const claims = IdentityClaimsSchema.safeParse(decodeJson(payload));
  if (!claims.success) {
    throw new UnauthorizedError('the identity token needs `sub` and `exp` (email and name optional)');
  }
  if (claims.data.exp * 1000 <= now.getTime()) throw new UnauthorizedError('the identity token has expired');
  return claims.data;
}

/** Signs claims as an HS256 JWT: what a site does (the README shows the same in a few lines of Node). */
export function signIdentityToken(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
