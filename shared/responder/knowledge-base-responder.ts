import { buildHandoffSummary } from '../domain/handoff-summary.js';
import { detectLanguage } from '../domain/language.js';
import {
  asksForPerson,
  type ConversationView,
  channelPhrase,
  escalatesOn,
  firstName,
  foldText,
  onlyStarts,
  pendingText,
  type Responder,
  type ResponderContext,
  type ResponderResult,
  viewConversation,
} from '../domain/responder.js';
import type { HandoffReason, Sentiment } from '../domain/routing/decision.js';
import { lazyPassageIndex, readKnowledgeBase } from './knowledge-base.js';
import { type Article, KnowledgeBaseError, type Passage } from './knowledge-base-articles.js';
import type { Calibration } from './knowledge-base-calibration.js';
import type { PassageIndex, Retrieval } from './knowledge-base-index.js';
import type { Synonyms } from './knowledge-base-terms.js';
import { scoreSentiment } from './text-signals.js';

/**
 * Settings of the knowledge-base responder; give `articles` (with their `synonyms` and `calibration`)
 * or a `folder` of Markdown files with its synonyms.json and calibration.json.
 */
export type KnowledgeBaseResponderOptions = (
  | { articles: readonly Article[]; synonyms?: Synonyms; calibration?: Calibration }
  | { folder: string }
) & {
  /**
   * Below this confidence the responder hands off instead of answering (0 to 1, default 0.9: only
   * where at least 9 in 10 tuning answers at that confidence were right). The routing policy's
   * `aiConfidenceThreshold` applies on top.
   */
  threshold?: number;
  /** A sentiment score at or below this marks an upset customer (default -3). */
  negativeSentiment?: number;
  /** The language the articles are written in; a customer reliably detected in another is handed off. */
  language?: string;
  /** How far back a message on another channel is acknowledged in the greeting (default 7 days). */
  continuityWindowHours?: number;
  /** Send a short holding message with a handoff, when the customer writes in `language` (default on). */
  holdingReply?: boolean;
};

/** The confidence under which both responders hand off unless told otherwise. */
export const DEFAULT_THRESHOLD = 0.9;
/** A sentiment score at or below this marks an upset customer, for either responder. */
export const DEFAULT_NEGATIVE_SENTIMENT = -3;

const SMALL_TALK_GREETING =
  /^(hi|hello|hey|hiya|good (morning|afternoon|evening))( there| all| team)?( \p{L}+)?$/u;
const SMALL_TALK_THANKS = /\b(thanks|thank you|thank u|thx|ty|cheers|great thanks|perfect)\b/;

