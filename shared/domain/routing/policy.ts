import * as z from 'zod';
import { parseWellFormedJson } from '../../validation/well-formed-json.js';
import { type AutomationRule, AutomationsSchema } from '../automations/rules.js';
import { type CsatSection, CsatSectionSchema } from '../csat/section.js';
import { ChannelSchema } from '../envelope.js';
import { policyText } from '../policy-text.js';
import { HolidaysSchema, OverridesSchema, TimeZoneSchema } from '../sla/calendar-schema.js';
import { AutoResolveSchema, type SlaSection, SlaSectionSchema } from '../sla/policy.js';
import { checkSlaCalendars } from '../sla/rules.js';
import { languageMatches } from './language-match.js';
import { byLanguageSchema, LanguageTagSchema } from './language-tag.js';

/** Raised when a routing policy file is not JSON or breaks the schema; the message names each bad field. */
export class RoutingPolicyError extends Error {
  override name = 'RoutingPolicyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** JSON has no comments: every section of the policy may carry a `$comment`, which routing ignores. */
const comment = z.string().optional();

/** An IANA time zone such as `Europe/Paris`, as the runtime's ICU data knows it, named by its place (or UTC). */
export { TimeZoneSchema } from '../sla/calendar-schema.js';

// A language tag's schema lives beside (the survey's section, which this file imports, uses it too).
export { LanguageTagSchema } from './language-tag.js';

/**
 * A keyword or phrase; a trailing `*` matches any word that starts with it (`refund*`). A `*` anywhere
 * else matched nothing (a must-be-human topic silently off): it is refused, naming the keyword.
 */
const KeywordSchema = z
  .string()
  .trim()
  .max(100)
  .regex(/[\p{L}\p{N}]/u, 'a keyword needs at least one letter or digit')
  .refine((keyword) => !keyword.slice(0, -1).includes('*'), {
    error: (issue) =>
      `"${String(issue.input)}": a * may only end a keyword ("refund*" matches refund, refunds, refunded); write the word it starts with, or list each form`,
  });

/** Why `address` is none of the forms a queue's `to` takes, or undefined when it is one. */
function receivingAddressProblem(address: string): string | undefined {
  const quoted = JSON.stringify(address);
  if (address.startsWith('+')) {
    return /^\+[1-9]\d{1,14}$/.test(address)
      ? undefined
      : `${quoted} is not an E.164 number: + and the country code, then digits only, at most 15 (+15017120001)`;
  }
  if (address.includes('@')) {
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? undefined : `${quoted} is not an email address`;
  }
  if (/^https?:/i.test(address)) {
    const origin = URL.canParse(address) ? new URL(address).origin : undefined;
    if (origin === address) return undefined;
    const write = origin && origin !== 'null' ? `write ${origin}` : 'write its scheme and host only';
    return `${quoted} is not a site's origin (scheme and host, no path, no trailing /): ${write}`;
  }
  if (/^\d{3,32}$/.test(address)) return undefined;
  return `${quoted} is not a receiving address: write an E.164 number (+15017120001), an email address, a web-chat site's origin (https://brand-b.example), or a WhatsApp phone number id, Page id or Instagram account id (digits)`;
}

/**
 * One of our receiving addresses, for a queue's `to`: an E.164 number (SMS, voice, WhatsApp through
 * Twilio), digits (an SMS short code, a WhatsApp phone number id, a Page or Instagram account id), an
 * email address (kept in lower case: compared without case), or a web-chat site's origin.
 */
const ReceivingAddressSchema = z
  .string()
  .trim()
  .max(320)
  .superRefine((address, ctx) => {
    const problem = receivingAddressProblem(address);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((address) => (address.includes('@') ? address.toLowerCase() : address));

export const WeekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof WeekdaySchema>;

/** `HH:MM`, 24-hour; `24:00` closes at midnight. */
const TimeOfDaySchema = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time of day "HH:MM" (00:00 to 24:00)');

/** One opening window. `close` at or before `open` runs past midnight into the next day. */
export const OpeningHoursSchema = z
  .strictObject({
    days: z.array(WeekdaySchema).min(1),
    open: TimeOfDaySchema,
    close: TimeOfDaySchema,
  })
  .refine((w) => w.open !== w.close, {
    message: 'open and close are equal: use "00:00" to "24:00" for a whole day',
    path: ['close'],
  });

/** Where a routine message goes while closed: the AI (told it is after hours) or a named queue. */
export const AfterHoursSchema = z.discriminatedUnion('route', [
  z.strictObject({ route: z.literal('ai') }),
  z.strictObject({ route: z.literal('queue'), queue: z.string().min(1) }),
]);

/** When humans are there, in one time zone. */
export const BusinessHoursSchema = z.strictObject({
  $comment: comment,
  timezone: TimeZoneSchema,
  hours: z.array(OpeningHoursSchema).min(1),
  /** Dates the team is closed all day (public holidays), as an SLA calendar's `holidays`. */
  holidays: HolidaysSchema,
  /** Dates with their own windows instead of the week's (`[]`: closed), as an SLA calendar's `overrides`. */
  overrides: OverridesSchema,
  afterHours: AfterHoursSchema.prefault({ route: 'ai' }),
});
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

/**
 * A human queue. A message belongs to the first queue, in file order, whose every stated criterion
 * matches; a queue with no criteria is reached only as the default or after-hours queue.
 */
export const QueueSchema = z.strictObject({
  $comment: comment,
  name: z.string().trim().min(1).max(64),
  channels: z.array(ChannelSchema).min(1).optional(),
  languages: z.array(LanguageTagSchema).min(1).optional(),
  keywords: z.array(KeywordSchema).min(1).optional(),
  /** The addresses of ours the message came in on: one of them must be the message's. */
  to: z.array(ReceivingAddressSchema).min(1).optional(),
  /** This queue's own hours; without them, the policy's. */
  businessHours: BusinessHoursSchema.optional(),
});
export type Queue = z.infer<typeof QueueSchema>;

/** The topics a human must handle, each with the keywords that reveal it. */
export const DEFAULT_MUST_BE_HUMAN_TOPICS: Readonly<Record<string, readonly string[]>> = {
  refund: [
    'refund*',
    'money back',
    'chargeback*',
    'reimburse*',
    'want my money',
    'where is my money',
    'wheres my money',
    'return my money',
    'been paid back',
  ],
  cancel: ['cancel*', 'unsubscribe', 'close my account', 'terminate my'],
  complaint: ['complain*', 'unacceptable', 'disgraceful', 'ombudsman'],
  legal: ['lawyer*', 'attorney*', 'solicitor*', 'lawsuit*', 'legal action', 'sue', 'suing', 'court', 'gdpr'],
};

/** What customers write when they want a person rather than a bot. */
export const DEFAULT_ASK_FOR_PERSON_KEYWORDS: readonly string[] = [
  'human',
  'real person',
  'a person',
  'live agent',
  'an agent',
  'representative',
  'operator',
  'speak to someone',
  'talk to someone',
];

/** When a message goes to a human instead of the AI. */
export const EscalationSchema = z.strictObject({
  $comment: comment,
  /** The AI answers only when it is at least this confident (0 to 1). */
  aiConfidenceThreshold: z.number().min(0).max(1).default(0.7),
  mustBeHumanTopics: z
    .record(z.string().trim().min(1).max(64), z.array(KeywordSchema).min(1))
    .default(() => structuredClone(DEFAULT_MUST_BE_HUMAN_TOPICS) as Record<string, string[]>),
  /** `[]` turns the rule off, the AI's own reading included. */
  askForPersonKeywords: z.array(KeywordSchema).default(() => [...DEFAULT_ASK_FOR_PERSON_KEYWORDS]),
  /**
   * The AI's own reading of a request for a person (the knowledge-base responder's phrases in seven
   * languages, the model's judgement on Bedrock) escalates too; false leaves `askForPersonKeywords` alone.
   */
  aiDetectsAskForPerson: z.boolean().default(true),
  negativeSentimentEscalates: z.boolean().default(true),
  /** The customer tag that marks a VIP; a customer flagged VIP escalates with or without it. */
  vipTag: z.string().trim().min(1).optional(),
  channelSwitchEscalates: z.boolean().default(true),
  /** Voicemails and calls go to a human (the AI cannot call back). */
  voicemailEscalates: z.boolean().default(true),
  /**
   * The AI's answers in a row in one conversation (since it opened or an agent replied) after which
   * the next message goes to a person: an auto-responder that marks nothing cannot loop with the AI.
   */
  aiMaxAnswersPerConversation: z.number().int().min(1).default(10),
});

/** What a customer handed to a person is told (`aiReplies.handoff`, `handoffAfterHours`). */
const HandoffWordsSchema = z.strictObject({
  handoff: policyText(300).optional(),
  handoffAfterHours: policyText(300).optional(),
});

/** What the AI's answers carry besides the answer. */
export const AiRepliesSchema = z.strictObject({
  $comment: comment,
  /**
   * Added, after a blank line, to the AI's first answer in a conversation: tells the customer an AI
   * answers (the EU AI Act's and California's bot disclosure), and how to reach a person. Off when unset.
   */
  disclosure: policyText(300).optional(),
  /** Sent to the customer when routing hands their message to a person; off when unset. */
  handoff: policyText(300).optional(),
  /** The same while the queue is closed; `handoff` when unset. */
  handoffAfterHours: policyText(300).optional(),
  /**
   * The hand-off words in other languages, by language tag (`es`, `ar`): used when the AI (or routing,
   * before the AI read it) detected the customer's message in that language (matched on the primary
   * subtag), else the words above.
   */
  byLanguage: byLanguageSchema(HandoffWordsSchema).optional(),
});

/** What a customer handed to a person is told, in one language. */
export type HandoffWords = z.infer<typeof HandoffWordsSchema>;
export type AiReplies = z.infer<typeof AiRepliesSchema>;

/**
 * The hand-off message for a customer whose message is in `language` (when one was detected): that
 * language's words from `byLanguage`, else the policy's own; the after-hours words while the queue is
 * closed, else the plain ones (a language's plain words before the policy's after-hours ones, which
 * are in another language).
 */
export function handoffText(
  replies: AiReplies | undefined,
  afterHours: boolean,
  language?: string,
): string | undefined {
  const words = (w: HandoffWords | undefined) =>
    afterHours ? (w?.handoffAfterHours ?? w?.handoff) : w?.handoff;
  const own = language
    ? Object.entries(replies?.byLanguage ?? {}).find(([tag]) => languageMatches([tag], language))?.[1]
    : undefined;
  return words(own) ?? words(replies);
}

type KnownQueue = (name: string, path: (string | number)[]) => void;

/**
 * The queues the rules name (an SLA policy's `match` and breach move, an automation's condition and
 * assignment, the queues a survey skips) must be queues of the policy, as `defaultQueue` is: a
 * misspelt one was taken, and its rule quietly did something else (a breach moved a late conversation
 * into a queue no agent can join, a survey went where it was meant to skip).
 */
function checkRuleQueues(
  policy: { sla: SlaSection; automations: AutomationRule[]; csat?: CsatSection | undefined },
  known: KnownQueue,
): void {
  const each = (queues: readonly string[] | undefined, path: (string | number)[]) => {
    for (const [j, queue] of (queues ?? []).entries()) known(queue, [...path, j]);
  };
  for (const [i, sla] of policy.sla.policies.entries()) {
    each(sla.match.queues, ['sla', 'policies', i, 'match', 'queues']);
    for (const [j, action] of sla.onBreach.entries()) {
      if (action.type === 'queue') known(action.queue, ['sla', 'policies', i, 'onBreach', j, 'queue']);
    }
  }
  for (const [i, rule] of policy.automations.entries()) {
    each(rule.conditions.queues, ['automations', i, 'conditions', 'queues']);
    for (const [j, action] of rule.actions.entries()) {
      if (action.type === 'assign' && action.queue !== undefined) {
        known(action.queue, ['automations', i, 'actions', j, 'queue']);
      }
    }
  }
  each(policy.csat?.excludeQueues, ['csat', 'excludeQueues']);
}

/** A business's routing rules, edited as data (JSON) and loaded once at start. */
export const RoutingPolicySchema = z
  .strictObject({
    $comment: comment,
    version: z.literal(1).default(1),
    defaultQueue: z.string().trim().min(1),
    queues: z.array(QueueSchema).min(1),
    /** Without it, humans are always there. */
    businessHours: BusinessHoursSchema.optional(),
    escalation: EscalationSchema.prefault({}),
    /** An agent who helped the customer within this many days gets the conversation first; 0 turns it off. */
    stickyAgentDays: z.number().int().min(0).max(365).default(30),
    /** Response and resolution targets, their calendars and what a breach does (#15). */
    sla: SlaSectionSchema.prefault({}),
    /** Resolve a conversation left waiting on the customer this long (#15); off when unset. */
    autoResolve: AutoResolveSchema.optional(),
    /** Rules that act on a conversation when something happens to it, at once or after a delay (#15). */
    automations: AutomationsSchema.default([]),
    /** A satisfaction survey on the customer's channel after a resolve (#15); off when unset. */
    csat: CsatSectionSchema.optional(),
    aiReplies: AiRepliesSchema.optional(),
  })
  .superRefine((policy, ctx) => {
    const names = new Set<string>();
    policy.queues.forEach((queue, i) => {
      if (names.has(queue.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['queues', i, 'name'],
          message: `"${queue.name}" is named twice`,
        });
      }
      names.add(queue.name);
    });
    const known: KnownQueue = (name, path) => {
      if (!names.has(name)) {
        ctx.addIssue({ code: 'custom', path, message: `"${name}" is not the name of a queue in queues` });
      }
    };
    known(policy.defaultQueue, ['defaultQueue']);
    if (policy.businessHours?.afterHours.route === 'queue') {
      known(policy.businessHours.afterHours.queue, ['businessHours', 'afterHours', 'queue']);
    }
    policy.queues.forEach((queue, i) => {
      if (queue.businessHours?.afterHours.route === 'queue') {
        known(queue.businessHours.afterHours.queue, ['queues', i, 'businessHours', 'afterHours', 'queue']);
      }
    });
    checkRuleQueues(policy, known);
    checkSlaCalendars(policy, ctx);
  });
export type RoutingPolicy = z.infer<typeof RoutingPolicySchema>;
/** A policy as written in the file, before defaults are applied. */
export type RoutingPolicyInput = z.input<typeof RoutingPolicySchema>;

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  }
  return out || '(root)';
}

/**
 * Parses a routing policy file's text (JSON); throws RoutingPolicyError naming each field that is wrong.
 * Every string, keys included, is made well-formed as it is read (`parseWellFormedJson`): the policy's
 * texts go to customers.
 */
export function parseRoutingPolicy(text: string): RoutingPolicy {
  let json: unknown;
  try {
    json = parseWellFormedJson(text).value;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RoutingPolicyError(`routing policy is not valid JSON: ${reason}`, { cause: error });
  }
  const result = RoutingPolicySchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`).join('; ');
    throw new RoutingPolicyError(`invalid routing policy: ${problems}`, { cause: result.error });
  }
  return result.data;
}
