import type { Customer } from '#shared/domain/timeline.js';

/** A customer profile as a fake store answers it: nothing known of them but `over`. */
export function bareCustomer(id: string, createdAt: string, over: Partial<Customer> = {}): Customer {
  return {
    id,
    identities: [],
    channels: [],
    createdAt,
    tags: [],
    mergedFrom: [],
    lastInboundByChannel: {},
    ...over,
  };
}
