import { createHash } from 'node:crypto';
import type { WebchatMessageClaim } from '../webchat-ports.js';
import type { WebchatSession } from './session.js';

/** How long a message's claim outlives its session: a retry can come just before the session ends. */
const CLAIM_AFTER_SESSION_SECONDS = 86_400;

/** A message's claim on its `clientMessageId`: when it was sent and a hash of its text (never the text). */
export function messageClaim(text: string, now: Date): WebchatMessageClaim {
  return { at: now.toISOString(), textHash: createHash('sha256').update(text).digest('base64url') };
}

/** When the claim goes (the table's TTL): a day after the session's expiry. */
export const claimExpirySeconds = (session: WebchatSession): number =>
  Math.ceil(Date.parse(session.expiresAt) / 1000) + CLAIM_AFTER_SESSION_SECONDS;
