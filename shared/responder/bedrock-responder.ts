import {
  type BedrockRuntimeClient,
  BedrockRuntimeServiceException,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import * as z from 'zod';
import { buildHandoffSummary, type SummarySignals } from '../domain/handoff-summary.js';
import {
  asksForPerson,
  type ConversationView,
  channelName,
  escalatesOn,
  firstName,
  historyOf,
  pendingText,
  type Responder,
  type ResponderContext,
  type ResponderResult,
  viewConversation,
} from '../domain/responder.js';
import { type HandoffReason, SentimentSchema } from '../domain/routing/decision.js';
import { headOf, shortened } from '../domain/text-cut.js';
import { authorKind, byTime, type TimelineItem } from '../domain/timeline.js';
import { UnavailableError } from '../errors.js';
import { logger } from '../log.js';
import { converse, DEFAULT_BEDROCK_TIMEOUT_MS, TRANSIENT_ERRORS } from './bedrock-converse.js';
import { bedrockSystemPrompt } from './bedrock-prompt.js';
import type { Passage } from './knowledge-base-articles.js';
import type { PassageIndex, Retrieval } from './knowledge-base-index.js';
import { DEFAULT_NEGATIVE_SENTIMENT, DEFAULT_THRESHOLD } from './knowledge-base-responder.js';
import { scoreSentiment } from './text-signals.js';

export { BEDROCK_SYSTEM_PROMPT, bedrockSystemPrompt } from './bedrock-prompt.js';

/** The JSON answer the model is asked for; anything else is a `model_error`. */
export const ModelAnswerSchema = z.object({
  reply: z.string().trim().min(1).max(4000).nullish(),
  confidence: z.number().min(0).max(1),
  handoff: z
    .object({
      reason: z.enum(['low_confidence', 'negative_sentiment', 'asked_for_person', 'unsupported_language']),
      summary: z.string().trim().min(1).max(1000),
    })
    .nullish(),
  language: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z]{2}$/)
    .nullish(),
  sentiment: SentimentSchema.nullish(),
});
export type ModelAnswer = z.infer<typeof ModelAnswerSchema>;

/**
 * The model's answer, or undefined when it is not the JSON asked for. Models sometimes wrap JSON in
 * a Markdown fence or a sentence: the outermost braces are taken.
 */
export function parseModelAnswer(text: string): ModelAnswer | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const parsed = ModelAnswerSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

// The look-behind starts a try only where a run of local-part characters starts: without it, every
// position of a long run was a new start that scanned to the run's end (quadratic, seconds per 64 KB).
const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
// A run of digits with the separators people type in phone numbers, optionally after + or 00.
// At most 40 characters between the first and last digit (15 digits and their separators, generously):
// an unbounded run made each match, and the digit count of it, as long as the input.
const PHONE_LIKE = /(?<![\p{L}\p{N}+])(?:\+|\(\+?)?\d[\d \u00a0().\-/]{5,40}\d(?![\p{L}\p{N}])/gu;
const DATE_LIKE = /^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})$/;

