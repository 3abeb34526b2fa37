import * as z from 'zod';
import type { Channel } from './envelope.js';
import {
  type BusinessHours,
  LanguageTagSchema,
  languageMatches,
  type Queue,
  type RoutingPolicy,
  type Weekday,
} from './routing-policy.js';
import type { Conversation } from './timeline.js';

/**
 * Why a message went where it went, in order of precedence: the first rule that fires decides.
 * `awaiting_human` (a conversation already escalated stays with humans until one takes it) is ours,
 * beside the list.
 */
export const RouteReasonSchema = z.enum([
  'human_took_over',
  'awaiting_human',
  'vip',
  'voicemail',
  'must_be_human_topic',
  'asked_for_person',
  'negative_sentiment',
  'channel_switch',
  'low_confidence',
  'after_hours',
  'routine',
]);
export type RouteReason = z.infer<typeof RouteReasonSchema>;

export const RouteTargetSchema = z.enum(['ai', 'human']);
export type RouteTarget = z.infer<typeof RouteTargetSchema>;

/** The routing decision recorded on the timeline for every inbound message. */
export const RouteDecisionSchema = z.object({
  target: RouteTargetSchema,
  /** The human queue: where the conversation waits, or would go if the AI handed it off. */
  queue: z.string(),
  reason: RouteReasonSchema,
  /** One sentence for agents; names the matched keyword or figure, never the customer's own words. */
  detail: z.string(),
  /** The queue's business hours are over: the AI should say when a person will answer. */
  afterHours: z.boolean(),
});
export type RouteDecision = z.infer<typeof RouteDecisionSchema>;

/** The customer's mood as far as the AI can tell. */
export const SentimentSchema = z.enum(['positive', 'neutral', 'negative']);
export type Sentiment = z.infer<typeof SentimentSchema>;

/**
 * Why the AI itself asks to hand off: the responder's vocabulary (`shared/responder`), plus
 * `must_be_human_topic`. `unsupported_language` and `model_error` count as low confidence.
 */
export const AiHandoffReasonSchema = z.enum([
  'low_confidence',
  'negative_sentiment',
  'asked_for_person',
  'human_took_over',
  'unsupported_language',
  'model_error',
  'must_be_human_topic',
]);
export type AiHandoffReason = z.infer<typeof AiHandoffReasonSchema>;

/**
 * What the AI responder says about a message; a responder's result (`ResponderResult`) is one. Its
 * handoff summary is for the agent and stays out of the routing decision.
 */
export const AiAssessmentSchema = z.object({
  /** 0 to 1: how sure the AI is that its draft answers the customer. */
  confidence: z.number().min(0).max(1),
  handoff: z.object({ reason: AiHandoffReasonSchema }).optional(),
  sentiment: SentimentSchema.optional(),
  language: LanguageTagSchema.optional(),
});
export type AiAssessment = z.infer<typeof AiAssessmentSchema>;

/** What a message is: a written message, a phone call or a voicemail (its text is the transcript). */
export type InboundKind = 'message' | 'call' | 'voicemail';

/** Everything one routing decision depends on; nothing else is read, so the same input gives the same answer. */
export interface RouteInput {
  message: { channel: Channel; kind: InboundKind; text?: string | undefined };
  conversation: Pick<Conversation, 'status' | 'assignee' | 'queue'> & {
    /** Channels the customer wrote on in this conversation before this message (not including it). */
    channelsBefore: readonly Channel[];
    /** An agent has replied in the conversation. */
    humanReplied?: boolean | undefined;
    /** The target of the previous decision in this conversation; unset for a new or reopened one. */
    routedTo?: RouteTarget | undefined;
  };
  customer: {
    vip?: boolean | undefined;
    tags?: readonly string[] | undefined;
    language?: string | undefined;
  };
  /** Absent before the AI has looked at the message: rules that need it do not fire. */
  ai?: AiAssessment | undefined;
  policy: RoutingPolicy;
  now: Date;
}

