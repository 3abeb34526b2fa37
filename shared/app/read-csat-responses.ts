import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { CsatResponse } from '#shared/domain/csat/responses.js';
import { type MetricsRange, type MetricsViewer, metricsRange, metricsSpan } from '#shared/domain/metrics.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Clock } from '#shared/domain/ports.js';
import { ValidationError } from '#shared/errors.js';

/** What GET /api/csat/responses asks: a range of UTC days, the filters, a page. */
export interface CsatResponsesQuery {
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
  maxScore?: number | undefined;
  withComment?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * One page of the survey answers of a range of days (UTC, or `tz`'s: the metrics' range, the last 30 days by
 * default, at most 366), newest first, each with its customer's name (the page's profiles in one
 * read). As the viewer may see them, as the metrics' `byAgent` is: an admin every answer, an agent the
 * answers credited to them. An answer whose customer is erased, or being erased, is left out, as the
 * erasure leaves the figures' counts and takes everything that names the customer.
 */
export async function readCsatResponses(
  deps: { store: Pick<AgentStore, 'csatAnswers' | 'getCustomers'>; clock: Clock; cursors: PageCursors },
  query: CsatResponsesQuery,
  viewer: MetricsViewer,
): Promise<{ items: CsatResponse[]; cursor: string | null } & MetricsRange> {
  const range = metricsRange(query, deps.clock.now());
  if ('error' in range) throw new ValidationError(range.error);
  const { start, end } = metricsSpan(range);
  const agent = viewer.admin ? undefined : viewer.agentId;
  const scope = ['csat-responses', start, end, query.maxScore, query.withComment, agent] as const;
  const page = await deps.store.csatAnswers({
    start,
    end: new Date(Date.parse(end) - 1).toISOString(),
    maxScore: query.maxScore,
    withComment: query.withComment,
    ...(agent === undefined ? {} : { agent }),
    limit: query.limit,
    cursor: deps.cursors.open(query.cursor, scope),
  });
  const customers = await deps.store.getCustomers([...new Set(page.items.map((i) => i.customerId))]);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  const items = page.items.flatMap((item) => {
    if (!names.has(item.customerId)) return [];
    const name = names.get(item.customerId);
    return [{ ...item, ...(name ? { customerName: name } : {}) }];
  });
  return { items, cursor: deps.cursors.seal(page.cursor, scope), ...range };
}
