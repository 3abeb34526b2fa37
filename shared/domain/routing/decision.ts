import * as z from 'zod';
import type { Channel } from '../envelope.js';
import type { Conversation } from '../timeline.js';
import { LanguageTagSchema, type RoutingPolicy } from './policy.js';

/**
 * Why a message went where it went, in order of precedence: the first rule that fires decides.
 * `awaiting_human` (a conversation already escalated stays with humans until one takes it),
 * `queue_removed` (one that nobody has, in a queue the policy no longer has, is handed off anew),
 * `ai_answer_limit` (the AI answered as often in a row as the policy allows) and `ai_failed` (the AI
 * failed to answer, or gave no answer in time) are ours, beside the list.
 */
export const RouteReasonSchema = z.enum([
  'human_took_over',
  'awaiting_human',
  'queue_removed',
  'vip',
  'voicemail',
  'must_be_human_topic',
  'asked_for_person',
  'negative_sentiment',
  'channel_switch',
  'ai_answer_limit',
  'ai_failed',
  'low_confidence',
  'after_hours',
  'routine',
]);
export type RouteReason = z.infer<typeof RouteReasonSchema>;

/** Who answers a message: the AI or a person. */
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
 * Why a responder hands the conversation to a person. The first four use the routing vocabulary
 * (`RouteReason`); `unsupported_language` and `model_error` are the responder's own.
 */
export const HandoffReasonSchema = z.enum([
  /** No answer good enough: an unknown question, or a message without text. */
  'low_confidence',
  /** An upset or angry customer. */
  'negative_sentiment',
  /** The customer asked for a person. */
  'asked_for_person',
  /** An agent already took over this conversation: the responder never replies then. */
  'human_took_over',
  /** The customer writes in a language the responder cannot answer in. */
  'unsupported_language',
  /** The model failed or answered something unusable: the responder never replies then. */
  'model_error',
]);
export type HandoffReason = z.infer<typeof HandoffReasonSchema>;

/**
 * Why the AI itself asks to hand off: the responder's vocabulary (`shared/responder`), plus
 * `must_be_human_topic`. `unsupported_language` and `model_error` count as low confidence.
 */
export const AiHandoffReasonSchema = z.enum([...HandoffReasonSchema.options, 'must_be_human_topic']);
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
  message: {
    channel: Channel;
    kind: InboundKind;
    text?: string | undefined;
    /** The language found in the text by routing itself, for a message the AI has not read. */
    language?: string | undefined;
    /** The addresses of ours it came in on (`receivingAddresses`), for the queues' `to`. */
    to?: readonly string[] | undefined;
  };
  conversation: Pick<Conversation, 'status' | 'assignee' | 'queue' | 'language'> & {
    /** Channels the customer wrote on in this conversation before this message (not including it). */
    channelsBefore: readonly Channel[];
    /** An agent has replied in the conversation. */
    humanReplied?: boolean | undefined;
    /** The target of the previous decision in this conversation; unset for a new or reopened one. */
    routedTo?: RouteTarget | undefined;
    /**
     * The conversation was handed to a person for a message without text (a photo) sent together with
     * this one, which has text: the AI answers it if it can (rule 2's exception).
     */
    handedOffBeside?: boolean | undefined;
    /** The queue the previous hand-off chose, while the conversation's `queue` is not written yet. */
    routedQueue?: string | undefined;
    /** The AI's answers in a row before this message, since the conversation (re)opened or an agent replied. */
    aiAnswersInARow?: number | undefined;
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
