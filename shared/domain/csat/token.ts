import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** How long an email survey's links work. */
export const CSAT_LINK_TTL_MS = 14 * 24 * 3_600_000;
/** The longest token read: anything longer is refused before any work. */
const MAX_TOKEN_CHARS = 600;

/** What a survey link names: the survey, its conversation and customer, and when it expires. */
export const CsatTokenClaimsSchema = z.strictObject({
  /** The survey (its id). */
  s: z.string().min(1).max(64),
  /** The conversation. */
  c: z.string().min(1).max(256),
  /** The customer the survey went to (the root of their merges). */
  u: z.string().min(1).max(256),
  /** When the survey was sent: where its answer lands on the timeline. */
  t: z.iso.datetime(),
  /** Expiry, in epoch milliseconds. */
  e: z.number().int().positive(),
});
export type CsatTokenClaims = z.infer<typeof CsatTokenClaimsSchema>;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`csat.v1.${payload}`).digest();
}

/** A signed token: `<base64url claims>.<base64url HMAC-SHA256>`; only our secret can make one. */
export function signCsatToken(claims: CsatTokenClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(CsatTokenClaimsSchema.parse(claims))).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** What checking a token found: its claims, or why it is refused (`invalid` 400, `expired` 410). */
export type CsatTokenCheck =
  | { ok: true; claims: CsatTokenClaims }
  | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Checks a token's signature (in constant time) and expiry. Any secret of `secrets` may have signed it
 * (a rotation keeps the old one beside the new).
 */
export function verifyCsatToken(token: string, secrets: readonly string[], now: Date): CsatTokenCheck {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'invalid' };
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(signature, 'base64url');
  const signed = secrets.some((secret) => {
    const expected = mac(secret, payload);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return { ok: false, reason: 'invalid' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const claims = CsatTokenClaimsSchema.safeParse(json);
  if (!claims.success) return { ok: false, reason: 'invalid' };
  if (claims.data.e <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims.data };
}