const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

const patterns = new Map<string, RegExp>();

function keywordPattern(keyword: string): RegExp {
  let pattern = patterns.get(keyword);
  if (!pattern) {
    const folded = fold(keyword.trim());
    const prefix = folded.endsWith('*');
    const body = (prefix ? folded.slice(0, -1) : folded)
      .trim()
      .split(/\s+/)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+');
    const tail = prefix ? '[\\p{L}\\p{N}]*' : '';
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])${body}${tail}(?![\\p{L}\\p{N}])`, 'u');
    patterns.set(keyword, pattern);
  }
  return pattern;
}

/**
 * The first keyword found in the text as a whole word or phrase, ignoring case and accents; a
 * keyword ending in `*` matches any word that starts with it.
 */
export function findKeyword(text: string, keywords: readonly string[]): string | undefined {
  const folded = fold(text);
  return keywords.find((keyword) => keywordPattern(keyword).test(folded));
}

const WEEKDAYS: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};
const PREVIOUS_DAY: Record<Weekday, Weekday> = {
  mon: 'sun',
  tue: 'mon',
  wed: 'tue',
  thu: 'wed',
  fri: 'thu',
  sat: 'fri',
  sun: 'sat',
};
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day at `now` on the wall clocks of a time zone. */
function wallClock(now: Date, timeZone: string): { day: Weekday; minute: number } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAYS[parts.weekday ?? ''];
  if (!day) throw new Error(`unexpected weekday from Intl for ${timeZone}`);
  return { day, minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute) };
}

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Whether `now` falls in one of the opening windows, on the schedule's own wall clock (DST included). */
export function isWithinBusinessHours(hours: BusinessHours, now: Date): boolean {
  const { day, minute } = wallClock(now, hours.timezone);
  return hours.hours.some((window) => {
    const open = minutes(window.open);
    const close = minutes(window.close);
    if (open < close) return window.days.includes(day) && minute >= open && minute < close;
    // Overnight: the window opened on a listed day and runs into the next morning.
    return (
      (window.days.includes(day) && minute >= open) ||
      (window.days.includes(PREVIOUS_DAY[day]) && minute < close)
    );
  });
}

/** What queue selection looks at. */
export interface QueueCriteria {
  channel: Channel;
  language?: string | undefined;
  text?: string | undefined;
}

function queueMatches(queue: Queue, message: QueueCriteria): boolean {
  if (!queue.channels && !queue.languages && !queue.keywords) return false;
  if (queue.channels && !queue.channels.includes(message.channel)) return false;
  if (queue.languages && !(message.language && languageMatches(queue.languages, message.language))) {
    return false;
  }
  if (queue.keywords && !findKeyword(message.text ?? '', queue.keywords)) return false;
  return true;
}

/** The first queue, in policy order, whose every stated criterion matches; else the default queue. */
export function selectQueue(policy: RoutingPolicy, message: QueueCriteria): string {
  return policy.queues.find((queue) => queueMatches(queue, message))?.name ?? policy.defaultQueue;
}

/** A queue's own business hours, else the policy's; undefined means always open. */
export function businessHoursOf(policy: RoutingPolicy, queue: string): BusinessHours | undefined {
  return policy.queues.find((q) => q.name === queue)?.businessHours ?? policy.businessHours;
}

function isAfterHours(policy: RoutingPolicy, queue: string, now: Date): boolean {
  const hours = businessHoursOf(policy, queue);
  return hours !== undefined && !isWithinBusinessHours(hours, now);
}

/**
 * Routes one inbound message to the AI or a human queue. The first rule that fires decides:
 * 1. human_took_over: an agent is assigned or has replied (or the AI saw so); the AI never replies again.
 * 2. awaiting_human: an earlier message was escalated and no agent has taken it yet.
 * 3. vip: the customer is flagged VIP or carries the policy's VIP tag.
 * 4. voicemail: a voicemail or a call (`voicemailEscalates`).
 * 5. must_be_human_topic: a topic keyword in the text (topics in policy order), or the AI says so.
 * 6. asked_for_person: an ask-for-a-person phrase in the text, or the AI says so.
 * 7. negative_sentiment: the AI reads the message as negative (`negativeSentimentEscalates`).
 * 8. channel_switch: the customer writes on a new channel in an open conversation (`channelSwitchEscalates`).
 * 9. low_confidence: the AI's confidence is under the threshold, or it hands off for want of an answer,
 *    of the language, or because it failed.
 * 10. after_hours: the queue is closed; the AI answers (flagged) or the after-hours queue takes it.
 * 11. routine: the AI answers.
 * Facts about the conversation and the customer come first, then what the text says, then what the
 * AI judges, then the clock. Escalations ignore business hours: the conversation waits in its queue.
 */
export function decideRoute(input: RouteInput): RouteDecision {
  const { message, conversation, customer, ai, policy, now } = input;
  const { escalation } = policy;
  const text = message.text ?? '';
  const selected = selectQueue(policy, {
    channel: message.channel,
    language: ai?.language ?? customer.language,
    text,
  });
  const toHuman = (reason: RouteReason, detail: string, queue = selected): RouteDecision => ({
    target: 'human',
    queue,
    reason,
    detail,
    afterHours: isAfterHours(policy, queue, now),
  });
  const aiSays = (reason: AiHandoffReason) => ai?.handoff?.reason === reason;

  if (conversation.assignee || conversation.humanReplied || aiSays('human_took_over')) {
    const who = conversation.assignee
      ? `agent ${conversation.assignee} has taken`
      : conversation.humanReplied
        ? 'an agent has replied in'
        : 'the AI found that an agent has taken';
    return toHuman(
      'human_took_over',
      `${who} this conversation; the AI does not reply in it again`,
      conversation.queue ?? selected,
    );
  }
  if (conversation.routedTo === 'human') {
    const queue = conversation.queue ?? selected;
    return toHuman('awaiting_human', `already escalated; waiting for an agent in ${queue}`, queue);
  }

  if (customer.vip) return toHuman('vip', 'the customer is flagged VIP');
  if (escalation.vipTag && customer.tags?.includes(escalation.vipTag)) {
    return toHuman('vip', `the customer is tagged "${escalation.vipTag}"`);
  }

  if (escalation.voicemailEscalates && message.kind !== 'message') {
    return toHuman('voicemail', message.kind === 'voicemail' ? 'a voicemail' : 'a phone call');
  }

  for (const [topic, keywords] of Object.entries(escalation.mustBeHumanTopics)) {
    const keyword = findKeyword(text, keywords);
    if (keyword) return toHuman('must_be_human_topic', `topic "${topic}" (keyword "${keyword}")`);
  }
  if (aiSays('must_be_human_topic')) {
    return toHuman('must_be_human_topic', 'the AI found a topic for a person');
  }

  const askedWith = findKeyword(text, escalation.askForPersonKeywords);
  if (askedWith) return toHuman('asked_for_person', `the customer asked for a person ("${askedWith}")`);
  if (aiSays('asked_for_person')) {
    return toHuman('asked_for_person', 'the AI says the customer asked for a person');
  }

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

  if (ai && ai.confidence < escalation.aiConfidenceThreshold) {
    return toHuman(
      'low_confidence',
      `AI confidence ${ai.confidence} is under the threshold ${escalation.aiConfidenceThreshold}`,
    );
  }
  if (aiSays('low_confidence')) return toHuman('low_confidence', 'the AI has no answer good enough');
  if (aiSays('unsupported_language')) {
    return toHuman('low_confidence', "the AI cannot answer in the customer's language");
  }
  if (aiSays('model_error')) return toHuman('low_confidence', 'the AI failed to answer');

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
      detail: `outside business hours (${hours.timezone}); the AI answers and says when a person will`,
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
