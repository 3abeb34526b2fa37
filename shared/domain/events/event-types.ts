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
  'sla.warning',
  'sla.breached',
  'csat.received',
  'voicemail.received',
] as const;