/** Whether a phone-like match is a phone number: 7 to 15 digits, and with separators or 9 digits or more. */
function looksLikePhone(candidate: string): boolean {
  if (DATE_LIKE.test(candidate)) return false;
  const digits = candidate.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  // A bare run of 7 or 8 digits is more often an order number than a phone number.
  return digits >= 9 || /^\+|^\(|[ \u00a0().\-/]/.test(candidate);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text with what the answer does not need masked: email addresses as `[email]`, phone numbers
 * (in any format, erring towards masking) as `[phone]`, and the customer's names other than their
 * first (`otherNames`) as `[name]`.
 */
export function maskPersonalData(text: string, otherNames: readonly string[] = []): string {
  let masked = text
    .replace(EMAIL, '[email]')
    .replace(PHONE_LIKE, (match) => (looksLikePhone(match.trim()) ? '[phone]' : match));
  for (const name of otherNames) {
    if (name.length < 2) continue;
    masked = masked.replace(
      new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'giu'),
      '[name]',
    );
  }
  return masked;
}

/** Settings of the Bedrock responder. */
export interface BedrockResponderOptions {
  client: BedrockRuntimeClient;
  /** A Bedrock model or inference-profile id that supports the Converse API. */
  modelId: string;
  /** Below this confidence the model's reply is not sent and the conversation is handed off (default 0.7). */
  threshold?: number;
  /** The shop's facts and policies, appended to the system prompt. */
  instructions?: string;
  /**
   * The knowledge base's retrieval: only the passages that answer the customer's messages go in the
   * prompt, and a message they do not answer (or answer with a confidence under the knowledge-base
   * responder's default threshold) is handed off (`low_confidence`) without calling the model.
   */
  knowledge?: () => Promise<PassageIndex>;
  /** The most recent messages of the timeline put in the prompt (default 30). */
  maxMessages?: number;
  /**
   * How long the Converse call may take, the SDK's own retries included (BEDROCK_TIMEOUT_MS, default
   * DEFAULT_BEDROCK_TIMEOUT_MS): then it is aborted and the conversation handed off (`model_error`).
   */
  timeoutMs?: number;
  maxTokens?: number;
  temperature?: number;
}

const MESSAGE_CHARS = 1000;
// What of a message is masked: enough for the MESSAGE_CHARS kept however much the masks shorten it.
const MASKED_CHARS = 4 * MESSAGE_CHARS;

/** The text with its whitespace flattened, cut to MASKED_CHARS before a word it would split. */
function boundedText(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  if (flat.length <= MASKED_CHARS) return flat;
  // A word cut in two could be an address the mask no longer recognises: it is dropped whole.
  const space = flat.lastIndexOf(' ', MASKED_CHARS);
  return flat.slice(0, flat[MASKED_CHARS] === ' ' ? MASKED_CHARS : Math.max(space, 0));
}

function describeAuthor(item: TimelineItem): string {
  if (item.direction === 'inbound') return 'customer';
  return authorKind(item) === 'agent' ? 'us (agent)' : 'us (assistant)';
}

function messageText(item: TimelineItem, otherNames: readonly string[]): string {
  const text = item.text?.trim();
  if (text) {
    const flat = maskPersonalData(boundedText(text), otherNames);
    return shortened(flat, MESSAGE_CHARS);
  }
  const referral = item.data?.referral as { ref?: unknown; source?: unknown } | undefined;
  if (item.data?.context === true && referral) {
    // The ad or link the customer came from (a lone referral): context for what they write next.
    const ref =
      typeof referral.ref === 'string' ? `: ${maskPersonalData(boundedText(referral.ref), otherNames)}` : '';
    return `[came from ${referral.source === 'ADS' ? 'an ad' : 'a link'}${shortened(ref, MESSAGE_CHARS)}, no message]`;
  }
  const kinds = item.attachments?.map((attachment) => attachment.kind) ?? [];
  return `[${kinds.length ? kinds.join(', ') : (item.contentType ?? 'message')} without text]`;
}

/**
 * The user turn: the customer's first name, channels and the recent cross-channel timeline
 * (messages only, masked; no identities, ids, notes or event data).
 */
export function buildPrompt(context: ResponderContext, view: ConversationView, maxMessages = 30): string {
  const name = firstName(context.customer);
  const otherNames = (context.customer.name?.trim().split(/\s+/) ?? []).slice(1);
  const pendingIds = new Set(view.pending.map((item) => item.id));
  const messages = [...context.timeline]
    .filter((item) => item.type === 'message')
    .sort(byTime)
    .slice(-maxMessages);
  const channels = [
    ...new Set([...context.customer.channels, ...messages.flatMap((m) => (m.channel ? [m.channel] : []))]),
  ];
  const lines = [
    `Customer: ${name ?? 'name unknown'} (${historyOf(view)})`,
    `Channels used: ${channels.map(channelName).join(', ') || 'none'}`,
    ...(view.channel ? [`Answering on: ${channelName(view.channel)}`] : []),
    '',
    'Timeline, oldest first:',
    ...messages.map(
      (item) =>
        `[${item.at}] ${item.channel ? channelName(item.channel) : 'unknown channel'}, ${describeAuthor(item)}: ${messageText(item, otherNames)}${pendingIds.has(item.id) ? ' (unanswered)' : ''}`,
    ),
  ];
  return lines.join('\n');
}

/** The help-centre passages as the system prompt quotes them, numbered, with their article's title. */
export function passagesPrompt(passages: readonly Passage[]): string {
  return passages
    .map((passage, i) => `[${i + 1}] ${passage.article.title}: ${passage.text.replace(/\s+/g, ' ')}`)
    .join('\n');
}

/** The Converse request for a context: pure, so its exact shape is tested without a mock. */
export function buildConverseInput(
  context: ResponderContext,
  view: ConversationView,
  options: Omit<BedrockResponderOptions, 'client' | 'threshold' | 'knowledge'>,
  passages: readonly Passage[] = [],
): ConverseCommandInput {
  const shop = [
    ...(options.instructions ? [options.instructions] : []),
    ...(passages.length ? [`From the help centre, for these messages:\n${passagesPrompt(passages)}`] : []),
  ];
  const prompt = bedrockSystemPrompt(context.escalates);
  const system = shop.length ? `${prompt}\n\nShop information:\n${shop.join('\n\n')}` : prompt;
  return {
    modelId: options.modelId,
    system: [{ text: system }],
    messages: [{ role: 'user', content: [{ text: buildPrompt(context, view, options.maxMessages) }] }],
    inferenceConfig: { maxTokens: options.maxTokens ?? 800, temperature: options.temperature ?? 0.2 },
  };
}

function replyText(output: ConverseCommandOutput): string {
  return (output.output?.message?.content ?? [])
    .map((block) => block.text ?? '')
    .join('')
    .trim();
}

/**
 * What the knowledge base holds for the pending text, if one is set: no passage when there is no
 * text, or when the retrieval is less sure than the knowledge-base responder would answer at.
 */
async function retrieve(options: BedrockResponderOptions, text: string): Promise<Retrieval | undefined> {
  if (!options.knowledge) return undefined;
  const found = text
    ? (await options.knowledge()).search(text)
    : { passages: [], confidence: 0, score: 0, segments: [], candidates: [] };
  return found.confidence < DEFAULT_THRESHOLD ? { ...found, passages: [] } : found;
}

/**
 * Why a message is handed off before the model is called: a person asked for, or an upset customer by
 * the knowledge-base responder's signal (so the two paths hand off alike).
 */
function handedOffFirst(
  context: ResponderContext,
  text: string | undefined,
): [HandoffReason, SummarySignals] | undefined {
  if (!text) return undefined;
  if (escalatesOn(context.escalates, 'asked_for_person') && asksForPerson(text))
    return ['asked_for_person', {}];
  if (
    escalatesOn(context.escalates, 'negative_sentiment') &&
    scoreSentiment(text) <= DEFAULT_NEGATIVE_SENTIMENT
  )
    return ['negative_sentiment', { sentiment: 'negative' }];
  return undefined;
}

/**
 * The reason a model's hand-off goes to routing with: its own, unless the policy does not escalate on
 * it (the prompt did not offer it): then `low_confidence`, as the model gave no answer to send.
 */
function followedReason(context: ResponderContext, reason: HandoffReason): HandoffReason {
  return (reason === 'negative_sentiment' || reason === 'asked_for_person') &&
    !escalatesOn(context.escalates, reason)
    ? 'low_confidence'
    : reason;
}

/**
 * The model's answer; undefined (logged) when Bedrock refused the call, did not answer within
 * `timeoutMs` (a person then, rather than a resolver held until its own timeout fails the whole batch)
 * or answered something unusable. Throws UnavailableError when Bedrock throttles or fails transiently.
 */
async function askModel(
  options: BedrockResponderOptions,
  input: ConverseCommandInput,
  timeoutMs: number,
  customerId: string,
): Promise<ModelAnswer | undefined> {
  const fields = { customerId, modelId: options.modelId };
  let output: ConverseCommandOutput | 'timeout';
  try {
    output = await converse(options.client, input, timeoutMs);
  } catch (error) {
    if (TRANSIENT_ERRORS.some((type) => error instanceof type)) {
      throw new UnavailableError('Bedrock is throttling or unavailable', { cause: error });
    }
    if (!(error instanceof BedrockRuntimeServiceException)) throw error;
    logger.warn('bedrock call failed', { ...fields, error: error.name });
    return undefined;
  }
  if (output === 'timeout') {
    logger.warn('bedrock call timed out: handed to a person', { ...fields, timeoutMs });
    return undefined;
  }
  const answer =
    output.stopReason === 'end_turn' || output.stopReason === 'stop_sequence'
      ? parseModelAnswer(replyText(output))
      : undefined;
  if (!answer) logger.warn('bedrock answer unusable', { ...fields, stopReason: output.stopReason });
  return answer;
}

/**
 * The responder on AWS: Amazon Bedrock's Converse API with a configurable model. The prompt holds
 * the recent timeline with phone numbers, email addresses and surnames masked; the model answers
 * JSON, checked with zod. Throws UnavailableError when Bedrock throttles or fails transiently (the
 * queue retries); any other failure, no answer within `timeoutMs` or an unusable answer is a
 * `model_error` handoff.
 */
export function createBedrockResponder(options: BedrockResponderOptions): Responder {
  const threshold = options.threshold ?? 0.7;
  const timeoutMs = options.timeoutMs ?? DEFAULT_BEDROCK_TIMEOUT_MS;
  return {
    async respond(context: ResponderContext): Promise<ResponderResult> {
      const view = viewConversation(context);
      const handOff = (
        reason: HandoffReason,
        signals: SummarySignals = {},
        note?: string,
        reply?: string,
      ) => {
        const summary = buildHandoffSummary(context, view, signals);
        return {
          ...(reply ? { reply } : {}),
          confidence: 0,
          handoff: { reason, summary: headOf(note ? `${summary}\nModel's note: ${note}` : summary, 2000) },
          ...(signals.language ? { language: signals.language } : {}),
          ...(signals.sentiment ? { sentiment: signals.sentiment } : {}),
        } satisfies ResponderResult;
      };

      // Checked before the model is called: a human's conversation is never sent to it.
      if (view.humanTookOver) return handOff('human_took_over');
      if (!view.pending.length) return { confidence: 0 };
      const text = pendingText(view);
      const first = handedOffFirst(context, text);
      if (first) return handOff(...first);
      const found = await retrieve(options, text);
      if (found && !found.passages.length) return handOff('low_confidence');

      const input = buildConverseInput(context, view, options, found?.passages);
      const answer = await askModel(options, input, timeoutMs, context.customer.id);
      if (!answer) return handOff('model_error');

      const signals: SummarySignals = {
        ...(answer.language ? { language: answer.language } : {}),
        ...(answer.sentiment ? { sentiment: answer.sentiment } : {}),
      };
      const reply = answer.reply ?? undefined;
      // The model's own confidence is not calibrated; the retrieval's is, and caps it.
      const confidence = Math.min(answer.confidence, found?.confidence ?? 1);
      const sources = found ? { sources: [...new Set(found.passages.map((p) => p.article.id))] } : {};
      const withConfidence = (result: ResponderResult): ResponderResult => ({ ...result, confidence });
      if (answer.handoff) {
        const reason = followedReason(context, answer.handoff.reason);
        return withConfidence(handOff(reason, signals, answer.handoff.summary, reply));
      }
      if (answer.sentiment === 'negative' && escalatesOn(context.escalates, 'negative_sentiment')) {
        return withConfidence(handOff('negative_sentiment', signals));
      }
      if (!reply || confidence < threshold) return withConfidence(handOff('low_confidence', signals));
      return { reply, confidence, ...signals, ...sources };
    },
  };
}
