import * as z from 'zod';
import { SuggestionSchema } from '../suggestions.js';
import { ConversationSchema, CustomerSchema, TimelineItemSchema } from '../timeline.js';
import { wholeNumber } from '../whole-number.js';

/**
 * The live-update contract between the server (`GET /api/live?token=` WebSocket, `GET /api/events?since=`)
 * and its clients (the agent console). Frames are JSON text.
 *
 * Durable events are kept (at least 24 hours) and replayable. Each has:
 * - `id`: the same however often the change behind it is delivered (derived from the changed item's key
 *   and version), so a client drops an `id` it has already applied;
 * - `seq`: a number that grows with time (`ms since epoch × 1000 + a per-writer counter`). Several writers
 *   run at once, so two events can arrive slightly out of `seq` order: a client keeps the highest `seq` it
 *   has seen and, after a reconnect, asks `GET /api/events?since=<that seq>`; the server answers from a
 *   few seconds before it (`LIVE_OVERLAP_SEQ`), and the client drops the ids it already has.
 */

/** How far back (in `seq` units: 10 s) a catch-up reaches before `since`, to cover concurrent writers. */
export const LIVE_OVERLAP_SEQ = 10_000 * 1000;

/** A live `seq`: milliseconds since the epoch × 1000, plus a counter below 1000. */
export const LiveSeqSchema = z.number().int().nonnegative();

/** A timeline item added or changed (a delivery status moving is the same item id with a newer status). */
export const TimelineItemEventSchema = z.object({
  id: z.string().min(1),
  seq: LiveSeqSchema,
  type: z.literal('timeline.item'),
  customerId: z.string(),
  conversationId: z.string().optional(),
  /** The item as `GET /api/customers/{id}/timeline` answers it. */
  item: TimelineItemSchema,
});
export type TimelineItemEvent = z.infer<typeof TimelineItemEventSchema>;

/** A conversation created or changed: status, assignee, queue, priority, SLA, waiting since, snooze. */
export const ConversationUpdatedEventSchema = z.object({
  id: z.string().min(1),
  seq: LiveSeqSchema,
  type: z.literal('conversation.updated'),
  customerId: z.string(),
  conversationId: z.string(),
  /** The conversation as the inbox (`GET /api/conversations`) answers it. */
  item: ConversationSchema,
});
export type ConversationUpdatedEvent = z.infer<typeof ConversationUpdatedEventSchema>;

/** What changed on a customer: the profile (tags, name, channels), a merge or unmerge, an erasure, a merge suggestion. */
export const CustomerChangeSchema = z.enum(['profile', 'merged', 'erased', 'suggestion']);

/**
 * A customer's profile or merge suggestions changed. `customer` is the profile as `GET /api/customers/{id}`
 * answers it (absent once erased); `suggestion` is the suggestion that changed (`change: 'suggestion'`).
 */
export const CustomerUpdatedEventSchema = z.object({
  id: z.string().min(1),
  seq: LiveSeqSchema,
  type: z.literal('customer.updated'),
  customerId: z.string(),
  item: z.object({
    change: CustomerChangeSchema,
    customer: CustomerSchema.optional(),
    suggestion: SuggestionSchema.optional(),
  }),
});
export type CustomerUpdatedEvent = z.infer<typeof CustomerUpdatedEventSchema>;

/** A durable event: kept, replayable with `GET /api/events?since=`. */
export const DurableEventSchema = z.discriminatedUnion('type', [
  TimelineItemEventSchema,
  ConversationUpdatedEventSchema,
  CustomerUpdatedEventSchema,
]);
export type DurableEvent = z.infer<typeof DurableEventSchema>;

/** An agent's presence as the live layer shows it: the profile's `online`/`away`, or `offline` with no socket. */
export const LivePresenceSchema = z.enum(['online', 'away', 'offline']);
export type LivePresence = z.infer<typeof LivePresenceSchema>;

/** One agent's presence. */
export const AgentPresenceItemSchema = z.object({ agentId: z.string(), presence: LivePresenceSchema });
export type AgentPresenceItem = z.infer<typeof AgentPresenceItemSchema>;

/** Ephemeral: an agent's presence changed (not kept, no seq). */
export const PresenceEventSchema = z.object({ type: z.literal('presence'), item: AgentPresenceItemSchema });

/** One agent's load: the open conversations (snoozed included) assigned to them now, as `GET /api/agents` counts them. */
export const AgentLoadItemSchema = z.object({
  agentId: z.string(),
  openConversations: z.number().int().nonnegative(),
});
export type AgentLoadItem = z.infer<typeof AgentLoadItemSchema>;

