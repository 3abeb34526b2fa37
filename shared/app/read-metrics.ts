import type { AgentStore } from '#shared/domain/agent-ports.js';
import {
  customerMetrics,
  type Metrics,
  type MetricsRange,
  type MetricsViewer,
  metricsFor,
  metricsRange,
  metricsSpan,
} from '#shared/domain/metrics.js';
import type { Clock } from '#shared/domain/ports.js';
import { readTimelineSpan } from '#shared/domain/timeline.js';
import { ValidationError } from '#shared/errors.js';
import { existingCustomer } from './read-customer.js';

/** The most timeline items one customer's figures are computed from: a bound on the reads. */
export const METRICS_ITEM_LIMIT = 10_000;

/**
 * How many days before a customer's range its timeline is read from: a reply inside the range to a
 * message up to this long before it counts as a first response (an older message's does not).
 */
export const FIRST_RESPONSE_MARGIN_DAYS = 7;

/** What GET /api/metrics asks: one customer or everyone, and optionally a range of UTC days. */
export interface MetricsQuery {
  customerId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The time zone whose days the range names (IANA); UTC without it. */
  tz?: string | undefined;
}

/** A range checked against the clock: at most 366 days, never backwards (a ValidationError otherwise). */
function checkedRange(query: MetricsQuery, clock: Clock): MetricsRange {
  const range = metricsRange(query, clock.now());
  if ('error' in range) throw new ValidationError(range.error);
  return range;
}

/**
 * The overall figures of a range of UTC days (the last 30 by default) from the daily counters, or
 * one known customer's computed from their timeline (read page by page, at most `METRICS_ITEM_LIMIT`
 * items: past it `truncated` and the time reached), within the range if one was asked for (only its
 * days read, and the margin before them); as the viewer may see them (`metricsFor`: an agent reads only their own line by agent).
 */
export async function readMetrics(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'timeline' | 'overallMetrics'>; clock: Clock },
  query: MetricsQuery,
  viewer: MetricsViewer,
): Promise<
  | ({ overall: Metrics } & MetricsRange)
  | ({
      customerId: string;
      metrics: Metrics;
      truncated?: true;
      reachedAt?: string | undefined;
    } & Partial<MetricsRange>)
> {
  const range = checkedRange(query, deps.clock);
  const { customerId } = query;
  if (!customerId) return { overall: metricsFor(await deps.store.overallMetrics(range), viewer), ...range };
  await existingCustomer(deps, customerId);
  const whole = query.from === undefined && query.to === undefined && query.tz === undefined;
  const { start, end } = metricsSpan(range);
  const margin = new Date(Date.parse(start) - FIRST_RESPONSE_MARGIN_DAYS * 86_400_000).toISOString();
  // A range reads its days only (and the margin before): a key condition on the timeline's time.
  const span = await readTimelineSpan((id, page) => deps.store.timeline(id, page), customerId, {
    maxItems: METRICS_ITEM_LIMIT,
    ...(whole ? {} : { from: margin, until: new Date(Date.parse(end) - 1).toISOString() }),
  });
  const truncated = span.truncated ? { truncated: true as const, reachedAt: span.reachedAt } : {};
  if (whole) return { customerId, metrics: metricsFor(customerMetrics(span.items), viewer), ...truncated };
  return {
    customerId,
    metrics: metricsFor(customerMetrics(span.items, range), viewer),
    ...range,
    ...truncated,
  };
}
