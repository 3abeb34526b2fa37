import * as z from 'zod';
import { type Channel, ChannelSchema } from '../envelope.js';
import { PolicyTemplateSchema, policyText } from '../policy-text.js';
import { uncarried } from '../reply-content.js';
import { isWithinBusinessHours } from '../routing/business-hours.js';
import { languageMatches } from '../routing/language-match.js';
import { byLanguageSchema, LanguageTagSchema } from '../routing/language-tag.js';
import type { BusinessHours } from '../routing/policy.js';
import { DurationSchema } from '../sla/duration.js';
import type { Conversation } from '../timeline.js';

/** What sets an automation off. */
export const AutomationTriggerSchema = z.enum([
  'message_received',
  'conversation_opened',
  'agent_replied',
  'conversation_resolved',
  'sla_warning',
  'sla_breached',
]);
export type AutomationTrigger = z.infer<typeof AutomationTriggerSchema>;

/** When a rule applies: every stated condition must hold (a list holds when any of its values does). */
export const AutomationConditionsSchema = z.strictObject({
  channels: z.array(ChannelSchema).min(1).optional(),
  queues: z.array(z.string().trim().min(1).max(64)).min(1).optional(),
  tags: z.array(z.string().trim().min(1).max(64)).min(1).optional(),
  /** `snoozed` is an open conversation out of the inbox until a time. */
  status: z.enum(['open', 'resolved', 'snoozed']).optional(),
  waitingOn: z.enum(['agent', 'customer']).optional(),
  /** Inside (true) or outside (false) the business hours of the conversation's queue (its own, else the policy's). */
  businessHours: z.boolean().optional(),
  /** The conversation's language (`conversationLanguage`) is one of these (primary subtag); none found holds none. */
  languages: z.array(LanguageTagSchema).min(1).optional(),
});
export type AutomationConditions = z.infer<typeof AutomationConditionsSchema>;

/** Where an automatic reply goes: the last channel, a named one, or the customer's most recent other one open now. */
export const AutomationChannelSchema = z.union([z.literal('last'), z.literal('other'), ChannelSchema]);
export type AutomationChannel = z.infer<typeof AutomationChannelSchema>;

const Text = policyText(4000);

/** One thing a rule does, in order. Outbound ones go through the reply rules like an agent's reply. */
export const AutomationActionSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('reply'),
      text: Text.optional(),
      template: PolicyTemplateSchema.optional(),
      channel: AutomationChannelSchema.default('last'),
      /** The text in other languages, keyed as `aiReplies.byLanguage`: see `replyInLanguage`. */
      byLanguage: byLanguageSchema(z.strictObject({ text: Text })).optional(),
    })
    .refine((a) => a.text !== undefined || a.template !== undefined, {
      message: 'a reply needs text or a template',
    }),
  z.strictObject({ type: z.literal('note'), text: Text }),
  z
    .strictObject({
      type: z.literal('assign'),
      agent: z.string().trim().min(1).max(128).optional(),
      queue: z.string().trim().min(1).max(64).optional(),
    })
    .refine((a) => a.agent !== undefined || a.queue !== undefined, { message: 'assign an agent or a queue' }),
  z.strictObject({ type: z.literal('tag'), tags: z.array(z.string().trim().min(1).max(64)).min(1).max(20) }),
  z.strictObject({ type: z.literal('snooze'), for: DurationSchema }),
  z.strictObject({ type: z.literal('resolve') }),
]);
export type AutomationAction = z.infer<typeof AutomationActionSchema>;

/** A rule: on `trigger` (after `delay`, if its conditions still hold then), do `actions`. */
export const AutomationRuleSchema = z.strictObject({
  $comment: z.string().optional(),
  name: z.string().trim().min(1).max(64),
  trigger: AutomationTriggerSchema,
  delay: DurationSchema.optional(),
  conditions: AutomationConditionsSchema.prefault({}),
  actions: z.array(AutomationActionSchema).min(1).max(10),
});
export type AutomationRule = z.infer<typeof AutomationRuleSchema>;

/** The `automations` section of the routing policy: rule names are unique (they key what fired). */
export const AutomationsSchema = z
  .array(AutomationRuleSchema)
  .max(100)
  .superRefine((rules, ctx) => {
    const names = rules.map((r) => r.name);
    for (const [i, name] of names.entries()) {
      if (names.indexOf(name) === i) continue;
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${name}" is named twice` });
    }
    for (const [i, rule] of rules.entries()) {
      for (const [j, action] of rule.actions.entries()) {
        const why = action.type === 'reply' ? unsendableReply(rule, action) : undefined;
        if (why)
          ctx.addIssue({ code: 'custom', path: [i, 'actions', j], message: `rule "${rule.name}": ${why}` });
      }
    }
  });

