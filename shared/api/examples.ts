import type * as z from 'zod';
import type { EventData } from '#shared/domain/events/integration-events.js';
import type { InboxConversation } from '#shared/domain/inbox.js';
import type { DurableEvent, EventsPage } from '#shared/domain/live/events.js';
import type { ReplyRequestSchema } from '#shared/domain/replies.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { SubscriptionView } from '#shared/domain/webhooks.js';

/**
 * The OpenAPI document's examples of the calls and events an integrator uses first: a customer, a
 * conversation, a reply, a live event, a webhook subscription and the events it receives. Each is typed
 * by the type its schema infers (a field renamed or retyped fails to compile), and the document's tests
 * check each against the schema the document shows beside it (a bound or format changed fails there).
 */

const AT = '2026-12-01T09:30:00.000Z';

const customer = {
  id: 'cu_01JE4Q8Z3M5V7T9R2K6W8Y0B1C',
  name: 'Maria Lopez',
  identities: [
    { kind: 'phone', value: '+14155550142' },
    { kind: 'email', value: 'maria@example.com' },
  ],
  channels: ['whatsapp', 'email'],
  createdAt: '2026-11-20T14:02:11.000Z',
  lastInboundAt: AT,
  lastInboundChannel: 'whatsapp',
  lastInboundByChannel: { whatsapp: AT, email: '2026-11-20T14:02:11.000Z' },
  openConversationId: 'cv_01JE4QA1X2Y3Z4A5B6C7D8E9F0',
  tags: ['vip'],
  mergedFrom: [],
} satisfies Customer;

const conversation = {
  id: 'cv_01JE4QA1X2Y3Z4A5B6C7D8E9F0',
  customerId: customer.id,
  status: 'open',
  channel: 'whatsapp',
  createdAt: AT,
  lastMessageAt: AT,
  preview: 'Hi, does the jacket come in blue?',
  waitingSince: AT,
  assignee: 'ana',
  queue: 'sales',
  channels: ['whatsapp'],
  channelSwitch: false,
} satisfies Conversation;

const inboxConversation = {
  ...conversation,
  waiting: true,
  customer: { id: customer.id, name: customer.name },
} satisfies InboxConversation;

const replyRequest = { text: 'Yes, it comes in blue.' } satisfies z.input<typeof ReplyRequestSchema>;

const reply = {
  id: 'reply:rp_01JE4QC7M8N9P0Q1R2S3T4U5V6',
  type: 'message',
  direction: 'outbound',
  channel: 'whatsapp',
  at: '2026-12-01T09:31:05.000Z',
  customerId: customer.id,
  conversationId: conversation.id,
  status: 'queued',
  statusAt: '2026-12-01T09:31:05.000Z',
  contentType: 'text',
  text: replyRequest.text,
  data: { author: { kind: 'agent', id: 'ana' } },
} satisfies TimelineItem;

const liveEvent = {
  id: 'live_q0F3nW8uYk2Lr5Tb9XcVd1EaZp7',
  seq: 1_764_581_465_000_001,
  type: 'timeline.item',
  customerId: customer.id,
  conversationId: conversation.id,
  item: reply,
} satisfies DurableEvent;

const webhookRequest = {
  url: 'https://hooks.example.com/threadline',
  events: ['message.received', 'conversation.resolved'],
  description: 'CRM sync',
} satisfies Pick<SubscriptionView, 'url' | 'events' | 'description'>;

const webhook = {
  id: 'wh_01JE4QF0G1H2J3K4L5M6N7P8Q9',
  ...webhookRequest,
  createdAt: AT,
  createdBy: 'zoe',
  consecutiveFailures: 0,
} satisfies SubscriptionView;

/** An example of each documented operation's request body and answers, by operationId and status. */
export const OPERATION_EXAMPLES: Readonly<
  Record<string, { request?: unknown; responses?: Readonly<Record<number, unknown>> }>
> = {
  searchCustomers: { responses: { 200: { items: [customer], cursor: null } } },
  getCustomer: { responses: { 200: { ...customer, openConversation: conversation, suggestions: [] } } },
  listInbox: { responses: { 200: { items: [inboxConversation], cursor: null } } },
  getConversation: { responses: { 200: inboxConversation } },
  replyToConversation: { request: replyRequest, responses: { 202: { reply } } },
  listLiveEvents: {
    responses: { 200: { events: [liveEvent], seq: liveEvent.seq, more: false } satisfies EventsPage },
  },
  createWebhook: {
    request: webhookRequest,
    responses: {
      201: {
        id: webhook.id,
        url: webhook.url,
        events: webhook.events,
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYq=',
      },
    },
  },
  listWebhooks: { responses: { 200: { items: [webhook], cursor: null } } },
  updateWebhook: {
    request: { events: [...webhook.events, 'csat.received'] },
    responses: { 200: { ...webhook, events: [...webhook.events, 'csat.received'], revision: 1 } },
  },
};

const messageReceived = {
  customerId: customer.id,
  conversationId: conversation.id,
  messageId: 'whatsapp:wamid.HBgLMTQxNTU1NTAxNDIVAgASGBQzQTZCRDc3',
  channel: 'whatsapp',
  direction: 'inbound',
  at: AT,
  contentType: 'text',
  text: 'Hi, does the jacket come in blue?',
} satisfies EventData<'message.received'>;

const conversationResolved = {
  customerId: customer.id,
  conversationId: conversation.id,
  resolvedAt: '2026-12-01T09:40:00.000Z',
  by: 'ana',
} satisfies EventData<'conversation.resolved'>;

const customerCreated = {
  customerId: customer.id,
  createdAt: customer.createdAt,
  channels: ['whatsapp'],
} satisfies EventData<'customer.created'>;

/** An example body of the events an integrator meets first, as they are posted. */
export const EVENT_EXAMPLES: Readonly<Record<string, unknown>> = {
  'message.received': {
    id: 'evt_7bQm2Xc9LpR4tVz8KdN1sWy3Hf6',
    type: 'message.received',
    timestamp: AT,
    data: messageReceived,
  },
  'conversation.resolved': {
    id: 'evt_Jk4nP8rT2vX6zB0dF3hL7mQ9sW1',
    type: 'conversation.resolved',
    timestamp: conversationResolved.resolvedAt,
    data: conversationResolved,
  },
  'customer.created': {
    id: 'evt_Cz5yA1eG9iK3oM7qU2wS6uY0bD4',
    type: 'customer.created',
    timestamp: customer.createdAt,
    data: customerCreated,
  },
};
