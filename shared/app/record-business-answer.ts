import type { TrackClock } from '../domain/clock-ports.js';
import type { Envelope } from '../domain/envelope.js';
import type { PlacedEvent, ResolverStore } from '../domain/resolver-ports.js';
import { isBusinessAnswer } from '../domain/waiting.js';

/** What recording an answer needs: the conversation's writes and the clock. */
export interface BusinessAnswerDeps {
  store: Pick<ResolverStore, 'recordFirstResponse' | 'markAnswered' | 'markHumanReplied'>;
  track?: TrackClock | undefined;
}

/**
 * A person at the business answered from outside Threadline (the WhatsApp Business app, the Page
 * inbox): as an agent's reply does, the conversation's first response is recorded (first time only,
 * before the wait it measures ends), the wait ends, routing learns a human replied, and the clock
 * (SLA, silence) hears of the reply. Every step is conditional or repeats nothing, so a redelivery
 * completes what a crash left undone.
 */
export async function recordBusinessAnswer(
  deps: BusinessAnswerDeps,
  conversationId: string,
  at: string,
): Promise<void> {
  await deps.store.recordFirstResponse?.(conversationId, at);
  await deps.store.markAnswered?.(conversationId, at);
  await deps.store.markHumanReplied?.(conversationId, at);
  await deps.track?.({ type: 'reply', conversationId, at, author: 'agent' });
}

/** The resolver's log line (its level, message and fields). */
type AnswerLog = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

/**
 * A message the business sent from its own app (an echo) answers the customer as an agent's reply
 * does, unless its `failed` status came before it: the customer never got it, and still waits.
 */
export async function answerFromBusinessApp(
  deps: BusinessAnswerDeps & { log?: AnswerLog | undefined },
  envelope: Envelope,
  { item, undelivered }: PlacedEvent,
  { customerId, conversationId }: { customerId: string; conversationId: string },
): Promise<void> {
  if (!isBusinessAnswer(envelope)) return;
  if (!undelivered) return recordBusinessAnswer(deps, item.conversationId ?? conversationId, item.at);
  deps.log?.('info', 'business app reply undelivered: no answer', { customerId, channel: envelope.channel });
}
