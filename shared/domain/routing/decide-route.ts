import { isWithinBusinessHours } from './business-hours.js';
import type { AiHandoffReason, RouteDecision, RouteInput, RouteReason } from './decision.js';
import { findKeyword } from './keywords.js';
import type { RoutingPolicy } from './policy.js';
import { businessHoursOf, isAfterHours, selectQueue } from './queues.js';

/**
 * Which of the AI's own hand-off reasons the policy escalates on: the responders are told
 * (`ResponderContext.escalates`), so they answer rather than hand off for a reason nobody follows.
 */
export function aiHandoffsFollowed(policy: RoutingPolicy): {
  negativeSentiment: boolean;
  askedForPerson: boolean;
} {
  const { escalation } = policy;
  return {
    negativeSentiment: escalation.negativeSentimentEscalates,
    askedForPerson: escalation.askForPersonKeywords.length > 0 && escalation.aiDetectsAskForPerson,
  };
}

/** One decision in the making: the input, and the helpers every rule shares. */
interface Decision {
  input: RouteInput;
  text: string;
  /** The queue the message would go to (by channel, language, keywords). */
  selected: string;
  toHuman(reason: RouteReason, detail: string, queue?: string): RouteDecision;
  aiSays(reason: AiHandoffReason): boolean;
}

/**
 * Rules 1-2: a person already has (or waits for) the conversation. One that nobody is assigned, in a
 * queue the policy no longer has (taken out or renamed, then a restart), would wait where no agent can
 * join: it is handed off anew, to the queue the rules pick now (`queue_removed`).
 */
function ownershipRule({ input, selected, toHuman, aiSays }: Decision): RouteDecision | undefined {
  const { conversation } = input;
  // Where the conversation is, or goes: a hand-off's queue is written after its decision (`handOff`).
  const queue = conversation.queue ?? conversation.routedQueue ?? selected;
  const tookOver = conversation.humanReplied || aiSays('human_took_over');
  if (!conversation.assignee && (tookOver || conversation.routedTo === 'human')) {
    const gone = conversation.queue;
    if (gone !== undefined && !input.policy.queues.some((q) => q.name === gone)) {
      const detail = `its queue "${gone}" is not in the routing policy any more; routed anew to ${selected}`;
      return toHuman('queue_removed', detail);
    }
  }
  if (conversation.assignee || tookOver) {
    const who = conversation.assignee
      ? `agent ${conversation.assignee} has taken`
      : conversation.humanReplied
        ? 'an agent has replied in'
        : 'the AI found that an agent has taken';
    const unqueued = !conversation.assignee && conversation.queue === undefined;
    // Nobody has it and it is in no queue (a reply from the Page inbox first): handed to one (`handsOff`).
    const where = unqueued ? `; nobody is assigned: handed to ${queue}` : '';
    const detail = `${who} this conversation; the AI does not reply in it again${where}`;
    return toHuman('human_took_over', detail, queue);
  }
  if (conversation.routedTo === 'human') {
    return toHuman('awaiting_human', `already escalated; waiting for an agent in ${queue}`, queue);
  }
  return undefined;
}

/** Rules 3-4: who the customer is and what kind of message it is. */
function customerRule({ input, toHuman }: Decision): RouteDecision | undefined {
  const { customer, message } = input;
  const { escalation } = input.policy;
  if (customer.vip) return toHuman('vip', 'the customer is flagged VIP');
  if (escalation.vipTag && customer.tags?.includes(escalation.vipTag)) {
    return toHuman('vip', `the customer is tagged "${escalation.vipTag}"`);
  }
  if (escalation.voicemailEscalates && message.kind !== 'message') {
    return toHuman('voicemail', message.kind === 'voicemail' ? 'a voicemail' : 'a phone call');
  }
  return undefined;
}

