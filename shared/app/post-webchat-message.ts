import { messageItemId } from '../domain/resolution.js';
import { visitorMessageEnvelope } from '../domain/webchat/envelopes.js';
import { WEBCHAT_LIMITS } from '../domain/webchat/rate-limit.js';
import type { MessageRequest } from '../domain/webchat/requests.js';
import { openSession, takeHits } from '../domain/webchat/visitor.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';

/**
 * Takes a visitor's message: a live session (401), within the per-session and per-address limits
 * (429), then one envelope on the inbound queue, keyed on the visitor and `clientMessageId`, so a
 * retried send is one message. Answers the timeline id the message will have.
 */
export async function postWebchatMessage(
  deps: WebchatDeps,
  input: { authorization: string | undefined; address: string; message: MessageRequest },
): Promise<{ id: string; clientMessageId: string; at: string }> {
  const now = deps.clock.now();
  const session = await openSession(deps.store, input.authorization, now);
  await takeHits(
    deps.store,
    [
      { limit: WEBCHAT_LIMITS.messagesPerSession, subject: session.tokenHash },
      { limit: WEBCHAT_LIMITS.messagesPerAddress, subject: input.address },
    ],
    now,
  );
  const envelope = visitorMessageEnvelope(session, input.message, now);
  await deps.queue.enqueue([envelope]);
  return {
    id: messageItemId(envelope),
    clientMessageId: input.message.clientMessageId,
    at: envelope.occurredAt,
  };
}
