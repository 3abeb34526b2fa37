import { describe, expect, it } from 'vitest';
import type { DeliveryStatus } from '#shared/domain/envelope.js';
import { statusRank } from '#shared/domain/status-rank.js';
import { readTimelinePages, type TimelineItem } from '#shared/domain/timeline.js';

/** The status a message ends with after these reports, applied as the store applies them (rank only rises). */
function settle(reports: DeliveryStatus[]): DeliveryStatus | undefined {
  let current: DeliveryStatus | undefined;
  for (const status of reports) {
    if (current === undefined || statusRank(status) > statusRank(current)) current = status;
  }
  return current;
}

describe('statusRank', () => {
  it.each<[DeliveryStatus[], DeliveryStatus]>([
    [['queued', 'sent', 'delivered', 'read'], 'read'],
    [['read', 'delivered', 'sent'], 'read'],
    // SES: Delivery, then an asynchronous Bounce from the receiving server, in either order.
    [['sent', 'delivered', 'failed'], 'failed'],
    [['failed', 'delivered'], 'failed'],
    [['sent', 'failed', 'sent'], 'failed'],
    // A message the customer read or played was delivered, whatever failed report comes late.
    [['delivered', 'read', 'failed'], 'read'],
    [['failed', 'played'], 'played'],
  ])('settles %j on %s', (reports, expected) => {
    expect(settle(reports)).toBe(expected);
  });
});

describe('readTimelinePages', () => {
  // Five pages of 200: items t0..t999, the cursor the index of the next page.
  const item = (n: number): TimelineItem => ({
    id: `t${n}`,
    type: 'note',
    at: '2026-01-01T00:00:00Z',
    customerId: 'cu',
  });
  const pagesRead: Array<string | undefined> = [];
  const read = async (_id: string, page: { limit: number; cursor?: string | undefined }) => {
    pagesRead.push(page.cursor);
    const start = Number(page.cursor ?? 0);
    const items = Array.from({ length: page.limit }, (_, i) => item(start + i));
    return { items, cursor: start + page.limit < 1_000 ? String(start + page.limit) : null };
  };

  it('reads every page when unbounded, and stops at the page or item bound', async () => {
    pagesRead.length = 0;
    expect((await readTimelinePages(read, 'cu')).map((i) => i.id).at(-1)).toBe('t999');
    expect(pagesRead).toEqual([undefined, '200', '400', '600', '800']);
    expect(await readTimelinePages(read, 'cu', { maxPages: 2 })).toHaveLength(400);
    expect(await readTimelinePages(read, 'cu', { maxItems: 500 })).toHaveLength(600);
  });
});
