import * as z from 'zod';
import {
  AttachmentKindSchema,
  ChannelSchema,
  ContentTypeSchema,
  DeliveryStatusSchema,
  DirectionSchema,
} from '../envelope.js';
import { once } from '../on-first-use.js';
import { AuthorKindSchema } from '../outbound.js';
import { SlaMetricSchema } from '../sla/policy.js';
import { WakeReasonSchema } from '../snooze.js';
import { EVENT_TYPES, SUBSCRIBABLE_EVENTS } from './event-types.js';

/**
 * Why a customer's consent changed: an SMS STOP or START keyword, Twilio refusing a text with 21610 (they
 * had texted STOP, perhaps one we never saw), an email's permanent bounce or complaint; `other` for a
 * state recorded otherwise.
 */
export const ConsentReasonSchema = z.enum([
  'stop_keyword',
  'start_keyword',
  'provider_opt_out',
  'bounce',
  'complaint',
  'other',
]);
export type ConsentReason = z.infer<typeof ConsentReasonSchema>;

/** The SMS keyword a message was (`data.optOut` of the timeline item): STOP, START or HELP and their synonyms. */
export const OptOutKeywordSchema = z.enum(['stop', 'start', 'help']);

/** The events an integrator can subscribe to (the list grows with the features). */
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/** What a subscription lists: event types, or `*` alone for every one, those added later included. */
export const SubscribedEventSchema = z.enum(SUBSCRIBABLE_EVENTS);
export type SubscribedEvent = z.infer<typeof SubscribedEventSchema>;

/**
 * One event as integrators receive it (the Standard Webhooks payload shape: `type`, `timestamp`,
 * `data`). `id` is the same however often the change behind it is delivered; `data` holds ids, times
 * and the changed object, never contact data (no phone numbers, addresses, names), but for the
 * address a consent event (`contact.*`) is about.
 */
export const IntegrationEventSchema = z.object({
  id: z.string().min(1),
  type: EventTypeSchema,
  timestamp: z.iso.datetime(),
  data: z.object({ customerId: z.string(), conversationId: z.string().optional() }).catchall(z.unknown()),
});
export type IntegrationEvent = z.infer<typeof IntegrationEventSchema>;

/** What an event says of an attachment: kind, type, name and size (built with the event schemas). */
const attachmentSchema = () =>
  z.object({
    kind: AttachmentKindSchema,
    mimeType: z.string().optional(),
    filename: z.string().optional(),
    sizeBytes: z.number().optional(),
  });

/** `message.edited` and `message.deleted`: a customer's edit (the new text) and deletion (no words). */
const customerChanges = <M extends z.ZodRawShape>(message: M, time: z.ZodISODateTime) => ({
  'message.edited': z.object({
    ...message,
    text: z.string().optional().meta({ description: 'what the customer edited the message to' }),
    editedAt: time,
  }),
  'message.deleted': z.object({ ...message, deletedAt: time }),
});

/** A message's text, and the time of an edit of it that came before it (its text is the edited one). */
const messageText = (time: z.ZodISODateTime) => ({
  text: z.string().optional(),
  editedAt: time.optional().meta({
    description:
      'an edit of the message came before it: `text` is the edited text, and this the edit’s time (no `message.edited` follows for it)',
  }),
});

/** What a message event says beyond its words: the message it quotes, a forward, a template reply's template. */
const messageContext = () => ({
  replyTo: z.string().optional().meta({
    description:
      "the provider's id of the message this one quotes (the customer answered it), as the timeline's `replyTo` has it",
  }),
  forwarded: z.literal(true).optional().meta({ description: 'the customer forwarded this message to us' }),
  frequentlyForwarded: z.literal(true).optional().meta({
    description: 'WhatsApp: the message had been forwarded many times (more than five) before it reached us',
  }),
  optOut: OptOutKeywordSchema.optional().meta({
    description:
      'an SMS that was an opt-out keyword (STOP and its synonyms), an opt-in (START) or HELP: its `contact.opted_out` or `contact.opted_in` follows when it changed the customer’s consent',
  }),
  template: z
    .object({ name: z.string(), language: z.string(), parameters: z.array(z.string()) })
    .optional()
    .meta({
      description:
        "a WhatsApp template reply: the template's name, language and body parameters in order (`text` then says it: `Template <name> (<language>): <parameters>`)",
    }),
});

/** `sla.warning` and `sla.breached`: the target, its deadline and policy, and when it was warned of or missed. */
const slaTarget = (customerId: z.ZodString, conversationId: z.ZodString, time: z.ZodISODateTime) =>
  z.object({
    customerId,
    conversationId,
    metric: SlaMetricSchema,
    due: time.optional().meta({ description: 'the deadline of the target' }),
    policy: z.string().optional(),
    at: time,
  });

/**
 * `contact.opted_out` and `contact.opted_in`: whose consent, on which channel and address (the one
 * contact datum an event carries: a CRM syncing consent needs to know which of their addresses), toward
 * which number of ours, why and when.
 */
const consentChange = (customerId: z.ZodString, time: z.ZodISODateTime) =>
  z.object({
    customerId,
    // `sms` for a phone number, `email` for an email address.
    channel: ChannelSchema,
    address: z.string().meta({
      description: 'the customer’s address it is about: their phone number (E.164) or email address',
    }),
    ourNumber: z.string().nullable().meta({
      description:
        'SMS: the number of ours the STOP or START was texted to (Twilio keeps opt-outs per number of ours); null: all of ours (an opt-out that named none), and for email',
    }),
    reason: ConsentReasonSchema.meta({
      description:
        '`stop_keyword`, `start_keyword` (the SMS keywords), `provider_opt_out` (Twilio refused a text with 21610: they had texted STOP), `bounce`, `complaint` (email suppressions)',
    }),
    at: time,
  });

