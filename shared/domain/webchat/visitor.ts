import { RateLimitedError, UnauthorizedError } from '../../errors.js';
import type { WebchatStore } from '../webchat-ports.js';
import { type RateLimit, rateWindow } from './rate-limit.js';
import {
  bearerSessionToken,
  renewedExpiry,
  sessionLive,
  sessionTokenHash,
  type WebchatSession,
} from './session.js';

/** The live session a bearer token names; 401 for a missing, malformed, unknown or expired one. */
export async function openSession(
  store: Pick<WebchatStore, 'getSession' | 'renewSession'>,
  authorization: string | undefined,
  now: Date,
  ttlMs?: number,
): Promise<WebchatSession> {
  const token = bearerSessionToken(authorization);
  if (!token)
    throw new UnauthorizedError('send Authorization: Bearer <sessionToken> from POST /webchat/sessions');
  return openSessionByHash(store, sessionTokenHash(token), now, ttlMs);
}

/**
 * A live session by its token's hash (what a visitor's socket keeps), or UnauthorizedError. Using it
 * renews it (renewedExpiry: at most once a day, its links and its item, conditional writes), so it
 * expires `ttlMs` (WEBCHAT_SESSION_TTL, 30 days unset) after its last use, not its start.
 */
export async function openSessionByHash(
  store: Pick<WebchatStore, 'getSession' | 'renewSession'>,
  tokenHash: string,
  now: Date,
  ttlMs?: number,
): Promise<WebchatSession> {
  const session = await store.getSession(tokenHash);
  if (!session) throw new UnauthorizedError('unknown session: start a new one');
  if (!sessionLive(session, now)) throw new UnauthorizedError('the session has expired: start a new one');
  const expiresAt = renewedExpiry(session, now, ttlMs);
  if (expiresAt && (await store.renewSession(session, expiresAt))) return { ...session, expiresAt };
  return session;
}

/** Whether the session a socket opened with has ended (gone, or expired at `now`): its socket closes. */
export async function sessionEnded(
  store: Pick<WebchatStore, 'getSession'>,
  tokenHash: string,
  now: Date,
): Promise<boolean> {
  const session = await store.getSession(tokenHash);
  return !session || !sessionLive(session, now);
}

/**
 * The customer the visitor is, once the pipeline knows them: the holder of their web-chat identity,
 * else (a verified visitor before their first message) the holder of their verified email.
 */
export async function visitorCustomerId(
  store: Pick<WebchatStore, 'findCustomerId'>,
  session: WebchatSession,
): Promise<string | undefined> {
  const own = await store.findCustomerId(session.visitor);
  if (own || !session.verifiedEmail) return own;
  return store.findCustomerId({ kind: 'email', value: session.verifiedEmail });
}

/** Counts a hit against each limit for its subject; 429 with Retry-After when one is over. */
export async function takeHits(
  store: Pick<WebchatStore, 'countHit'>,
  hits: ReadonlyArray<{ limit: RateLimit; subject: string }>,
  now: Date,
): Promise<void> {
  for (const { limit, subject } of hits) {
    const window = rateWindow(limit, subject, now);
    const count = await store.countHit(window.key, window.expiresAtSeconds);
    if (count > limit.max) {
      throw new RateLimitedError(
        `too many requests (${limit.name}: ${limit.max} per ${limit.windowSeconds} s); try again in ${window.retryAfterSeconds} s`,
        Math.max(1, window.retryAfterSeconds),
      );
    }
  }
}
