import { deliverReply, settleRefusal } from '../app/deliver-reply.js';
import type { UndeliveredAnswerHandOff } from '../app/undelivered-answer.js';
import { getSecretString } from '../aws/secrets-lite.js';
import type { LiveSessions } from '../channels/webchat/send.js';
import type { Config } from '../config/config.js';
import { loadConfigWithSecrets, SENDER_SECRET_KEYS } from '../config/secrets.js';
import type { TrackClock } from '../domain/clock-ports.js';
import { onFirstUse } from '../domain/on-first-use.js';
import { systemClock } from '../domain/ports.js';
import type { InlineSend } from '../domain/reply-ports.js';
import type { SenderStore } from '../domain/sender-ports.js';

/**
 * How long the resolver's put of an AI reply holds its send lease: longer than one invocation (30 s),
 * like the sender's, so a resolver that died mid-send leaves the reply to a sender once it is over.
 */
export const RESOLVER_SEND_LEASE_MS = 60_000;

/**
 * The invocation time an inline send needs left: the provider call's own timeout (10 s) and the write
 * that records it, with room to spare. With less, the reply is handed to the sender instead.
 */
export const INLINE_SEND_MIN_MS = 15_000;

/**
 * The resolver's sending of the AI's replies it has just stored, with the sender's logic: the provider
 * secret is read and the senders built on the first reply, not at cold start (routing to a person, or
 * a redelivery, sends nothing). `tell`: the conversation clock, and the hand-off of an AI answer the
 * provider reported failed before its send was recorded; `sessions`: the web chat's session links (an
 * answer to an anonymous visitor whose chat ended is refused).
 */
export function resolverSending(
  config: Config,
  store: SenderStore,
  timeLeftMs: () => number | undefined = () => undefined,
  tell: { track?: TrackClock; undelivered?: UndeliveredAnswerHandOff; sessions?: LiveSessions } = {},
): InlineSend {
  // Imported on first use too: the provider adapters are no part of the resolver's cold start.
  const senders = onFirstUse(async () => {
    const [{ lambdaSenders }, withSecrets] = await Promise.all([
      import('./channel-senders.js'),
      loadConfigWithSecrets((id) => getSecretString(id), process.env, { uses: SENDER_SECRET_KEYS }),
    ]);
    return lambdaSenders(withSecrets, tell.sessions);
  });
  const deps = {
    store,
    senders,
    clock: systemClock,
    leaseMs: RESOLVER_SEND_LEASE_MS,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
    track: tell.track,
    undelivered: tell.undelivered,
  };
  return {
    leaseMs: RESOLVER_SEND_LEASE_MS,
    deliver: async (message, held) => {
      // An invocation timed out after the provider took the reply would leave it unrecorded, and the
      // sender would send it again once the lease ran out: with too little time left, let go at once.
      const left = timeLeftMs();
      if (left !== undefined && left < INLINE_SEND_MIN_MS) {
        await store.releaseSend(message, held.leaseUntil);
        throw new Error(`${left} ms of the invocation left: the reply goes to the sender`);
      }
      await deliverReply(deps, message, 0, held);
    },
    settleRefused: (message, code) => settleRefusal(deps, message, code),
  };
}