/** Rules 5-6: what the text says (or the AI says it says). */
function textRule({ input, text, toHuman, aiSays }: Decision): RouteDecision | undefined {
  const { escalation } = input.policy;
  for (const [topic, keywords] of Object.entries(escalation.mustBeHumanTopics)) {
    const keyword = findKeyword(text, keywords);
    if (keyword) return toHuman('must_be_human_topic', `topic "${topic}" (keyword "${keyword}")`);
  }
  if (aiSays('must_be_human_topic')) {
    return toHuman('must_be_human_topic', 'the AI found a topic for a person');
  }
  const askedWith = findKeyword(text, escalation.askForPersonKeywords);
  if (askedWith) return toHuman('asked_for_person', `the customer asked for a person ("${askedWith}")`);
  if (aiSays('asked_for_person') && aiHandoffsFollowed(input.policy).askedForPerson) {
    return toHuman('asked_for_person', 'the AI says the customer asked for a person');
  }
  return undefined;
}

/** Rules 7-8: the customer's mood and a switch of channel. */
function moodRule({ input, toHuman, aiSays }: Decision): RouteDecision | undefined {
  const { conversation, message, ai } = input;
  const { escalation } = input.policy;
  if (escalation.negativeSentimentEscalates) {
    if (ai?.sentiment === 'negative') {
      return toHuman('negative_sentiment', 'the AI reads the message as negative');
    }
    if (aiSays('negative_sentiment')) {
      return toHuman('negative_sentiment', 'the AI reads the customer as upset');
    }
  }
  const before = conversation.channelsBefore;
  if (
    escalation.channelSwitchEscalates &&
    conversation.status === 'open' &&
    before.length > 0 &&
    !before.includes(message.channel)
  ) {
    return toHuman(
      'channel_switch',
      `the customer came back on ${message.channel} about a conversation open on ${before.join(', ')}`,
    );
  }
  return undefined;
}

/**
 * Rule 9: the AI has answered as often in a row as the policy allows. Without the AI's assessment, so
 * the responder is not asked: an auto-responder that marks nothing stops looping with the AI here.
 */
function answerLimitRule({ input, toHuman }: Decision): RouteDecision | undefined {
  const answered = input.conversation.aiAnswersInARow ?? 0;
  const limit = input.policy.escalation.aiMaxAnswersPerConversation;
  if (answered < limit) return undefined;
  return toHuman(
    'ai_answer_limit',
    `the AI has answered ${answered} messages in a row in this conversation, its limit (aiMaxAnswersPerConversation ${limit}): a person answers from here`,
  );
}

/** A language tag as the console shows it: "German (de)"; one English does not name stays a code. */
function languageWords(tag: string | undefined): string {
  if (!tag) return "the customer's language";
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' }).of(tag);
  } catch {}
  return `${name ?? "the customer's language"} (${tag})`;
}

/**
 * Rules 10-11: the AI failed (before its confidence, which a failure reports as 0: agents and metrics
 * must not read a failing model as a gap in the articles), or cannot answer in the customer's language
 * (before its confidence too: a search in articles of another language scores low, and the detail
 * says why), or is not sure enough, or has no answer.
 */
function confidenceRule({ input, toHuman, aiSays }: Decision): RouteDecision | undefined {
  const { ai } = input;
  const threshold = input.policy.escalation.aiConfidenceThreshold;
  if (aiSays('model_error')) return toHuman('ai_failed', 'the AI failed to answer');
  if (aiSays('unsupported_language')) {
    return toHuman('low_confidence', `the AI does not answer in ${languageWords(ai?.language)}`);
  }
  if (ai && ai.confidence < threshold) {
    return toHuman('low_confidence', `AI confidence ${ai.confidence} is under the threshold ${threshold}`);
  }
  if (aiSays('low_confidence')) return toHuman('low_confidence', 'the AI has no answer good enough');
  // A hand-off for a reason the policy switched off (mood, asking for a person): the responder was
  // told, but one that hands off anyway has no answer to send, only a holding message.
  if (ai?.handoff) {
    const detail = `the AI handed the message off (${ai.handoff.reason}), which this policy does not escalate on: a person answers`;
    return toHuman('low_confidence', detail);
  }
  return undefined;
}

