import * as z from 'zod';
import { PolicyTemplateSchema, policyText } from '../policy-text.js';
import { languageMatches } from '../routing/language-match.js';
import { byLanguageSchema, LanguageTagSchema } from '../routing/language-tag.js';
import { DurationSchema } from '../sla/duration.js';
import type { Conversation } from '../timeline.js';

/**
 * The routing policy's `csat` section: one satisfaction survey after a resolve, on the customer's
 * channel. `whatsappTemplate` is the approved template sent outside WhatsApp's 24-hour window (its
 * quick-reply buttons should read as scores, "5" to "1"); without it no survey goes out there.
 */
/**
 * The survey's own words around `question`, to write in the question's language: English by default.
 * A WhatsApp button's title is at most 20 characters (WhatsApp's limit).
 */
const CsatWordsSchema = z.strictObject({
  /** After the question in a WhatsApp survey with buttons. */
  whatsapp: policyText(200).default('(Or reply with a number from 1 to 5.)'),
  /** The WhatsApp buttons scoring 5, 3 and 1. */
  great: policyText(20).default('😀 Great'),
  ok: policyText(20).default('😐 OK'),
  poor: policyText(20).default('🙁 Poor'),
  /** After the question on SMS (and to a caller). */
  sms: policyText(200).default('Reply 1 to 5 (5 is best), and add a comment if you like.'),
  /** Before the links of an email survey. */
  email: policyText(200).default('Click your score (5 is best):'),
  /** The language of these words and the question: the email survey's answer page is marked with it. */
  language: LanguageTagSchema.default('en'),
  /**
   * The page an email survey's link opens (a mail scanner opens it too, so it records nothing): its
   * title, the score chosen (`{score}`), and the button that sends it.
   */
  pageConfirm: policyText(100).default('How did we do?'),
  pageChosen: policyText(200).default('You chose {score} out of 5.'),
  pageSend: policyText(50).default('Send my score'),
  /** The page once the button is pressed; `{score}` is the score recorded. */
  pageThanks: policyText(100).default('Thank you!'),
  pageRecorded: policyText(200).default('We have your score: {score} out of 5.'),
  pageAlreadyAnswered: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default('We already have your answer: {score} out of 5.'),
  pageClosed: policyText(200).default('This survey has closed. Thank you all the same.'),
  pageBadLink: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default('This link does not work. Please use the link from the email as it is.'),
});
export type CsatWords = z.infer<typeof CsatWordsSchema>;

/** The words of a policy without a `csat` section, or before one is read: the English defaults. */
export const DEFAULT_CSAT_WORDS: CsatWords = CsatWordsSchema.parse({});

type Shape = typeof CsatWordsSchema.shape;
/** Each word as its schema without its default: a language's word left unset keeps the section's. */
type OwnWordsShape = {
  [K in Exclude<keyof Shape, 'language'>]: z.ZodOptional<ReturnType<Shape[K]['unwrap']>>;
};
const ownWordsShape = Object.fromEntries(
  Object.entries(CsatWordsSchema.shape)
    .filter(([key]) => key !== 'language')
    .map(([key, schema]) => [key, schema.unwrap().optional()]),
) as OwnWordsShape;

/**
 * The survey in one other language (`csat.byLanguage.<tag>`): its `question` and any of its `words`
 * (the tag is their `language`); each one unset keeps the section's own.
 */
const CsatLanguageSchema = z.strictObject({
  question: policyText(500).optional(),
  words: z.strictObject(ownWordsShape).optional(),
});

export const CsatSectionSchema = z.strictObject({
  $comment: z.string().optional(),
  enabled: z.boolean().default(true),
  /** How long after the resolve the survey goes out (ISO 8601, wall-clock time). */
  delay: DurationSchema.default('PT5M'),
  question: policyText(500),
  words: CsatWordsSchema.prefault({}),
  /**
   * The survey in other languages, by language tag (`ar`, `es`), keyed as `aiReplies.byLanguage`: used
   * for a conversation whose language was found (`csatInLanguage`), else `question` and `words`.
   */
  byLanguage: byLanguageSchema(CsatLanguageSchema).optional(),
  whatsappTemplate: PolicyTemplateSchema.optional(),
  /** No survey for a customer with any of these tags. */
  excludeTags: z.array(z.string().trim().min(1).max(64)).default([]),
  /** No survey for a conversation in any of these queues. */
  excludeQueues: z.array(z.string().trim().min(1).max(64)).default([]),
  /** A survey after a conversation only the AI answered (one nobody answered never has one). */
  aiOnly: z.boolean().default(false),
});
export type CsatSection = z.infer<typeof CsatSectionSchema>;

/**
 * Who answered the opening a resolve ended: `answeredBy`, written only while surveys are on; else, for
 * an answer given while they were off (`answeredAt` after `openedFrom`, where that opening began), an
 * agent when one has the conversation (a person's reply takes it), else the AI. Before, a conversation
 * answered before surveys were turned on was skipped as `unanswered`.
 */
export function answererOf(
  conversation: Pick<Conversation, 'answeredBy' | 'answeredAt' | 'openedFrom' | 'assignee'>,
): 'agent' | 'ai' | undefined {
  if (conversation.answeredBy) return conversation.answeredBy;
  const { answeredAt, openedFrom } = conversation;
  if (!answeredAt || (openedFrom !== undefined && answeredAt <= openedFrom)) return undefined;
  return conversation.assignee ? 'agent' : 'ai';
}

/**
 * Why a resolved conversation gets no survey for who answered it (`answererOf`): nobody did, or only the
 * AI did and the section does not survey that; undefined when it gets one.
 */
export function csatAnswerSkip(
  section: Pick<CsatSection, 'aiOnly'>,
  answeredBy: 'agent' | 'ai' | undefined,
): { reason: 'unanswered' | 'ai_only'; detail: string } | undefined {
  if (answeredBy === undefined) return { reason: 'unanswered', detail: 'nobody answered the customer' };
  if (answeredBy === 'ai' && !section.aiOnly)
    return { reason: 'ai_only', detail: 'only the AI answered, and csat.aiOnly is off' };
  return undefined;
}

/** Why a conversation gets no survey by the section's own rules (disabled, excluded), or undefined. */
export function csatExclusion(
  section: CsatSection | undefined,
  subject: { tags: readonly string[]; queue?: string | undefined },
): 'disabled' | 'excluded_tag' | 'excluded_queue' | undefined {
  if (!section?.enabled) return 'disabled';
  if (subject.tags.some((tag) => section.excludeTags.includes(tag))) return 'excluded_tag';
  if (subject.queue !== undefined && section.excludeQueues.includes(subject.queue)) return 'excluded_queue';
  return undefined;
}

/**
 * The section as the survey of a conversation in `language` asks it: that language's question and
 * words from `byLanguage` (matched on the primary subtag, as the hand-off words are), each one it does
 * not set the section's own, its `language` the tag; the section itself for another language or none.
 */
export function csatInLanguage(section: CsatSection, language: string | undefined): CsatSection {
  const entry = language
    ? Object.entries(section.byLanguage ?? {}).find(([tag]) => languageMatches([tag], language))
    : undefined;
  if (!entry) return section;
  const [tag, own] = entry;
  const words = Object.fromEntries(Object.entries(own.words ?? {}).filter(([, w]) => w !== undefined));
  return {
    ...section,
    question: own.question ?? section.question,
    words: { ...section.words, ...words, language: tag },
  };
}
