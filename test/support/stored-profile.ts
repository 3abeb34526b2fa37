import { Keys } from '#shared/store/keys.js';

/**
 * A customer's profile item as the table holds it, written straight to the table by a test (customers
 * stored before a change, or more than messages would make quickly): no identities, no channels, and
 * none of the name index's attributes, which the test adds as the layout it plays needs.
 */
export function storedProfileItem(id: string, name: string, createdAt: string): Record<string, unknown> {
  return { ...Keys.customer(id), entity: 'customer', id, name, identities: [], channels: [], createdAt };
}
