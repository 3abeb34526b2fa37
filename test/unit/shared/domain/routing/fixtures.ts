import type { AiAssessment, RouteInput } from '#shared/domain/routing/decision.js';
import {
  type RoutingPolicy,
  type RoutingPolicyInput,
  RoutingPolicySchema,
} from '#shared/domain/routing/policy.js';

export const ROUTING_DIR = new URL('../../../../../shared/domain/routing/', import.meta.url);

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

export const POLICY_INPUT: RoutingPolicyInput = {
  defaultQueue: 'general',
  queues: [
    { name: 'billing', keywords: ['invoice*', 'refund*'] },
    { name: 'spanish', languages: ['es'] },
    { name: 'voice', channels: ['voice'] },
    { name: 'email-fr', channels: ['email'], languages: ['fr'] },
    { name: 'general' },
    { name: 'night' },
  ],
  businessHours: {
    timezone: 'America/New_York',
    hours: [{ days: [...WEEKDAYS], open: '09:00', close: '17:00' }],
  },
  escalation: { vipTag: 'vip' },
};
export const POLICY = RoutingPolicySchema.parse(POLICY_INPUT);

export function policyWith(patch: Partial<RoutingPolicyInput>): RoutingPolicy {
  return RoutingPolicySchema.parse({ ...structuredClone(POLICY_INPUT), ...patch });
}
export function escalationWith(patch: NonNullable<RoutingPolicyInput['escalation']>): RoutingPolicy {
  return policyWith({ escalation: { vipTag: 'vip', ...patch } });
}

/** Monday 9 June 2025, 11:00 in New York (EDT): open. */
export const MONDAY_11_NY = new Date('2025-06-09T15:00:00.000Z');
/** Saturday 14 June 2025, 11:00 in New York: closed. */
export const SATURDAY_NY = new Date('2025-06-14T15:00:00.000Z');

export const AI: AiAssessment = { confidence: 0.9, sentiment: 'neutral', language: 'en' };

export interface Overrides {
  message?: Partial<RouteInput['message']>;
  conversation?: Partial<RouteInput['conversation']>;
  customer?: RouteInput['customer'];
  ai?: Partial<AiAssessment> | null;
  policy?: RoutingPolicy;
  now?: Date;
}

/** A routine question on WhatsApp in an open WhatsApp conversation, in hours, the AI confident. */
export function input(o: Overrides = {}): RouteInput {
  return {
    message: {
      channel: 'whatsapp',
      kind: 'message',
      text: 'What time do you open on Saturday?',
      ...o.message,
    },
    conversation: { status: 'open', channelsBefore: ['whatsapp'], ...o.conversation },
    customer: o.customer ?? {},
    ai: o.ai === null ? undefined : { ...AI, ...o.ai },
    policy: o.policy ?? POLICY,
    now: o.now ?? MONDAY_11_NY,
  };
}