/** Rules 12-13: the AI answers, unless the queue is closed and sends it to the after-hours queue. */
function clockRule({ input, selected }: Decision): RouteDecision {
  const { ai, policy, now } = input;
  const hours = businessHoursOf(policy, selected);
  if (hours && !isWithinBusinessHours(hours, now)) {
    if (hours.afterHours.route === 'queue') {
      return {
        target: 'human',
        queue: hours.afterHours.queue,
        reason: 'after_hours',
        detail: `outside business hours (${hours.timezone}); the after-hours queue takes it`,
        afterHours: true,
      };
    }
    return {
      target: 'ai',
      queue: selected,
      reason: 'after_hours',
      detail: `outside business hours (${hours.timezone}); the AI answers (its answer does not say when a person is back)`,
      afterHours: true,
    };
  }
  return {
    target: 'ai',
    queue: selected,
    reason: 'routine',
    detail: ai ? `the AI answers (confidence ${ai.confidence})` : 'the AI answers',
    afterHours: false,
  };
}

/**
 * Routes one inbound message to the AI or a human queue. The first rule that fires decides:
 * 1. human_took_over: an agent is assigned or has replied (or the AI saw so); the AI never replies again.
 * 2. awaiting_human: an earlier message was escalated and no agent has taken it yet.
 *    Except for 1 and 2: a message with text sent together with the message without text (a photo) the
 *    conversation was escalated for, while no agent has replied (an agent that hand-off assigned aside):
 *    the rules after decide it, and it waits with the photo only if they hand it to a person too.
 *    queue_removed instead of either: nobody is assigned and the policy no longer has its queue.
 * 3. vip: the customer is flagged VIP or carries the policy's VIP tag.
 * 4. voicemail: a voicemail or a call (`voicemailEscalates`).
 * 5. must_be_human_topic: a topic keyword in the text (topics in policy order), or the AI says so.
 * 6. asked_for_person: an ask-for-a-person phrase in the text, or the AI says so.
 * 7. negative_sentiment: the AI reads the message as negative (`negativeSentimentEscalates`).
 * 8. channel_switch: the customer writes on a new channel in an open conversation (`channelSwitchEscalates`).
 * 9. ai_answer_limit: the AI has answered `aiMaxAnswersPerConversation` messages in a row in the conversation.
 * 10. ai_failed: the AI failed to answer (an error, an unusable answer, no answer in time).
 * 11. low_confidence: the AI's confidence is under the threshold, or it hands off for want of an answer
 *    or of the language, or for a reason the policy switched off (rules 6 and 7).
 * 12. after_hours: the queue is closed; the AI answers (flagged) or the after-hours queue takes it.
 * 13. routine: the AI answers.
 * Facts about the conversation and the customer come first, then what the text says, then what the
 * AI judges, then the clock. Escalations ignore business hours: the conversation waits in its queue.
 */
export function decideRoute(input: RouteInput): RouteDecision {
  const { message, customer, ai, policy, now } = input;
  const text = message.text ?? '';
  const selected = selectQueue(policy, {
    channel: message.channel,
    // The conversation's (decided once per opening), else the AI's, else the one routing found in the
    // text (a message handed off before the AI read it).
    language: input.conversation.language ?? ai?.language ?? message.language ?? customer.language,
    text,
    to: message.to,
  });
  const decision: Decision = {
    input,
    text,
    selected,
    toHuman: (reason, detail, queue = selected) => ({
      target: 'human',
      queue,
      reason,
      detail,
      afterHours: isAfterHours(policy, queue, now),
    }),
    aiSays: (reason) => ai?.handoff?.reason === reason,
  };
  const rest = () =>
    customerRule(decision) ??
    textRule(decision) ??
    moodRule(decision) ??
    answerLimitRule(decision) ??
    confidenceRule(decision) ??
    clockRule(decision);
  const owned = ownershipRule(decision);
  if (!owned) return rest();
  if (!besideMediaHandOff(decision, owned)) return owned;
  // A photo sent with the question went to a person: the AI answers the question if it can, else it waits.
  const answer = rest();
  return answer.target === 'ai' ? answer : owned;
}

/**
 * Rule 2's exception: the conversation went to a person (and maybe an agent was assigned) for a message
 * without text sent together with this one, which has text, and no agent has replied since. The order in
 * which the two are routed must not decide: the text is answered as it would be alone.
 */
function besideMediaHandOff({ input, aiSays }: Decision, owned: RouteDecision): boolean {
  const { conversation } = input;
  return (
    conversation.handedOffBeside === true &&
    !conversation.humanReplied &&
    !aiSays('human_took_over') &&
    owned.reason !== 'queue_removed'
  );
}