/**
 * `conversation.snoozed`, `conversation.woke` and `conversation.resolved`: until when, who, what ended
 * it; who (or what) resolved it.
 */
const conversationChanges = (
  customerId: z.ZodString,
  conversationId: z.ZodString,
  time: z.ZodISODateTime,
) => ({
  'conversation.snoozed': z.object({
    customerId,
    conversationId,
    until: time.meta({ description: 'when it comes back to the inbox unless the customer writes first' }),
    by: z
      .string()
      .optional()
      .meta({ description: 'the agent who snoozed it; `automation` for an automation' }),
    snoozedAt: time,
  }),
  'conversation.woke': z.object({
    customerId,
    conversationId,
    snoozedUntil: time.meta({ description: 'the time it had been snoozed until' }),
    reason: WakeReasonSchema.meta({
      description: '`timer`: that time came; `customer`: the customer wrote; `agent`: an agent woke it',
    }),
    by: z.string().optional().meta({ description: 'the agent who woke it (reason `agent`)' }),
    wokeAt: time,
  }),
  'conversation.resolved': z.object({
    customerId,
    conversationId,
    resolvedAt: time,
    by: z.string().optional().meta({
      description:
        'who resolved it: the agent’s id, or `clock` (auto-resolved after the customer’s silence), `automation` (an automation’s resolve action), `merge` (its customer was merged into one with an open conversation)',
    }),
  }),
});

/**
 * Each event type's `data`, as the mapper (`map-change.ts`) builds it: its `event()` takes only this
 * shape, and the OpenAPI document's `webhooks` describe it, so the payloads integrators receive and
 * their documentation come from one place. Its closed sets (channel, direction, status...) are the
 * domain's own schemas, those the table's items are written with; the document publishes them as
 * extensible enums (a value may be added, see docs.ts). Built on first use (the document, a test).
 */
export const eventDataSchemas = once(() => {
  const time = z.iso.datetime();
  const customerId = z.string().meta({ description: 'the customer (`cu_…`)' });
  const conversationId = z.string().meta({ description: 'the conversation (`cv_…`)' });
  const by = z.string().optional().meta({ description: 'the agent who did it, when one did' });
  const message = {
    customerId,
    conversationId: conversationId.optional(),
    messageId: z.string().meta({ description: "the timeline's id, `<channel>:<provider id>`" }),
    channel: z.optional(ChannelSchema),
    direction: z.optional(DirectionSchema),
  };
  const messageAdded = z.object({
    ...message,
    at: time,
    contentType: z.optional(ContentTypeSchema),
    ...messageText(time),
    attachments: z
      .array(attachmentSchema())
      .optional()
      .meta({ description: 'kind, type, name and size; never a URL' }),
    author: AuthorKindSchema.optional().meta({
      description: 'who wrote an outbound message: `agent`, or `ai` (the AI, an automation, a survey)',
    }),
    status: z.optional(DeliveryStatusSchema),
    ...messageContext(),
  });
  const assignment = z.object({ agentId: z.string().nullable(), queue: z.string().nullable() });
  return {
    'message.received': messageAdded,
    'message.sent': messageAdded,
    'message.status': z.object({
      ...message,
      status: DeliveryStatusSchema,
      previousStatus: z.optional(DeliveryStatusSchema),
      errors: z.array(z.object({ code: z.string() })).optional(),
    }),
    ...customerChanges(message, time),
    'conversation.opened': z.object({
      customerId,
      conversationId,
      openedAt: time,
      reopened: z.boolean(),
      channel: z.optional(ChannelSchema),
      previousConversationId: z.string().optional(),
    }),
    'conversation.assigned': z.object({
      customerId,
      conversationId,
      assignee: assignment,
      previous: assignment,
    }),
    ...conversationChanges(customerId, conversationId, time),
    'customer.created': z.object({ customerId, createdAt: time, channels: z.array(ChannelSchema) }),
    'customer.merged': z.object({ customerId, mergedInto: z.string(), mergedAt: time, by }),
    'customer.unmerged': z.object({ customerId, unmergedFrom: z.string(), unmergedAt: time, by }),
    'customer.erased': z.object({ customerId, erasedAt: time }),
    'contact.opted_out': consentChange(customerId, time),
    'contact.opted_in': consentChange(customerId, time),
    'sla.warning': slaTarget(customerId, conversationId, time),
    'sla.breached': slaTarget(customerId, conversationId, time),
    'csat.received': z.object({
      customerId,
      conversationId,
      surveyId: z.string().optional(),
      score: z.number(),
      comment: z.string().optional(),
      channel: z.optional(ChannelSchema),
      at: time,
    }),
    'voicemail.received': z.object({
      ...message,
      at: time,
      durationSeconds: z.number().optional().meta({ description: 'the recording’s length' }),
    }),
  } satisfies Record<EventType, z.ZodObject>;
});

/** The `data` of one event type, as the mapper must build it. */
export type EventData<T extends EventType> = z.infer<ReturnType<typeof eventDataSchemas>[T]>;

/** The whole body of one event type, `{id, type, timestamp, data}`, as the document describes it. */
export function eventSchema(type: EventType) {
  return z.object({
    id: z.string().meta({ description: 'the same however often the change behind it is delivered' }),
    type: z.literal(type),
    timestamp: z.iso.datetime(),
    data: eventDataSchemas()[type],
  });
}

/** Whether an event still goes out once its customer is erased: only the erasure itself does. */
export function outlivesErasure(event: IntegrationEvent): boolean {
  return event.type === 'customer.erased';
}
