import * as z from 'zod';
import { isContactKeyword } from './asks-nothing.js';
import type { Channel } from './envelope.js';
import { type HandoffReason, HandoffReasonSchema, SentimentSchema } from './routing/decision.js';
import { AI_AUTHOR_ID } from './routing/routable.js';
import {
  authorKind,
  byTime,
  type Customer,
  CustomerSchema,
  conversationOf,
  type TimelineItem,
  TimelineItemSchema,
} from './timeline.js';

/** Reasons after which a result carries no reply at all (not even a holding message). */
export const SILENT_HANDOFF_REASONS: ReadonlySet<HandoffReason> = new Set(['human_took_over', 'model_error']);

/** A request to route the conversation to a person, with what the agent needs to pick it up. */
export const HandoffSchema = z.object({
  reason: HandoffReasonSchema,
  /** For the agent: channels used, what the customer asked, sentiment. Never sent to the customer. */
  summary: z.string().min(1).max(2000),
});

/** What a responder is given: the customer and their recent cross-channel timeline. */
export const ResponderContextSchema = z.object({
  customer: CustomerSchema,
  /**
   * The customer's most recent items, on every channel and conversation (the order does not matter):
   * routing passes the last RECENT_ITEMS up to the message, never the whole timeline.
   */
  timeline: z.array(TimelineItemSchema),
  /** The conversation to answer; the customer's open conversation when unset. */
  conversationId: z.string().optional(),
  /**
   * Which of a responder's own hand-off reasons the routing policy escalates on (both when unset). One
   * switched off is no reason to hand off: the responder answers, or hands off for want of an answer.
   */
  escalates: z.object({ negativeSentiment: z.boolean(), askedForPerson: z.boolean() }).optional(),
});
export type ResponderContext = z.infer<typeof ResponderContextSchema>;

/** Whether the routing policy escalates on this reason of a responder's (yes, unless told otherwise). */
export function escalatesOn(
  escalates: ResponderContext['escalates'],
  reason: 'negative_sentiment' | 'asked_for_person',
): boolean {
  if (!escalates) return true;
  return reason === 'negative_sentiment' ? escalates.negativeSentiment : escalates.askedForPerson;
}

/**
 * What a responder answers. `reply` and `handoff` may come together: the reply is then a holding
 * message ("a colleague will answer here"). Neither means there was nothing to answer.
 */
export const ResponderResultSchema = z
  .object({
    /** Text to send to the customer now, on the channel they last wrote on. */
    reply: z.string().min(1).max(4000).optional(),
    /** 0 to 1: how sure the responder is that its answer fits the question. */
    confidence: z.number().min(0).max(1),
    handoff: HandoffSchema.optional(),
    /** ISO 639-1 code of the customer's latest messages, when it could be told reliably. */
    language: z
      .string()
      .regex(/^[a-z]{2}$/)
      .optional(),
    sentiment: SentimentSchema.optional(),
    /** Ids of the knowledge-base articles the answer drew on. */
    sources: z.array(z.string()).optional(),
  })
  .refine(
    (result) => !(result.reply && result.handoff && SILENT_HANDOFF_REASONS.has(result.handoff.reason)),
    {
      message: 'no reply after a human took over or the model failed',
      path: ['reply'],
    },
  );
export type ResponderResult = z.infer<typeof ResponderResultSchema>;

/** The responder port: reads the customer's context, answers or hands off. Throws only to be retried. */
export interface Responder {
  respond(context: ResponderContext): Promise<ResponderResult>;
}

