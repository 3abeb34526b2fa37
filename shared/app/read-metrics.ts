import type { AgentStore } from '#shared/domain/agent-ports.js';
import { customerMetrics, type Metrics } from '#shared/domain/metrics.js';
import { readTimelinePages } from '#shared/domain/timeline.js';
import { existingCustomer } from './read-customer.js';

/** The most timeline items one customer's figures are computed from: a bound on the reads. */
export const METRICS_ITEM_LIMIT = 10_000;

/** The overall figures, or one known customer's computed from their timeline (read page by page). */
export async function readMetrics(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'timeline' | 'overallMetrics'> },
  customerId: string | undefined,
): Promise<{ overall: Metrics } | { customerId: string; metrics: Metrics }> {
  if (!customerId) return { overall: await deps.store.overallMetrics() };
  await existingCustomer(deps, customerId);
  const items = await readTimelinePages((id, page) => deps.store.timeline(id, page), customerId, {
    maxItems: METRICS_ITEM_LIMIT,
  });
  return { customerId, metrics: customerMetrics(items) };
}