/**
 * Why a rule's reply could never go out as written, or undefined: its content checked against each
 * channel it can go out on when the rule says (a named channel, or `last` with `conditions.channels`).
 * `other` and an unscoped `last` are checked when the rule fires (skipped `content_not_supported`).
 */
function unsendableReply(
  rule: { conditions: AutomationConditions },
  action: Extract<AutomationAction, { type: 'reply' }>,
): string | undefined {
  const texts = [action.text, ...Object.values(action.byLanguage ?? {}).map((l) => l.text)];
  for (const text of texts) {
    const why = unsendableContent(rule, { ...action, text });
    if (why) return why;
  }
  return undefined;
}

function unsendableContent(
  rule: { conditions: AutomationConditions },
  action: Extract<AutomationAction, { type: 'reply' }>,
): string | undefined {
  const content = { text: action.text, template: action.template, attachments: [] };
  const channels: readonly Channel[] =
    action.channel === 'last'
      ? (rule.conditions.channels ?? [])
      : action.channel === 'other'
        ? []
        : [action.channel];
  // A template with text cannot go out on any channel.
  if (action.template !== undefined && action.text !== undefined) return uncarried('whatsapp', content);
  for (const channel of channels) {
    const why = uncarried(channel, content);
    if (why) return action.channel === 'last' ? `on ${channel} (conditions.channels): ${why}` : why;
  }
  return undefined;
}

/** What conditions are checked against: the conversation now, its customer's tags, the time. */
export interface AutomationSubject {
  conversation: Conversation;
  tags: readonly string[];
  now: Date;
  businessHours?: BusinessHours | undefined;
  /** The conversation's language when one was found (`conversationLanguage`). */
  language?: string | undefined;
}

/**
 * A reply as it goes to a conversation in `language`: the text of that language's `byLanguage` entry
 * (matched on the primary subtag, as the hand-off words and the survey are), else its own `text`.
 */
export function replyInLanguage<A extends AutomationAction>(action: A, language: string | undefined): A {
  if (action.type !== 'reply' || !language) return action;
  const own = Object.entries(action.byLanguage ?? {}).find(([tag]) => languageMatches([tag], language));
  return own ? { ...action, text: own[1].text } : action;
}

/** Who the conversation waits on: the SLA's view when one runs, else whether a reply was the last word. */
export function waitingOn(conversation: Conversation): 'agent' | 'customer' {
  const sla = conversation.sla;
  if (sla && !sla.endedAt) return sla.waitingOn;
  return conversation.awaitingCustomerSince ? 'customer' : 'agent';
}

function statusOf(conversation: Conversation, now: Date): 'open' | 'resolved' | 'snoozed' {
  if (conversation.status === 'resolved') return 'resolved';
  return conversation.snoozedUntil && Date.parse(conversation.snoozedUntil) > now.getTime()
    ? 'snoozed'
    : 'open';
}

const anyOf = (wanted: readonly string[] | undefined, have: readonly (string | undefined)[]) =>
  !wanted || wanted.some((w) => have.includes(w));

/** The first condition that does not hold, or undefined when they all do. */
export function failedCondition(
  conditions: AutomationConditions,
  subject: AutomationSubject,
): keyof AutomationConditions | undefined {
  const { conversation } = subject;
  if (!anyOf(conditions.channels, [conversation.channel])) return 'channels';
  if (!anyOf(conditions.queues, [conversation.queue])) return 'queues';
  if (!anyOf(conditions.tags, subject.tags)) return 'tags';
  if (conditions.status && statusOf(conversation, subject.now) !== conditions.status) return 'status';
  if (conditions.waitingOn && waitingOn(conversation) !== conditions.waitingOn) return 'waitingOn';
  if (conditions.businessHours !== undefined) {
    // Without business hours, humans are always there.
    const open = subject.businessHours ? isWithinBusinessHours(subject.businessHours, subject.now) : true;
    if (open !== conditions.businessHours) return 'businessHours';
  }
  const { language } = subject;
  if (conditions.languages && !(language && languageMatches(conditions.languages, language)))
    return 'languages';
  return undefined;
}

/** The rules set off by a trigger, in file order. */
export function rulesFor(rules: readonly AutomationRule[], trigger: AutomationTrigger): AutomationRule[] {
  return rules.filter((r) => r.trigger === trigger);
}

/**
 * The candidates for `other`: the channels the customer has written on but the last (and voice), the
 * most recent first; the caller keeps the first whose rules allow a message now.
 */
export function otherChannels(
  lastInbound: Partial<Record<Channel, string>>,
  last: Channel | undefined,
): Channel[] {
  return (Object.entries(lastInbound) as [Channel, string][])
    .filter(([channel]) => channel !== last && channel !== 'voice')
    .sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0))
    .map(([channel]) => channel);
}