/** The parts of the timeline every responder looks at, derived once per call. */
export interface ConversationView {
  /** Items of the conversation being answered, oldest first (all items when no conversation is known). */
  items: TimelineItem[];
  /** Inbound messages after our last outbound one in that conversation: what to answer now. */
  pending: TimelineItem[];
  /** Inbound messages before `pending`, on any channel and in any conversation, oldest first. */
  earlier: TimelineItem[];
  /** The channel of the latest pending message. */
  channel?: Channel;
  /** An agent wrote in the conversation, or it was assigned to an agent, or by a person to a queue. */
  humanTookOver: boolean;
  /**
   * The customer reached us before what is pending now: an earlier message, a call in another
   * conversation, or this conversation resolved once already (absent: `earlier` says).
   */
  returning?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isAgentAuthored = (item: TimelineItem) => authorKind(item) === 'agent';

/**
 * Whether an `assigned` event leaves the conversation with an agent, or with a queue a person put it in
 * (not an unassignment). The AI's own hand-off to a queue, nobody assigned, is no person taking it: a
 * later message finds it waiting for one (`awaiting_human`), not taken.
 */
function assignsToHumans(item: TimelineItem): boolean {
  const to = item.data?.to;
  if (!isRecord(to)) return true;
  if (to.agentId) return true;
  return Boolean(to.queue) && item.data?.by !== AI_AUTHOR_ID;
}

/**
 * A message of the customer's that asks something: not an SMS keyword the contact state takes (STOP...),
 * nor the ad or link they came from alone (`data.context`), which the prompt shows as context only.
 */
export const isInboundMessage = (item: TimelineItem) =>
  item.type === 'message' &&
  item.direction === 'inbound' &&
  !isContactKeyword(item) &&
  item.data?.context !== true;

/** Splits the context into the conversation being answered, what is pending in it, and the history. */
export function viewConversation(context: ResponderContext): ConversationView {
  const timeline = [...context.timeline].sort(byTime);
  const conversationId = context.conversationId ?? context.customer.openConversationId;
  // Without a conversation id every item counts: a human in any of them keeps the responder quiet.
  const items = conversationId
    ? timeline.filter((item) => conversationOf(item) === conversationId)
    : timeline;

  const lastAssignment = items.filter((item) => item.type === 'event' && item.event === 'assigned').at(-1);
  const humanTookOver =
    items.some(isAgentAuthored) || (lastAssignment !== undefined && assignsToHumans(lastAssignment));

  const pending: TimelineItem[] = [];
  for (const item of [...items].reverse()) {
    if (item.type !== 'message') continue;
    // An automation's echo (an instant reply sent in the Page's name) answered nothing: still pending.
    if (item.direction === 'outbound' && item.data?.automated !== true) break;
    if (isInboundMessage(item)) pending.unshift(item);
  }
  const pendingIds = new Set(pending.map((item) => item.id));
  const firstPendingAt = pending[0]?.at;
  const earlier = timeline.filter(
    (item) =>
      isInboundMessage(item) && !pendingIds.has(item.id) && (!firstPendingAt || item.at <= firstPendingAt),
  );
  const channel = pending.at(-1)?.channel;
  const returning =
    earlier.length > 0 ||
    items.some((item) => item.type === 'event' && item.event === 'resolved') ||
    timeline.some((item) => isContact(item) && conversationOf(item) !== conversationId);
  return { items, pending, earlier, ...(channel ? { channel } : {}), humanTookOver, returning };
}

/** Something the customer did to reach us: a message, or a call (left a voicemail, talked, or missed). */
const isContact = (item: TimelineItem) =>
  isInboundMessage(item) ||
  (item.type === 'event' &&
    item.direction !== 'outbound' &&
    (item.event === 'call_voicemail' || item.event === 'call_completed' || item.event === 'call_missed'));

/** How the summary names the customer's history. */
export function historyOf(view: ConversationView): string {
  return (view.returning ?? view.earlier.length > 0) ? 'returning customer' : 'first contact';
}

/** The text of the pending messages, one per line. */
export function pendingText(view: ConversationView): string {
  return view.pending
    .map((item) => item.text?.trim())
    .filter((text): text is string => Boolean(text))
    .join('\n');
}

/** The payload Messenger's Get Started button sends by convention (the Page sets it when it adds the button). */
const GET_STARTED_PAYLOAD = 'GET_STARTED';
/** Typed words that only start a conversation, folded (`foldText`): "Get started", "Let's start". */
const START_WORDS = /^(lets |let s )?(get started|getting started|start|begin)( please| pls)?$/;

/**
 * Whether the pending messages only start the conversation: a tap on Messenger's Get Started button (a
 * postback whose payload is GET_STARTED, its title "Get Started") or words that say nothing more ("Get
 * started"). They ask nothing: "start" is no question about starting a return.
 */
export function onlyStarts(view: Pick<ConversationView, 'pending'>): boolean {
  if (!view.pending.length) return false;
  return view.pending.every((item) => {
    const postback = item.data?.postback;
    if (isRecord(postback) && postback.payload === GET_STARTED_PAYLOAD) return true;
    return item.text !== undefined && START_WORDS.test(foldText(item.text));
  });
}

const CHANNEL_NAMES: Record<Channel, string> = {
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  email: 'email',
  voice: 'phone',
  webchat: 'web chat',
};

/** How a channel reads in a sentence: "on WhatsApp", "by email". */
const CHANNEL_PHRASES: Record<Channel, string> = {
  sms: 'by SMS',
  whatsapp: 'on WhatsApp',
  messenger: 'on Messenger',
  instagram: 'on Instagram',
  email: 'by email',
  voice: 'on the phone',
  webchat: 'in the web chat',
};

/** A channel's display name ("WhatsApp", "SMS", "email"). */
export function channelName(channel: Channel): string {
  return CHANNEL_NAMES[channel];
}

/** A channel as a sentence reads it: "on WhatsApp", "by email". */
export function channelPhrase(channel: Channel): string {
  return CHANNEL_PHRASES[channel];
}

/** The first word of the customer's name, for a greeting; undefined when no usable name is known. */
export function firstName(customer: Pick<Customer, 'name'>): string | undefined {
  const first = customer.name?.trim().split(/\s+/)[0];
  return first && /\p{L}/u.test(first) ? first : undefined;
}

/** Folds text for matching: lower case, no accents, letters and digits separated by single spaces. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface PersonRequestPatterns {
  /** Phrases that ask for a person in this language and mean nothing else in another. */
  phrases: RegExp[];
  /** Single words, trusted only when the text is known to be in this language. */
  words: RegExp[];
}

