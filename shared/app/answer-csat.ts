import { isStandby } from '../domain/conversation.js';
import { parseCsatAnswer, surveyAnswerItem } from '../domain/csat/answer.js';
import type { CsatStore } from '../domain/csat/csat-ports.js';
import { type CsatPending, csatAwaits, csatOvertaken } from '../domain/csat/survey.js';
import type { Envelope } from '../domain/envelope.js';
import { toTimelineItem } from '../domain/resolution.js';
import type { OncePlacement, ProfileState, ResolverStore } from '../domain/resolver-ports.js';
import { recordCsatAnswer } from './record-csat-answer.js';

/**
 * Whether a customer's message answers their pending survey, and if so records it: a tapped choice
 * of that survey, or a score ("5", "4 great service") on the survey's channel within its window. An
 * answer neither reopens the conversation nor is routed. A survey whose conversation was reopened
 * since (open again, or resolved again with no newer survey) takes no answer. Reads nothing but the
 * profile the resolver holds (and, for a second different answer, the first one). False: a normal message.
 */
export async function answerCsat(
  store: CsatStore,
  input: {
    envelope: Envelope;
    customerId: string;
    pending: CsatPending | undefined;
    profile?: Pick<ProfileState, 'openConversationId' | 'lastResolvedAt'> | undefined;
  },
): Promise<boolean> {
  const { envelope, pending } = input;
  if (envelope.kind !== 'message' || envelope.direction !== 'inbound' || !pending) return false;
  // Said to the app that holds the thread, not to our survey.
  if (isStandby(envelope)) return false;
  if (csatOvertaken(pending, input.profile)) return false;
  if (!csatAwaits(pending, envelope.channel, envelope.occurredAt)) return false;
  const answer = parseCsatAnswer({ text: envelope.text, data: envelope.data }, pending.surveyId);
  if (!answer) return false;
  const outcome = await recordCsatAnswer(store, {
    customerId: input.customerId,
    conversationId: pending.conversationId,
    surveyId: pending.surveyId,
    sentAt: pending.sentAt,
    channel: envelope.channel,
    score: answer.score,
    comment: answer.comment,
    answeredAt: envelope.occurredAt,
    source: envelope.id,
  });
  return outcome.outcome === 'recorded';
}

/**
 * Keeps the message that answered a survey on the timeline, in the surveyed conversation and marked as
 * the answer (surveyAnswerItem), after the answer is recorded: the customer's words stay in their
 * history. Written once on the provider's id like any message (a redelivery, or one after a crash
 * between the two writes, completes it); the conversation is not touched, so nothing reopens or routes.
 */
export async function keepSurveyAnswer(
  store: Pick<ResolverStore, 'placeTimelineItem'>,
  input: { envelope: Envelope; customerId: string; pending: CsatPending; once: OncePlacement },
): Promise<void> {
  const { envelope, customerId, pending } = input;
  const message = toTimelineItem(envelope, customerId, pending.conversationId);
  await store.placeTimelineItem(surveyAnswerItem(message, pending.surveyId), envelope.raw, input.once);
}