/** "Hi Dana" when the customer's name is known; no greeting without it (a bare "Hi," reads stiffly). */
function greeting(name: string | undefined, end: string): string {
  return name ? `Hi ${name}${end}` : '';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

const HOLDING_REPLIES: Partial<Record<HandoffReason, string>> = {
  asked_for_person: "Of course: I'm passing you to a colleague, who will answer you here shortly.",
  negative_sentiment:
    "I'm sorry about this. I'm passing your message to a colleague, who will answer you here shortly.",
  low_confidence: "Thanks for your message. I'm passing it to a colleague, who will answer you here shortly.",
};

/** The responder's settings with their defaults applied, and its search over the articles. */
interface Settings {
  index: () => Promise<PassageIndex>;
  threshold: number;
  negativeSentiment: number;
  kbLanguage: string;
  windowMs: number;
  holdingReply: boolean;
}

/** What the pending text says about the customer: sentiment (score and label) and language. */
interface Signals {
  sentimentScore: number | undefined;
  sentiment: Sentiment | undefined;
  language: string | undefined;
}

// A message whose words are nearly all the articles' own or English function words is in the
// articles' language, whatever a detector makes of a short one ("can I use klarna?" reads as Swedish).
const FAMILIAR_SHARE = 0.8;

function readSignals(
  settings: Settings,
  view: ConversationView,
  text: string,
  index: PassageIndex | undefined,
): Signals {
  const sentimentScore = text ? scoreSentiment(text) : undefined;
  const sentiment: Sentiment | undefined =
    sentimentScore === undefined
      ? undefined
      : sentimentScore <= settings.negativeSentiment
        ? 'negative'
        : sentimentScore >= 2
          ? 'positive'
          : 'neutral';
  // Short messages rarely tell their language: fall back to the customer's recent history.
  const language =
    (text && detectLanguage(text)) ||
    detectLanguage(
      [...view.earlier.slice(-3).map((item) => item.text ?? ''), text].filter(Boolean).join('\n'),
    ) ||
    undefined;
  const familiar = language !== settings.kbLanguage && index && index.familiar(text) >= FAMILIAR_SHARE;
  return { sentimentScore, sentiment, language: familiar ? settings.kbLanguage : language };
}

/** "I see you asked about tracking your parcel on WhatsApp earlier.", for a recent message elsewhere. */
async function continuity(settings: Settings, view: ConversationView): Promise<string | undefined> {
  const now = view.pending.at(-1)?.at;
  if (!now || !view.channel) return undefined;
  const since = Date.parse(now) - settings.windowMs;
  const previous = view.earlier
    .filter((item) => item.channel && item.channel !== view.channel && Date.parse(item.at) >= since)
    .at(-1);
  if (!previous?.channel) return undefined;
  const found = previous.text ? (await settings.index()).search(previous.text) : undefined;
  const article = found?.passages[0]?.article;
  const where = channelPhrase(previous.channel);
  return article && found.confidence >= settings.threshold
    ? `I see you asked about ${lowerFirst(article.title)} ${where} earlier.`
    : `I see you wrote to us ${where} earlier.`;
}

/** A reply to a greeting or a thank-you that matched no article. */
function smallTalk(folded: string, name: string | undefined): string | undefined {
  if (folded && SMALL_TALK_THANKS.test(folded)) {
    return `You're welcome${name ? `, ${name}` : ''}! Anything else I can help with?`;
  }
  if (folded && SMALL_TALK_GREETING.test(folded)) return welcome(name);
  return undefined;
}

/** The answer to a greeting, or to Get Started: "Hi Dana! How can I help you today?". */
function welcome(name: string | undefined): string {
  return `${greeting(name, '! ') || 'Hi! '}How can I help you today?`;
}

async function respond(settings: Settings, context: ResponderContext): Promise<ResponderResult> {
  const view = viewConversation(context);
  if (!view.pending.length && !view.humanTookOver) return { confidence: 0 };
  const text = pendingText(view);
  const index = text ? await settings.index() : undefined;
  const { sentimentScore, sentiment, language } = readSignals(settings, view, text, index);
  const found: Retrieval | undefined = index?.search(text);
  const answered = found?.passages.length ? found.passages : undefined;
  const confidence = found?.confidence ?? 0;
  const signals = {
    ...(language ? { language } : {}),
    ...(sentiment ? { sentiment } : {}),
  };
  const drawnOn = answered ?? found?.candidates.slice(0, 1) ?? [];
  const sources = drawnOn.length ? { sources: [...new Set(drawnOn.map((p) => p.article.id))] } : {};
  const name = firstName(context.customer);

  const handOff = (reason: HandoffReason): ResponderResult => {
    const holding =
      settings.holdingReply && (!language || language === settings.kbLanguage)
        ? HOLDING_REPLIES[reason]
        : undefined;
    return {
      ...(holding ? { reply: `${greeting(name, '. ')}${holding}` } : {}),
      confidence,
      handoff: { reason, summary: buildHandoffSummary(context, view, { ...signals, sentimentScore }) },
      ...signals,
      ...sources,
    };
  };

  if (view.humanTookOver) return handOff('human_took_over');
  // Get Started (Messenger's button, or typed) asks nothing: the greeting, never an article on "start".
  if (onlyStarts(view)) return { reply: welcome(name), confidence: 1 };
  // A reason the routing policy does not escalate on is none: the message is answered as any other.
  if (text && escalatesOn(context.escalates, 'asked_for_person') && asksForPerson(text, language)) {
    return handOff('asked_for_person');
  }
  if (sentiment === 'negative' && escalatesOn(context.escalates, 'negative_sentiment')) {
    return handOff('negative_sentiment');
  }
  if (language && language !== settings.kbLanguage) return handOff('unsupported_language');

  const chat = answered || found?.candidates.length ? undefined : smallTalk(foldText(text), name);
  if (chat) return { reply: chat, confidence: 1, ...signals };
  if (!answered || confidence < settings.threshold) return handOff('low_confidence');

  const acknowledgement = await continuity(settings, view);
  return { reply: answerText(answered, name, acknowledgement), confidence, ...signals, ...sources };
}

// A sentence ending in a question mark at the start of a paragraph, with more text after it.
const LEADING_QUESTION = /^[^.!?\n]{1,200}\?\s+(?=\S)/;

/**
 * A passage as an answer quotes it: without the question it opens with ("How long does delivery
 * take? Standard shipping..."), which the customer has just asked and which reads oddly after "Hi Dana!".
 */
export function answerSentences(passage: Passage): string {
  let text = passage.text;
  for (let found = LEADING_QUESTION.exec(text); found; found = LEADING_QUESTION.exec(text)) {
    text = text.slice(found[0].length);
  }
  return text;
}

/**
 * The answer as a chat message: a greeting by name when known, the acknowledgement of another
 * channel on its own line, then the passages' sentences. The articles it drew on go in `sources`,
 * not in the text, so the reply stays short (it is written several times at its size).
 */
export function answerText(
  passages: readonly Passage[],
  name: string | undefined,
  acknowledgement?: string,
): string {
  const body = passages.map(answerSentences).join('\n\n');
  if (acknowledgement) {
    return `${greeting(name, ', ')}${acknowledgement}\n\n${body}`;
  }
  return `${greeting(name, '! ')}${body}`;
}

/**
 * The local default responder: answers from Markdown help articles found by full-text search, and
 * hands off to a person when it is unsure, the customer is upset or asks for a person, or a human
 * already took over. Greets by name and acknowledges what the customer wrote on another channel.
 */
export function createKnowledgeBaseResponder(options: KnowledgeBaseResponderOptions): Responder {
  const language = options.language ?? 'en';
  const base =
    'articles' in options
      ? { articles: options.articles, synonyms: options.synonyms, calibration: options.calibration, language }
      : readKnowledgeBase(options.folder, language);
  if (!base.articles.length) throw new KnowledgeBaseError('the knowledge base has no articles');
  const settings: Settings = {
    index: lazyPassageIndex(base),
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    negativeSentiment: options.negativeSentiment ?? DEFAULT_NEGATIVE_SENTIMENT,
    kbLanguage: language,
    windowMs: (options.continuityWindowHours ?? 24 * 7) * 3_600_000,
    holdingReply: options.holdingReply ?? true,
  };
  return { respond: (context) => respond(settings, context) };
}