// Patterns run on folded text (see foldText): lower case, no accents, no punctuation.
const PERSON_REQUESTS: Record<string, PersonRequestPatterns> = {
  en: {
    phrases: [
      /\b(speak|talk|chat) (to|with) (a |an |some |the )?(someone|somebody|human|person|people|agent|representative|operator|manager|real person|human being|live agent)\b/,
      /\breal (person|human|people)\b/,
      /\b(live|human) agent\b/,
      /\bhuman being\b/,
    ],
    words: [
      /^(an? )?(agent|human|operator|representative|person)( please| pls| now)?$/,
      /(?<!\b(delivery|shipping|customs|travel|estate|courier) )\bagent\b/,
      /\bhuman\b/,
    ],
  },
  es: {
    phrases: [
      /\bhablar con (una persona|alguien|un agente|un humano|un operador|un asesor|una persona real)\b/,
      /\bpersona real\b/,
    ],
    words: [/\b(agente|humano|operador|asesor)\b/],
  },
  fr: {
    phrases: [
      /\bparler (a|avec) (quelqu un|une personne|un agent|un conseiller|une conseillere|un humain|un etre humain|un operateur)\b/,
      /\b(vraie personne|personne reelle|etre humain)\b/,
    ],
    words: [/\b(conseiller|conseillere|humain|operateur)\b/],
  },
  de: {
    phrases: [
      /\b(mit )?(einem menschen|einer person|jemandem|einem mitarbeiter|einer mitarbeiterin|einem berater) (sprechen|reden)\b/,
      /\b(echten? (person|menschen?)|kundenberater)\b/,
    ],
    words: [/\b(mitarbeiter|mitarbeiterin|mensch|menschen)\b/],
  },
  pt: {
    phrases: [
      /\bfalar com (uma pessoa|alguem|um atendente|uma atendente|um humano|um agente)\b/,
      /\bpessoa real\b/,
    ],
    words: [/\b(atendente|humano)\b/],
  },
  it: {
    phrases: [/\bparlare con (una persona|qualcuno|un operatore|un umano)\b/, /\bpersona reale\b/],
    words: [/\b(operatore|umano)\b/],
  },
  nl: {
    phrases: [
      /\b(spreken|praten) met (een mens|iemand|een medewerker|een persoon)\b/,
      /\becht(e)? persoon\b/,
    ],
    words: [/\b(medewerker|mens)\b/],
  },
};

const PERSON_REQUEST_CHARS = 10_000;

/**
 * Whether the customer asks for a person. English is always checked; single words of another
 * language only when `language` says the text is in it, and every language's unambiguous phrases
 * when the language is unknown (single words like Dutch "mens" would misfire on English text).
 */
export function asksForPerson(text: string, language?: string): boolean {
  // Folding and the patterns are linear, but a 1 MB email is not read to its end for a request that
  // would be near its start: the first PERSON_REQUEST_CHARS are.
  const folded = foldText(text.slice(0, PERSON_REQUEST_CHARS));
  if (!folded) return false;
  const test = (patterns: readonly RegExp[]) => patterns.some((pattern) => pattern.test(folded));
  const english = PERSON_REQUESTS.en;
  if (english && (test(english.phrases) || test(english.words))) return true;
  if (language) {
    const own = PERSON_REQUESTS[language];
    return own ? test(own.phrases) || test(own.words) : false;
  }
  return Object.values(PERSON_REQUESTS).some((patterns) => test(patterns.phrases));
}
