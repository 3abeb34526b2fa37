import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { IdentitySchema } from '../envelope.js';

/**
 * How long a session lives after it was made or last used (the widget keeps its token in localStorage),
 * unless WEBCHAT_SESSION_TTL says otherwise (its default, P30D, is this).
 */
export const SESSION_TTL_MS = 30 * 24 * 3_600_000;

/**
 * A visitor's session as the table keeps it, under the hash of its token (never the token): who the
 * visitor is (a site's verified user, or an anonymous visitor of one browser) and what they typed.
 */
export const WebchatSessionSchema = z.object({
  tokenHash: z.string().length(64),
  /** The identity the visitor's messages come from: `webchat_user` (verified) or `webchat_visitor`. */
  visitor: IdentitySchema,
  /** An email the site's identity token vouches for: it joins the customer who holds it. */
  verifiedEmail: z.string().max(320).optional(),
  /** An email an anonymous visitor typed: never trusted, evidence for a merge suggestion only. */
  typedEmail: z.string().max(320).optional(),
  name: z.string().max(256).optional(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  /**
   * A verified session's end at the latest: its identity token's `exp` (the site vouches for its user
   * that long), past which no use renews it. Absent for anonymous sessions, and for verified ones
   * started before sessions kept it.
   */
  endsBy: z.iso.datetime().optional(),
});
export type WebchatSession = z.infer<typeof WebchatSessionSchema>;

/** A new session token: 32 random bytes, so it cannot be guessed. */
export function newSessionToken(): string {
  return `wcs_${randomBytes(32).toString('base64url')}`;
}

/** The hash a session is stored under; a leaked table holds no usable token. */
export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A new session token: random, or, for a start key (the widget's, shared by a site's tabs), the one
 * that key always makes, so two starts with it name one session.
 */
export function sessionTokenFor(startKey: string | undefined): string {
  if (!startKey) return newSessionToken();
  return `wcs_${createHash('sha256').update(`webchat-session:${startKey}`).digest('base64url')}`;
}

/** A new anonymous visitor's id (the identity of one browser's visitor); the same for the same start key. */
export function newVisitorId(startKey?: string): string {
  if (!startKey) return randomBytes(16).toString('base64url');
  return createHash('sha256').update(`webchat-visitor:${startKey}`).digest('base64url').slice(0, 22);
}

/**
 * At most how often a used session's expiry moves: one renewal (its writes) a day per session, or a
 * quarter of a shorter lifetime (WEBCHAT_SESSION_TTL of an hour: every 15 minutes).
 */
export const SESSION_RENEW_EVERY_MS = 24 * 3_600_000;

/**
 * The new expiry of a session used at `now` (SESSION_TTL_MS from now, never past its `endsBy`), when it
 * was started or last renewed a day ago or more (its expiry says when: SESSION_TTL_MS before it) and
 * that moves it; else undefined. A visitor who chats now and then keeps their session; one gone 30
 * days loses it, and a verified one ends with its identity token.
 */
export function renewedExpiry(
  session: Pick<WebchatSession, 'expiresAt' | 'endsBy'>,
  now: Date,
  ttlMs = SESSION_TTL_MS,
): string | undefined {
  const expiresAt = Date.parse(session.expiresAt);
  const every = Math.min(SESSION_RENEW_EVERY_MS, ttlMs / 4);
  if (now.getTime() - (expiresAt - ttlMs) < every) return undefined;
  const renewed = sessionExpiry(now, session.endsBy, ttlMs);
  return Date.parse(renewed) > expiresAt ? renewed : undefined;
}

/** A session's expiry from `now`: `ttlMs` on (WEBCHAT_SESSION_TTL), or its `endsBy` (an identity token's exp) if sooner. */
export function sessionExpiry(now: Date, endsBy?: string, ttlMs = SESSION_TTL_MS): string {
  const ttl = now.getTime() + ttlMs;
  return new Date(endsBy ? Math.min(ttl, Date.parse(endsBy)) : ttl).toISOString();
}

/** Whether a session may still be used at `now`. */
export function sessionLive(session: WebchatSession, now: Date): boolean {
  return Date.parse(session.expiresAt) > now.getTime();
}

/**
 * The shape of a bearer session token, checked before any lookup. The scheme is case-insensitive
 * (RFC 9110 §11.1), as on the agent API.
 */
export function bearerSessionToken(header: string | undefined): string | undefined {
  const match = /^[Bb][Ee][Aa][Rr][Ee][Rr] (wcs_[A-Za-z0-9_-]{43})$/.exec(header?.slice(0, 64) ?? '');
  return match?.[1];
}
