import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Page } from '#shared/domain/paging.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { existingCustomer } from './read-customer.js';

/** One page of a known customer's timeline (theirs and their merged customers'), oldest first. */
export async function readTimeline(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'timeline'> },
  customerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<TimelineItem>> {
  await existingCustomer(deps, customerId);
  return deps.store.timeline(customerId, page);
}
