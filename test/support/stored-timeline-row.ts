/** A stored timeline item of customer `cu_1`, as the table holds it. */
export type StoredRow = Record<string, unknown> & { pk: string; sk: string };

/**
 * One stored inbound message of `channel` (or routing decision: an id starting `route:`) of customer
 * `cu_1` at `at`, arrived `arrival`.
 */
export const storedTimelineRow = (
  channel: 'whatsapp' | 'webchat',
  at: string,
  id: string,
  arrival?: number,
): StoredRow => ({
  pk: 'CUSTOMER#cu_1',
  sk: `TIMELINE#${at}#${id}`,
  entity: 'timeline',
  id,
  type: id.startsWith('route:') ? 'event' : 'message',
  ...(id.startsWith('route:') ? { event: 'routed' } : { direction: 'inbound', channel }),
  customerId: 'cu_1',
  at,
  ...(arrival === undefined ? {} : { arrival }),
});
