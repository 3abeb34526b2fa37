import { describe, expect, it } from 'vitest';
import { METRICS_ITEM_LIMIT, type MetricsQuery, readMetrics } from '#shared/app/read-metrics.js';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { NotFoundError, ValidationError } from '#shared/errors.js';

const overall: Metrics = {
  routed: 4,
  aiResolutionRate: 0.5,
  handoffReasons: {},
  firstResponseMs: { median: null, mean: null, conversations: 0 },
  firstHumanResponseMs: { median: null, mean: null, conversations: 0 },
  channelSwitchRate: 0,
};
const note = (n: number): TimelineItem => ({
  id: `note:${n}`,
  type: 'note',
  at: '2025-06-09T10:00:00.000Z',
  customerId: 'cu_1',
  text: 'n',
});

const clock = { now: () => new Date('2025-06-09T10:00:00.000Z') };
/** Read by an admin, who sees every figure (an agent's view: `metricsFor`, in the domain's tests). */
const read = (deps: Parameters<typeof readMetrics>[0], query: MetricsQuery) =>
  readMetrics(deps, query, { agentId: 'admin-1', admin: true });

/** A store whose timeline has `pages` pages of 200 items, and records the cursors it was asked for. */
function store(pages: number) {
  const cursors: Array<string | undefined> = [];
  const ranges: unknown[] = [];
  return {
    cursors,
    ranges,
    getCustomer: async (id: string) => (id === 'cu_1' ? ({ id } as Customer) : undefined),
    overallMetrics: async (range: unknown) => {
      ranges.push(range);
      return overall;
    },
    timeline: async (_id: string, page: { limit: number; cursor?: string | undefined }) => {
      cursors.push(page.cursor);
      const n = page.cursor ? Number(page.cursor) : 0;
      return {
        items: Array.from({ length: page.limit }, (_, i) => note(n * page.limit + i)),
        cursor: n + 1 < pages ? String(n + 1) : null,
        resume: String(n + 1),
      };
    },
  };
}

describe('readMetrics', () => {
  it('answers the overall figures of the last 30 UTC days without a customer', async () => {
    const s = store(1);
    const range = { from: '2025-05-11', to: '2025-06-09' };
    expect(await read({ store: s, clock }, {})).toEqual({ overall, ...range });
    expect(s.ranges).toEqual([range]);
  });

  it('answers the overall figures of the days asked for, both included', async () => {
    const s = store(1);
    const range = { from: '2024-06-09', to: '2025-06-09' };
    expect(await read({ store: s, clock }, range)).toEqual({ overall, ...range });
    expect(await read({ store: s, clock }, { to: '2025-01-31' })).toMatchObject({
      from: '2025-01-02',
    });
    expect(await read({ store: s, clock }, { from: '2025-06-01' })).toMatchObject({
      to: '2025-06-09',
    });
  });

  // QA: `from` alone after today was refused as "must not be after to" with no `to` given; a range in
  // the future read 365 days of nothing and answered zeros.
  it('says a from after today is after today (the default to), and reads nothing', async () => {
    const s = store(1);
    await expect(read({ store: s, clock }, { from: '2025-12-31' })).rejects.toThrow(
      'from: 2025-12-31 is after today (2025-06-09, UTC): no figures yet',
    );
    await expect(read({ store: s, clock }, { from: '2026-01-01', to: '2026-12-31' })).rejects.toThrow(
      /after today/,
    );
    expect(s.ranges).toEqual([]);
  });

  it('cuts a to after today to today, and answers the range it read', async () => {
    const s = store(1);
    expect(await read({ store: s, clock }, { from: '2025-06-01', to: '2025-12-31' })).toEqual({
      overall,
      from: '2025-06-01',
      to: '2025-06-09',
    });
    expect(await read({ store: s, clock }, { to: '2025-12-31' })).toMatchObject({
      from: '2025-05-11',
      to: '2025-06-09',
    });
    expect(s.ranges).toEqual([
      { from: '2025-06-01', to: '2025-06-09' },
      { from: '2025-05-11', to: '2025-06-09' },
    ]);
  });

  it.each([
    ['backwards', { from: '2025-06-09', to: '2025-06-08' }],
    ['over 366 days', { from: '2024-06-08', to: '2025-06-09' }],
    ['from after today', { from: '2025-06-10' }],
  ])('refuses a range %s', async (_name, range) => {
    const s = store(1);
    await expect(read({ store: s, clock }, range)).rejects.toBeInstanceOf(ValidationError);
    expect(s.ranges).toEqual([]);
  });

  it('counts only the days asked for when a customer’s range is given', async () => {
    const s = store(1);
    expect(
      await read({ store: s, clock }, { customerId: 'cu_1', from: '2025-06-01', to: '2025-06-08' }),
    ).toEqual({
      customerId: 'cu_1',
      metrics: expect.objectContaining({ routed: 0 }),
      from: '2025-06-01',
      to: '2025-06-08',
    });
  });

  it('reads every page of the customer\u2019s timeline', async () => {
    const s = store(3);
    expect(await read({ store: s, clock }, { customerId: 'cu_1' })).toMatchObject({
      customerId: 'cu_1',
      metrics: { routed: 0 },
    });
    expect(s.cursors).toEqual([undefined, '1', '2']);
  });

  it('stops reading at the item limit', async () => {
    const s = store(1_000);
    await read({ store: s, clock }, { customerId: 'cu_1' });
    expect(s.cursors).toHaveLength(METRICS_ITEM_LIMIT / 200);
  });

  it('refuses an unknown customer', async () => {
    await expect(read({ store: store(1), clock }, { customerId: 'cu_404' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
