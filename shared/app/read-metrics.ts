import type { AgentStore } from '#shared/domain/agent-ports.js';
import {
  customerMetrics,
  type Metrics,
  type MetricsRange,
  type MetricsViewer,
  metricsFor,
  metricsRange,
} from '#shared/domain/metrics.js';
import type { Clock } from '#shared/domain/ports.js';
import { readTimelinePages } from '#shared/domain/timeline.js';
import { ValidationError } from '#shared/errors.js';
import { existingCustomer } from './read-customer.js';

/** The most timeline items one customer's figures are computed from: a bound on the reads. */
export const METRICS_ITEM_LIMIT = 10_000;

/** What GET /api/metrics asks: one customer or everyone, and optionally a range of UTC days. */
export interface MetricsQuery {
  customerId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A range checked against the clock: at most 366 days, never backwards (a ValidationError otherwise). */
function checkedRange(query: MetricsQuery, clock: Clock): MetricsRange {
  const range = metricsRange(query, clock.now());
  if ('error' in range) throw new ValidationError(range.error);
  return range;
}

/**
 * The overall figures of a range of UTC days (the last 30 by default) from the daily counters, or
 * one known customer's computed from their timeline (read page by page), within the range if one
 * was asked for; as the viewer may see them (`metricsFor`: an agent reads only their own line by agent).
 */
export async function readMetrics(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'timeline' | 'overallMetrics'>; clock: Clock },
  query: MetricsQuery,
  viewer: MetricsViewer,
): Promise<
  ({ overall: Metrics } & MetricsRange) | ({ customerId: string; metrics: Metrics } & Partial<MetricsRange>)
> {
  const range = checkedRange(query, deps.clock);
  const { customerId } = query;
  if (!customerId) return { overall: metricsFor(await deps.store.overallMetrics(range), viewer), ...range };
  await existingCustomer(deps, customerId);
  const items = await readTimelinePages((id, page) => deps.store.timeline(id, page), customerId, {
    maxItems: METRICS_ITEM_LIMIT,
  });
  if (query.from === undefined && query.to === undefined)
    return { customerId, metrics: metricsFor(customerMetrics(items), viewer) };
  const within = items.filter((i) => i.at.slice(0, 10) >= range.from && i.at.slice(0, 10) <= range.to);
  return { customerId, metrics: metricsFor(customerMetrics(within), viewer), ...range };
}
