import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_HEADER = /^sha256=([0-9a-f]{64})$/;
// Meta documents the challenge as an int; anything else is refused so we never reflect markup.
const SAFE_CHALLENGE = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Checks `X-Hub-Signature-256: sha256=<lowercase hex>`, the HMAC-SHA256 of the raw request bytes keyed
 * with the app secret, in constant time. Hash the bytes exactly as received: a re-serialised body has
 * other bytes (Meta escapes non-ASCII as `\u00e4`) and fails. Never throws.
 */
export function verifyMetaSignature(
  rawBody: Uint8Array | string,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string' || appSecret.length === 0) return false;
  const hex = SIGNATURE_HEADER.exec(header.trim())?.[1];
  if (hex === undefined) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Answers Meta's subscription handshake: the `hub.challenge` to echo when `hub.mode` is `subscribe` and
 * `hub.verify_token` matches (compared in constant time), otherwise undefined (answer 403).
 */
export function verifyHandshake(
  query: Record<string, string | undefined>,
  verifyToken: string,
): string | undefined {
  const challenge = query['hub.challenge'];
  const token = query['hub.verify_token'];
  if (query['hub.mode'] !== 'subscribe' || token === undefined || verifyToken.length === 0) return undefined;
  if (challenge === undefined || !SAFE_CHALLENGE.test(challenge)) return undefined;
  return constantTimeEquals(token, verifyToken) ? challenge : undefined;
}

/** Compares two strings without leaking where they differ; hashing first equalises the lengths. */
function constantTimeEquals(a: string, b: string): boolean {
  const digest = (s: string) => createHmac('sha256', 'threadline-compare').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
