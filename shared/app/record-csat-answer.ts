import type { CsatStore } from '../domain/csat/csat-ports.js';
import { type CsatAnswerRecord, csatItem, csatItemId } from '../domain/csat/survey.js';
import { metricsCredit } from '../domain/metrics-credit.js';

/** What recording did: `recorded` (this answer, now or on an earlier delivery), or the survey's earlier answer. */
export type CsatAnswerOutcome =
  | { outcome: 'recorded'; score: number }
  | { outcome: 'already_answered'; score: number | undefined };

/**
 * Records a survey's answer once: first its claim on the surveyed conversation (keyed on the survey,
 * not the customer: after an unmerge both customers may hold the survey pending, and whichever answers
 * second is told the first answer), then the `event: csat` item at a fixed key (the survey, at its
 * time; naming whom the metrics credit, read from the conversation before it), so a redelivered answer writes nothing; then the day's CSAT counters, by the conversation's
 * channel, queue, agent and AI (whom `metricsCredit` names) (counted after the write that records it: never twice; a crash between
 * the two loses that one count). A second, different answer finds the first.
 */
export async function recordCsatAnswer(
  store: CsatStore,
  input: CsatAnswerRecord,
): Promise<CsatAnswerOutcome> {
  const claim = { conversationId: input.conversationId, surveyId: input.surveyId, source: input.source };
  if (!(await store.claimCsatAnswer(claim))) return alreadyAnswered(store, input);
  // Whom the figures credit, read before the event so the event names the same agent (the list of answers).
  const conversation = await store.getConversation(input.conversationId);
  const credit = metricsCredit(conversation);
  if (await store.putTimelineItem(csatItem(input, credit), undefined)) {
    await store.countCsat({
      conversationId: input.conversationId,
      at: input.answeredAt,
      score: input.score,
      channel: input.channel,
      queue: conversation?.queue,
      agent: credit.agent,
      ai: credit.ai,
    });
    return { outcome: 'recorded', score: input.score };
  }
  return alreadyAnswered(store, input);
}

/**
 * What an answer that found the survey answered is told: `recorded` when it is that answer again (a
 * redelivery, the same click), else the first answer's score when this customer holds it.
 */
async function alreadyAnswered(store: CsatStore, input: CsatAnswerRecord): Promise<CsatAnswerOutcome> {
  const existing = await store.getTimelineItem(input.customerId, input.sentAt, csatItemId(input.surveyId));
  const score = typeof existing?.data?.score === 'number' ? existing.data.score : undefined;
  if (existing?.data?.source === input.source) return { outcome: 'recorded', score: score ?? input.score };
  return { outcome: 'already_answered', score };
}
