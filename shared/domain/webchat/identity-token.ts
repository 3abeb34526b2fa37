import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { UnauthorizedError } from '../../errors.js';
import type { Identity } from '../envelope.js';

/** The longest `aud` entry: an origin, or a URL a site may write there. */
const AUDIENCE_MAX = 2048;

/** The claims a site signs for its signed-in user; `exp` is required so a leaked token dies. */
export const IdentityClaimsSchema = z.object({
  sub: z.string().trim().min(1).max(256),
  /** JWT's audience: the site (its origin, or origins) the token is for; checked against the request's Origin. */
  aud: z
    .union([z.string().max(AUDIENCE_MAX), z.array(z.string().max(AUDIENCE_MAX)).min(1).max(20)])
    .optional(),
  email: z.email().max(320).optional(),
  /**
   * OpenID Connect's claim: `false` says the site has not confirmed that the user holds `email`, which
   * then joins nobody (it is taken as typed in the pre-chat form). Absent or `true`: the email is the customer.
   */
  email_verified: z.boolean().optional(),
  name: z.string().trim().min(1).max(256).optional(),
  exp: z.number().int().positive(),
  iat: z.number().optional(),
  /** JWT's "not before": the token is refused until then (a minute of clock difference aside). */
  nbf: z.number().finite().optional(),
});
export type IdentityClaims = z.infer<typeof IdentityClaimsSchema>;

/** Where a token is used: the request's Origin (the page's site), and Threadline's own origin. */
export interface TokenUse {
  origin?: string | undefined;
  self?: string | undefined;
}

/** Longest identity token accepted: a handful of claims, never a page of text. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * The furthest ahead a token's `exp` may be: a year (and a day). A site signs on each page load for an
 * hour or so, some for as long as a remembered sign-in; an `exp` further ahead is a mistake: one written
 * in milliseconds (some 55,000 years ahead) or past JavaScript's dates.
 */
export const IDENTITY_TOKEN_MAX_LIFETIME_SECONDS = 366 * 24 * 3600;

/** How far a site's clock may run ahead of ours for a token's `nbf` (the usual leeway of JWT libraries). */
const CLOCK_LEEWAY_SECONDS = 60;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError('the identity token is not a JWT');
  }
}

/**
 * Verifies a site's identity token: an HS256 JWT signed with WEBCHAT_IDENTITY_SECRET, with `sub` and a
 * future `exp` (`email`, `name` and `aud` optional). Any other algorithm, a bad signature, an
 * expired token, one without `exp` or with one over a year ahead (`identity_exp_too_far`), one whose
 * `nbf` is more than a minute ahead (`identity_not_yet_valid`), or one whose
 * `aud` names sites but not `at.origin` (the request's Origin), or an http(s) URL that is no origin
 * (`identity_aud_not_origin`), is refused with 401. The signature is compared in constant time before
 * any claim is read.
 */
export function verifyIdentityToken(
  token: string,
  secret: string,
  now: Date,
  at: TokenUse = {},
): IdentityClaims {
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
  if (!claims.success) throw new UnauthorizedError(claimsProblem(claims.error.issues[0]?.path[0]));
  if (claims.data.exp * 1000 <= now.getTime()) throw new UnauthorizedError('the identity token has expired');
  if (claims.data.exp - now.getTime() / 1000 > IDENTITY_TOKEN_MAX_LIFETIME_SECONDS) {
    throw new UnauthorizedError(
      "the identity token's exp is more than a year ahead: write it in seconds since 1970, not milliseconds",
      'identity_exp_too_far',
    );
  }
  if (claims.data.nbf !== undefined && claims.data.nbf - now.getTime() / 1000 > CLOCK_LEEWAY_SECONDS) {
    throw new UnauthorizedError(
      "the identity token is not valid yet: its nbf is ahead (seconds since 1970, a minute's clock difference allowed)",
      'identity_not_yet_valid',
    );
  }
  checkAudience(claims.data.aud, at);
  return claims.data;
}

/** Why a token's claims are refused: its `aud` when that is what is wrong. */
function claimsProblem(claim: PropertyKey | undefined): string {
  if (claim === 'aud')
    return "the identity token's aud must be text or a list of 1 to 20 texts (the site's origins)";
  if (claim === 'nbf') return "the identity token's nbf must be a number: seconds since 1970";
  return 'the identity token needs `sub` and `exp` (email and name optional)';
}

/** `text` read as a URL, or undefined. */
function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * The site an `aud` entry names: an http(s) URL with nothing past its origin (a trailing `/` aside),
 * read as its origin; undefined for an audience of another kind (no http(s) URL) or Threadline's own
 * URL (`self`, which says nothing of the page). An http(s) entry that is no origin (a path, a query, a
 * user, no host) is refused: dropping it would make the token good on every site.
 */
function siteOf(entry: string, self: string | undefined): string | undefined {
  const text = entry.trim();
  if (!/^https?:/i.test(text)) return undefined;
  const url = urlOf(text);
  if (url && url.origin === self) return undefined;
  if (url?.pathname === '/' && !url.search && !url.hash && !url.username && !url.password) return url.origin;
  throw new UnauthorizedError(
    `the identity token's aud names "${text.slice(0, 256)}", which is not an origin: write the page's origin, scheme://host[:port] with no path`,
    'identity_aud_not_origin',
  );
}

/**
 * A token whose `aud` names sites (origins, compared as a browser writes them) is good only on their
 * pages: the request's Origin must be one of them, else 401. Without `aud`, or with one naming no site
 * (an audience of another kind, or Threadline's own URL), it is good on any allowed origin, as before.
 */
function checkAudience(aud: string | string[] | undefined, at: TokenUse): void {
  if (aud === undefined) return;
  const self = at.self === undefined ? undefined : urlOf(at.self)?.origin;
  const sites = (typeof aud === 'string' ? [aud] : aud)
    .map((entry) => siteOf(entry, self))
    .filter((site) => site !== undefined);
  if (sites.length === 0) return;
  if (!at.origin) {
    throw new UnauthorizedError('the identity token names its site (aud) and the request has no Origin');
  }
  const origin = at.origin.trim();
  if (!sites.includes(urlOf(origin)?.origin ?? origin)) {
    throw new UnauthorizedError(
      `the identity token is for another site: its aud does not name ${origin.slice(0, 256)}`,
    );
  }
}

/** A site's user's key: `<origin>|<sub>` (an origin has no `|`: the first one ends it). */
const SITE_USER_KEY = /^https?:\/\/[^|]*\|/;

/**
 * The `webchat_user` identity of a token's `sub` in the user database `space` names (a site with its
 * own secret, see identity-secrets.ts): `<space>|<sub>`, never another database's user of the same
 * `sub`; without one, `sub` alone, the key every token had before sites had their own secrets. When
 * some site has its own (`spaces`), a `sub` without one that reads as a site's key (`<origin>|…`) is
 * refused with 401: it would be that site's user.
 */
export function siteUserOf(sub: string, space: string | undefined, spaces: boolean): Identity {
  if (space === undefined && spaces && SITE_USER_KEY.test(sub)) {
    throw new UnauthorizedError(
      "the identity token's sub reads as the user of a site with its own secret (origin|id): give this site's users another sub",
      'identity_sub_reserved',
    );
  }
  return { kind: 'webchat_user', value: space === undefined ? sub : `${space}|${sub}` };
}

/** Signs claims as an HS256 JWT: what a site does (the README shows the same in a few lines of Node). */
export function signIdentityToken(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
