import * as z from 'zod';
import {
  AttachmentSchema,
  ChannelSchema,
  ContentTypeSchema,
  type DeliveryStatus,
  DeliveryStatusSchema,
  IdentitySchema,
  ProviderErrorSchema,
} from './envelope.js';

/** One entry of a customer's timeline, as agents read it. */
export const TimelineItemSchema = z.object({
  /** Stable, derived from the provider's ids: `<channel>:<providerMessageId>` for messages. */
  id: z.string(),
  type: z.enum(['message', 'note', 'event']),
  channel: ChannelSchema.optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  text: z.string().optional(),
  at: z.iso.datetime(),
  customerId: z.string(),
  conversationId: z.string().optional(),
  providerMessageId: z.string().optional(),
  from: IdentitySchema.optional(),
  contentType: ContentTypeSchema.optional(),
  attachments: z.array(AttachmentSchema).optional(),
  replyTo: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  /** Outbound messages only; moves forward only (see statusRank). */
  status: DeliveryStatusSchema.optional(),
  statusAt: z.iso.datetime().optional(),
  errors: z.array(ProviderErrorSchema).optional(),
  /** For events: what happened (reaction, edit, delete, call, identity_changed, ...). */
  event: z.string().optional(),
  targetMessageId: z.string().optional(),
  emoji: z.string().optional(),
});
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

/**
 * The order in which a delivery status may move. `failed` sits beside `delivered`: a message is one or
 * the other, and whichever the provider reports first stands; `read` and `played` can still follow.
 */
const STATUS_RANK: Record<DeliveryStatus, number> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  failed: 2,
  read: 3,
  played: 4,
};

/** The rank of a status; a status update applies only when its rank is higher than the current one. */
export function statusRank(status: DeliveryStatus): number {
  return STATUS_RANK[status];
}

/** A customer as agents see it. */
export const CustomerSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  identities: z.array(IdentitySchema),
  channels: z.array(ChannelSchema),
  createdAt: z.iso.datetime(),
  lastInboundAt: z.iso.datetime().optional(),
  lastInboundChannel: ChannelSchema.optional(),
  openConversationId: z.string().optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

/** A conversation: one open at a time per customer, whatever the channel. */
export const ConversationSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  status: z.enum(['open', 'resolved']),
  channel: ChannelSchema.optional(),
  createdAt: z.iso.datetime(),
  lastMessageAt: z.iso.datetime().optional(),
  /** Since when the customer has been waiting for an answer; unset once answered. */
  waitingSince: z.iso.datetime().optional(),
  assignee: z.string().optional(),
  queue: z.string().optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;
