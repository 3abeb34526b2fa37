import type { Channel } from '#shared/domain/envelope.js';
import type { ResponderContext } from '#shared/domain/responder.js';
import {
  type Customer,
  CustomerSchema,
  type TimelineItem,
  TimelineItemSchema,
} from '#shared/domain/timeline.js';

/** Dana: wrote on WhatsApp yesterday (conversation conv_1), writes by email today (conv_2, open). */
export function dana(overrides: Partial<Customer> = {}): Customer {
  return CustomerSchema.parse({
    id: 'cus_dana',
    name: 'Dana Whitfield',
    identities: [
      { kind: 'phone', value: '+16505551234' },
      { kind: 'email', value: 'dana.whitfield@example.com' },
    ],
    channels: ['whatsapp', 'email'],
    createdAt: '2025-06-09T08:59:00.000Z',
    openConversationId: 'conv_2',
    ...overrides,
  });
}

let sequence = 0;

/** A message from the customer. */
export function inbound(
  channel: Channel,
  text: string | undefined,
  at: string,
  conversationId = 'conv_2',
  extra: Partial<TimelineItem> = {},
): TimelineItem {
  sequence += 1;
  return TimelineItemSchema.parse({
    id: `${channel}:in.${sequence}`,
    type: 'message',
    channel,
    direction: 'inbound',
    ...(text === undefined ? {} : { text }),
    at,
    customerId: 'cus_dana',
    conversationId,
    contentType: 'text',
    ...extra,
  });
}

/** A reply to the customer, written by the AI or by an agent. */
export function outbound(
  channel: Channel,
  text: string,
  at: string,
  author: 'ai' | 'agent',
  conversationId = 'conv_2',
): TimelineItem {
  sequence += 1;
  return TimelineItemSchema.parse({
    id: `reply:rp_${sequence}`,
    type: 'message',
    channel,
    direction: 'outbound',
    text,
    at,
    customerId: 'cus_dana',
    conversationId,
    status: 'delivered',
    data: { author: { kind: author, id: author === 'ai' ? 'responder' : 'agent_sam' } },
  });
}

/** The `assigned` event the agent API writes (conversation id in its data, as customer-admin does). */
export function assigned(
  at: string,
  to: { agentId: string | null; queue: string | null },
  conversationId = 'conv_2',
): TimelineItem {
  return TimelineItemSchema.parse({
    id: `assigned:${conversationId}:${at}`,
    type: 'event',
    event: 'assigned',
    at,
    customerId: 'cus_dana',
    data: { conversationId, from: { agentId: null, queue: null }, to, by: 'agent_sam' },
  });
}

/** An internal note by an agent. */
export function note(text: string, at: string, conversationId = 'conv_2'): TimelineItem {
  return TimelineItemSchema.parse({
    id: `note:${at}`,
    type: 'note',
    at,
    customerId: 'cus_dana',
    conversationId,
    text,
    data: { author: { kind: 'agent', id: 'agent_sam' } },
  });
}

/** Yesterday on WhatsApp: Dana asked about her parcel and the AI answered. */
export const yesterdayOnWhatsApp = (): TimelineItem[] => [
  inbound(
    'whatsapp',
    'Hi, where is my parcel? I ordered a jacket last week.',
    '2025-06-09T09:00:00.000Z',
    'conv_1',
  ),
  outbound(
    'whatsapp',
    'Hi Dana, your parcel is on its way: follow the tracking link we sent.',
    '2025-06-09T09:00:05.000Z',
    'ai',
    'conv_1',
  ),
];

/** The responder's input: Dana and the given timeline. */
export function context(timeline: TimelineItem[], customer: Customer = dana()): ResponderContext {
  return { customer, timeline };
}
