/**
 * Why routing sent a message where it went (`routed` events), in words, by the routing reason
 * (`RouteReasonSchema`, shared/domain/routing/decision.ts): an unknown one shows as its code.
 */
export const ROUTE_REASONS: Record<string, string> = {
  human_took_over: 'an agent has the conversation',
  awaiting_human: 'already waiting for a person',
  queue_removed: 'its queue was taken out of the routing policy',
  vip: 'a VIP customer',
  voicemail: 'a voicemail or call',
  must_be_human_topic: 'a topic for a person',
  asked_for_person: 'the customer asked for a person',
  negative_sentiment: 'the customer seems upset',
  channel_switch: 'the customer switched channel',
  ai_answer_limit: 'the AI answered as many messages in a row as it may',
  ai_failed: 'the AI failed to answer (an error, or no answer in time)',
  low_confidence: 'the AI had no answer good enough',
  after_hours: 'outside business hours',
  routine: 'routine',
};

/**
 * A routing reason in words; a low-confidence hand-off says its own `detail` when it has one (the
 * language the AI does not answer in, its confidence under the threshold, a reply the channel refused):
 * before, each read "the AI had no answer good enough".
 */
export function routeReasonText(reason: unknown, detail?: unknown): string {
  if (reason === 'low_confidence' && typeof detail === 'string' && detail) return detail;
  return typeof reason === 'string' ? (ROUTE_REASONS[reason] ?? reason.replaceAll('_', ' ')) : '';
}

/** The part of a timeline item the routing lines are told apart by. */
interface RoutingLine {
  type: string;
  event?: string | undefined;
  conversationId?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

/**
 * The timeline as the console shows it: a `routed` event that says what the one before it in its
 * conversation said (the same target, queue, reason and detail) is left out, so the decision shows
 * once until it changes. Before, a burst of eight messages after hours showed eight lines "Routed to
 * human (queue general): an agent has the conversation". The events stay stored and in the API (each
 * names the message it decided: a redelivered message finds its own); only the view folds them.
 */
export function withoutRepeatedRouting<T extends RoutingLine>(items: readonly T[]): T[] {
  const said = new Map<string, string>();
  return items.filter((item) => {
    if (item.type !== 'event' || item.event !== 'routed') return true;
    const d = item.data ?? {};
    const line = JSON.stringify([d.target, d.queue, d.reason, d.detail]);
    const where = item.conversationId ?? '';
    if (said.get(where) === line) return false;
    said.set(where, line);
    return true;
  });
}
