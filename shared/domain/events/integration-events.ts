import * as z from 'zod';

/** The events an integrator can subscribe to (the list grows with the features). */
export const EventTypeSchema = z.enum([
  'message.received',
  'message.sent',
  'message.status',
  'conversation.opened',
  'conversation.assigned',
  'conversation.resolved',
  'customer.created',
  'customer.merged',
  'customer.unmerged',
  'customer.erased',
  'sla.breached',
  'csat.received',
]);
export type EventType = z.infer<typeof EventTypeSchema>;

/**
 * One event as integrators receive it (the Standard Webhooks payload shape: `type`, `timestamp`,
 * `data`). `id` is the same however often the change behind it is delivered; `data` holds ids, times
 * and the changed object, never contact data (no phone numbers, addresses, names).
 */
export const IntegrationEventSchema = z.object({
  id: z.string().min(1),
  type: EventTypeSchema,
  timestamp: z.iso.datetime(),
  data: z.object({ customerId: z.string(), conversationId: z.string().optional() }).catchall(z.unknown()),
});
export type IntegrationEvent = z.infer<typeof IntegrationEventSchema>;

/** Whether an event still goes out once its customer is erased: only the erasure itself does. */
export function outlivesErasure(event: IntegrationEvent): boolean {
  return event.type === 'customer.erased';
}
