import * as z from 'zod';
import { ChannelSchema } from '../envelope.js';
import { policyText } from '../policy-text.js';
import { CalendarSchema } from './calendar-schema.js';
import { DurationSchema } from './duration.js';

/** A conversation's priority, lowest first. */
export const PrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof PrioritySchema>;

/** The metrics an SLA policy can set a target for. */
export const SlaMetricSchema = z.enum(['firstResponse', 'nextResponse', 'resolution']);
export type SlaMetric = z.infer<typeof SlaMetricSchema>;
export const SLA_METRICS: readonly SlaMetric[] = SlaMetricSchema.options;

/** What a breach does, in order: raise the priority, move to a queue, assign an agent, add a note. */
export const BreachActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('priority'), priority: PrioritySchema }),
  z.strictObject({ type: z.literal('queue'), queue: z.string().trim().min(1).max(64) }),
  z.strictObject({ type: z.literal('assign'), agent: z.string().trim().min(1).max(128) }),
  z.strictObject({ type: z.literal('note'), text: policyText(2000) }),
]);
export type BreachAction = z.infer<typeof BreachActionSchema>;

/** Which conversations a policy applies to: every stated criterion must hold; `{}` matches all. */
export const SlaMatchSchema = z.strictObject({
  channels: z.array(ChannelSchema).min(1).optional(),
  queues: z.array(z.string().min(1)).min(1).optional(),
  tags: z.array(z.string().min(1)).min(1).optional(),
  priority: z.array(PrioritySchema).min(1).optional(),
});
export type SlaMatch = z.infer<typeof SlaMatchSchema>;

/** Response and resolution targets for the conversations it matches. */
export const SlaPolicySchema = z.strictObject({
  $comment: z.string().optional(),
  name: z.string().trim().min(1).max(64),
  match: SlaMatchSchema.prefault({}),
  firstResponse: DurationSchema.optional(),
  nextResponse: DurationSchema.optional(),
  resolution: DurationSchema.optional(),
  /**
   * A calendar's name (`businessHours`: the business hours of the conversation's queue, its own else the
   * policy's), or false for around the clock.
   */
  calendar: z.union([z.string().min(1), z.literal(false)]).default(false),
  /** Whether an AI answer meets a response target. */
  aiRepliesCount: z.boolean().default(false),
  /** When to warn, as a fraction of the target. */
  warnAt: z.number().gt(0).lt(1).default(0.8),
  onBreach: z.array(BreachActionSchema).max(10).default([]),
});
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;

/** The `sla` section of the routing policy. */
export const SlaSectionSchema = z
  .strictObject({
    $comment: z.string().optional(),
    calendars: z.record(z.string().trim().min(1).max(64), CalendarSchema).default({}),
    policies: z.array(SlaPolicySchema).max(100).default([]),
  })
  .superRefine((sla, ctx) => {
    const names = sla.policies.map((p) => p.name);
    for (const [i, name] of names.entries()) {
      if (names.indexOf(name) === i) continue;
      ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `"${name}" is named twice` });
    }
  });
export type SlaSection = z.infer<typeof SlaSectionSchema>;

/** Closes a conversation that has waited on the customer this long since the last reply. */
export const AutoResolveSchema = z.strictObject({
  $comment: z.string().optional(),
  after: DurationSchema,
});
export type AutoResolve = z.infer<typeof AutoResolveSchema>;

/** What a policy's `match` is checked against. */
export interface SlaSubject {
  channels: readonly string[];
  queue?: string | undefined;
  tags: readonly string[];
  priority: Priority;
}

const anyOf = (wanted: readonly string[] | undefined, have: readonly string[]) =>
  !wanted || wanted.some((w) => have.includes(w));

/** The first policy whose every criterion holds, or undefined. */
export function matchSlaPolicy(policies: readonly SlaPolicy[], subject: SlaSubject): SlaPolicy | undefined {
  return policies.find(
    ({ match }) =>
      anyOf(match.channels, subject.channels) &&
      anyOf(match.queues, subject.queue ? [subject.queue] : []) &&
      anyOf(match.tags, subject.tags) &&
      anyOf(match.priority, [subject.priority]),
  );
}

/** Whether `next` is a higher priority than `current` (unset is normal). */
export function raisesPriority(current: Priority | undefined, next: Priority): boolean {
  const rank = PrioritySchema.options;
  return rank.indexOf(next) > rank.indexOf(current ?? 'normal');
}