/**
 * Ephemeral: an agent's load moved (a take, a transfer, a resolve, a reopen, an erasure, a reconcile's
 * fix), from the change to their item that moved it (not kept, no seq; a new socket reads the list).
 */
export const AgentLoadEventSchema = z.object({ type: z.literal('agent.load'), item: AgentLoadItemSchema });

/** Ephemeral: an agent opened (`viewing: true`) or left (`false`) a conversation. */
export const ViewingEventSchema = z.object({
  type: z.literal('viewing'),
  conversationId: z.string(),
  item: z.object({ agentId: z.string(), viewing: z.boolean() }),
});

/**
 * Ephemeral: an agent is typing in a conversation (sent again every few seconds while they type);
 * `note: true` when it is an internal note (agents see it, web-chat visitors never do).
 */
export const TypingEventSchema = z.object({
  type: z.literal('typing'),
  conversationId: z.string(),
  item: z.object({ agentId: z.string(), note: z.literal(true).optional() }),
});

/** Who views which conversation now. */
export const ViewerSchema = z.object({ conversationId: z.string(), agentId: z.string() });

/**
 * First frame on a new socket: `seq` is where this connection's events start (a client that loads its
 * view now passes it to `GET /api/events?since=` after a drop); the agents' presence and who views what.
 */
export const HelloEventSchema = z.object({
  type: z.literal('hello'),
  seq: LiveSeqSchema,
  item: z.object({
    agentId: z.string(),
    agents: z.array(AgentPresenceItemSchema),
    viewing: z.array(ViewerSchema),
  }),
});
export type HelloEvent = z.infer<typeof HelloEventSchema>;

/** Why a client frame was refused; the socket stays open (except `too_large`, closed with 1009). */
export const LiveErrorCodeSchema = z.enum(['bad_json', 'bad_frame', 'too_large', 'rate_limited']);
export type LiveErrorCode = z.infer<typeof LiveErrorCodeSchema>;

/** The answer to a client frame the server refused. */
export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  code: LiveErrorCodeSchema,
  message: z.string().optional(),
});

/** The answer to `{ type: "ping" }`. */
export const PongFrameSchema = z.object({ type: z.literal('pong') });

/** Ephemeral events: not kept, no seq. */
export const EphemeralEventSchema = z.discriminatedUnion('type', [
  PresenceEventSchema,
  AgentLoadEventSchema,
  ViewingEventSchema,
  TypingEventSchema,
]);
export type EphemeralEvent = z.infer<typeof EphemeralEventSchema>;

/** Every frame the server sends. */
export const ServerFrameSchema = z.discriminatedUnion('type', [
  ...DurableEventSchema.options,
  ...EphemeralEventSchema.options,
  HelloEventSchema,
  ErrorFrameSchema,
  PongFrameSchema,
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Conversation ids in client frames: what the API accepts in paths. */
const FrameConversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * Every frame a client may send: open or leave a conversation, typing, ping, and `hello` (answered with
 * a `hello`: on AWS, API Gateway cannot write to a socket during its handshake, so a client sends
 * `{ type: "hello" }` once open; locally the `hello` also comes unasked).
 */
export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('viewing'), conversationId: FrameConversationIdSchema }),
  z.strictObject({ type: z.literal('left'), conversationId: FrameConversationIdSchema }),
  z.strictObject({
    type: z.literal('typing'),
    conversationId: FrameConversationIdSchema,
    note: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('ping') }),
  z.strictObject({ type: z.literal('hello') }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** The largest client frame accepted (bytes); a larger one closes the socket with 1009. */
export const MAX_CLIENT_FRAME_BYTES = 1024;

/** `GET /api/events?since=&limit=`. */
export const EventsQuerySchema = z.strictObject({
  since: wholeNumber('since', 0, Number.MAX_SAFE_INTEGER).meta({
    description:
      'the highest `seq` the client has seen (from an event or `hello`): milliseconds since the epoch × 1000 plus a counter, not milliseconds',
  }),
  limit: wholeNumber('limit', 1, 500, 200).meta({ description: 'most events answered (default 200)' }),
});
export type EventsQuery = z.infer<typeof EventsQuerySchema>;

/**
 * `GET /api/events` answer: durable events after `since` (from `LIVE_OVERLAP_SEQ` before it), oldest
 * first; `seq` is where to ask from next; `more` says another call has more now. A `since` older than
 * what is kept answers 410 `events_expired`: the client reloads its view.
 */
export const EventsPageSchema = z.object({
  events: z.array(DurableEventSchema),
  seq: LiveSeqSchema,
  more: z.boolean(),
});
export type EventsPage = z.infer<typeof EventsPageSchema>;

/** How long durable events are kept (the event log's TTL): at least 24 hours. */
export const LIVE_RETENTION_MS = 26 * 3_600_000;
