import { describe, expect, it } from 'vitest';
import { METRICS_ITEM_LIMIT, readMetrics } from '#shared/app/read-metrics.js';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { NotFoundError } from '#shared/errors.js';

const overall: Metrics = {
  routed: 4,
  aiResolutionRate: 0.5,
  handoffReasons: {},
  firstResponseMs: { median: null, mean: null, conversations: 0 },
  channelSwitchRate: 0,
};
const note = (n: number): TimelineItem => ({
  id: `note:${n}`,
  type: 'note',
  at: '2025-06-09T10:00:00.000Z',
  customerId: 'cu_1',
  text: 'n',
});

/** A store whose timeline has `pages` pages of 200 items, and records the cursors it was asked for. */
function store(pages: number) {
  const cursors: Array<string | undefined> = [];
  return {
    cursors,
    getCustomer: async (id: string) => (id === 'cu_1' ? ({ id } as Customer) : undefined),
    overallMetrics: async () => overall,
    timeline: async (_id: string, page: { limit: number; cursor?: string | undefined }) => {
      cursors.push(page.cursor);
      const n = page.cursor ? Number(page.cursor) : 0;
      return {
        items: Array.from({ length: page.limit }, (_, i) => note(n * page.limit + i)),
        cursor: n + 1 < pages ? String(n + 1) : null,
      };
    },
  };
}

describe('readMetrics', () => {
  it('answers the overall figures without a customer', async () => {
    expect(await readMetrics({ store: store(1) }, undefined)).toEqual({ overall });
  });

  it('reads every page of the customer\u2019s timeline', async () => {
    const s = store(3);
    expect(await readMetrics({ store: s }, 'cu_1')).toMatchObject({
      customerId: 'cu_1',
      metrics: { routed: 0 },
    });
    expect(s.cursors).toEqual([undefined, '1', '2']);
  });

  it('stops reading at the item limit', async () => {
    const s = store(1_000);
    await readMetrics({ store: s }, 'cu_1');
    expect(s.cursors).toHaveLength(METRICS_ITEM_LIMIT / 200);
  });

  it('refuses an unknown customer', async () => {
    await expect(readMetrics({ store: store(1) }, 'cu_404')).rejects.toBeInstanceOf(NotFoundError);
  });
});
