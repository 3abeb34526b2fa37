/**
 * The events an integrator can subscribe to (the list grows with the features): a plain list, so the
 * console's webhook form offers them without loading the schemas.
 */
export const EVENT_TYPES = [
  'message.received',
  'message.sent',
  'message.status',
  'message.edited',
  'message.deleted',
  'conversation.opened',
  'conversation.assigned',
  'conversation.snoozed',
  'conversation.woke',
  'conversation.resolved',
  'customer.created',
  'customer.merged',
  'customer.unmerged',
  'customer.erased',
  'contact.opted_out',
  'contact.opted_in',
  'sla.warning',
  'sla.breached',
  'csat.received',
  'voicemail.received',
] as const;

/**
 * What a subscription lists to take every event: those there are now and those added later (as
 * Stripe's `enabled_events: ["*"]`, or a Svix endpoint with no filter). Alone in its list.
 */
export const ALL_EVENTS = '*';

/** What a subscription may list: an event type, or ALL_EVENTS. */
export const SUBSCRIBABLE_EVENTS = [ALL_EVENTS, ...EVENT_TYPES] as const;
