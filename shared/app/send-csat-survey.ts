import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { CSAT_AUTHOR_ID } from '../domain/csat/csat-ports.js';
import { answererOf, csatAnswerSkip, csatExclusion, csatInLanguage } from '../domain/csat/section.js';
import { CSAT_ANSWER_WINDOW_MS, type CsatForm, csatForm, csatSurveyId } from '../domain/csat/survey.js';
import { CSAT_LINK_TTL_MS } from '../domain/csat/token.js';
import type { Channel } from '../domain/envelope.js';
import { isRefusal, lastInboundOn } from '../domain/replies.js';
import { conversationLanguage } from '../domain/routing/message-language.js';
import type { Conversation, Customer } from '../domain/timeline.js';
import type { Timer } from '../domain/timer-ports.js';
import { sendReply } from './send-reply.js';

/** Why no survey went out, on the timeline (`event: csat_skipped`, once per survey). */
async function skipped(
  deps: ConversationClockDeps,
  conversation: Conversation,
  survey: { id: string; at: string; channel: Channel | undefined },
  reason: string,
  detail: string,
): Promise<true> {
  const first = await deps.store.putTimelineItem(
    {
      id: `csat_skipped:${survey.id}`,
      type: 'event',
      event: 'csat_skipped',
      at: survey.at,
      ...(survey.channel ? { channel: survey.channel } : {}),
      customerId: conversation.customerId,
      conversationId: conversation.id,
      data: { conversationId: conversation.id, surveyId: survey.id, reason, detail },
    },
    undefined,
  );
  // Counted once: by the call that wrote the event (a timer firing again finds it there).
  if (first) {
    await deps.csat?.store.countCsatSurvey({
      conversationId: conversation.id,
      at: survey.at,
      outcome: 'skipped',
      reason,
    });
  }
  deps.log?.('info', 'csat survey skipped', { conversationId: conversation.id, reason });
  return true;
}

/**
 * Sends the satisfaction survey of a resolve, when its timer fires: only while the conversation is
 * still resolved by that resolve (a reopen or a later resolve makes the timer stale), in the form of
 * the channel the customer last used in it, in the conversation's language when `csat.byLanguage` has
 * it (`conversationLanguage`), through the reply rules; only about an answer given (none
 * when nobody answered, none when only the AI did unless `aiOnly`). The survey's id is fixed by the
 * resolve and is the reply's idempotency key, so a timer that fires twice sends one survey. What
 * cannot go out (a closed window without a template, STOP, no address) says why on the timeline.
 */
export async function sendCsatSurvey(
  deps: ConversationClockDeps,
  conversation: Conversation,
  timer: Timer,
): Promise<boolean> {
  const section = deps.policy.csat;
  const ports = deps.csat;
  const replies = deps.automations?.replies;
  if (conversation.status !== 'resolved' || conversation.resolvedAt !== timer.version) return false;
  if (!section || !ports || !replies) return false;
  const { partitions, customers: profiles } = await replies.store.mergedCustomers(conversation.customerId);
  const root = profiles.find((c) => c.id === (partitions[0] ?? conversation.customerId));
  if (!root || csatExclusion(section, { tags: root.tags, queue: conversation.queue })) return false;
  const channel = conversation.channel === 'voice' ? 'sms' : conversation.channel;
  const survey = { id: csatSurveyId(conversation.id, timer.version), at: timer.dueAt, channel };
  const unasked = csatAnswerSkip(section, answererOf(conversation));
  if (unasked) return skipped(deps, conversation, survey, unasked.reason, unasked.detail);
  if (!channel) return skipped(deps, conversation, survey, 'no_channel', 'the conversation has no channel');
  const now = deps.clock.now();
  const claims = {
    s: survey.id,
    c: conversation.id,
    u: root.id,
    t: survey.at,
    e: now.getTime() + CSAT_LINK_TTL_MS,
  };
  const link = ports.link;
  const result = csatForm({
    section: csatInLanguage(section, conversationLanguage(conversation)),
    channel,
    surveyId: survey.id,
    now,
    lastInboundAt: lastInboundOn(profiles, channel),
    link: link && ((score) => link(claims, score)),
  });
  if ('skip' in result) return skipped(deps, conversation, survey, result.skip, result.detail);
  const until = new Date(Date.parse(survey.at) + CSAT_ANSWER_WINDOW_MS).toISOString();
  // Pending before it goes out, so an answer that comes at once finds it.
  await ports.setCsatPending(root.id, {
    surveyId: survey.id,
    conversationId: conversation.id,
    channel,
    sentAt: survey.at,
    until,
    resolvedAt: timer.version,
  });
  try {
    const created = await send(deps, {
      conversation,
      root: { customer: root, partitions, profiles },
      channel,
      form: result.form,
      surveyId: survey.id,
    });
    // Counted once: by the call that created the survey's reply (a retry finds it, `created` false).
    if (created) {
      await ports.store.countCsatSurvey({ conversationId: conversation.id, at: survey.at, outcome: 'sent' });
    }
  } catch (error) {
    if (!isRefusal(error)) throw error;
    await skipped(deps, conversation, survey, error.code, error.message);
  }
  return true;
}

/** The survey through the reply path (its rules), keyed on the survey: a retry sends nothing more. */
async function send(
  deps: ConversationClockDeps,
  input: {
    conversation: Conversation;
    root: { customer: Customer; partitions: string[]; profiles: Customer[] };
    channel: Channel;
    form: CsatForm;
    surveyId: string;
  },
): Promise<boolean> {
  const replies = deps.automations?.replies;
  if (!replies) return false;
  const { conversation, root, channel, form } = input;
  // Not a reply the clock counts: the conversation is resolved, and a survey waits on nobody.
  const { created } = await sendReply(
    { ...replies, track: undefined },
    {
      conversationId: conversation.id,
      request: {
        channel,
        attachments: [],
        ...(form.text ? { text: form.text } : {}),
        ...(form.template ? { template: form.template } : {}),
      },
      agentId: CSAT_AUTHOR_ID,
      author: { kind: 'ai', id: CSAT_AUTHOR_ID },
      idempotencyKey: `csat:${input.surveyId}`,
      recipient: {
        conversationId: conversation.id,
        root: root.customer.id,
        ...root,
        joined: conversation.mergedConversationIds,
      },
      ...(form.choices ? { choices: form.choices } : {}),
    },
  );
  return created;
}
