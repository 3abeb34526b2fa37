import { messageItemId } from '../domain/resolution.js';
import { visitorMessageEnvelope } from '../domain/webchat/envelopes.js';
import { claimExpirySeconds, messageClaim } from '../domain/webchat/message-claim.js';
import { WEBCHAT_LIMITS } from '../domain/webchat/rate-limit.js';
import type { MessageRequest } from '../domain/webchat/requests.js';
import { openSession, takeHits } from '../domain/webchat/visitor.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';
import { ConflictError } from '../errors.js';

/**
 * Takes a visitor's message: a live session (401), within the per-session and per-address limits
 * (429), then one envelope on the inbound queue, keyed on the visitor and `clientMessageId`, so a
 * retried send is one message. The first send claims the `clientMessageId` (its time and text hash):
 * a retry answers the first send's `at`, a retry with another text is 409. A retry queues the same
 * envelope again only while the resolver has not met it (a crash may have lost the first send's
 * queueing; the resolver keeps one message either way): once it has, the first send's queueing
 * happened, and the queue carries that envelope to the timeline. Answers the timeline id the message
 * will have.
 */
export async function postWebchatMessage(
  deps: WebchatDeps,
  input: { authorization: string | undefined; address: string; message: MessageRequest },
): Promise<{ id: string; clientMessageId: string; at: string }> {
  const now = deps.clock.now();
  const session = await openSession(deps.store, input.authorization, now, deps.sessionTtlMs);
  await takeHits(
    deps.store,
    [
      { limit: WEBCHAT_LIMITS.messagesPerSession, subject: session.tokenHash },
      { limit: WEBCHAT_LIMITS.messagesPerAddress, subject: input.address },
    ],
    now,
  );
  const first = visitorMessageEnvelope(session, input.message, now);
  const claim = messageClaim(input.message.text, now);
  const kept = await deps.store.claimMessage(first.providerMessageId, claim, claimExpirySeconds(session));
  if (kept.textHash !== claim.textHash)
    throw new ConflictError('this clientMessageId was sent with another text: a new message needs a new one');
  const retried = kept.at !== claim.at;
  const envelope = retried ? visitorMessageEnvelope(session, input.message, new Date(kept.at)) : first;
  if (!retried || !(await deps.store.visitorMessageStored(envelope.providerMessageId))) {
    await deps.queue.enqueue([envelope]);
  }
  return { id: messageItemId(envelope), clientMessageId: input.message.clientMessageId, at: kept.at };
}
