import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineBackPage } from '#shared/store/timeline-back-page.js';
import { timelinePage } from '#shared/store/timeline-page.js';
import { mockAws } from '../../../support/aws-mock.js';
import { answerKeyRange } from '../../../support/key-range-query.js';
import { type StoredRow, storedTimelineRow } from '../../../support/stored-timeline-row.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const customers = { mergedPartitions: async (id: string) => [id] };

type Row = StoredRow;
let table: Row[] = [];

/** A stored web-chat message (or its routing decision: `route:`) of the customer at `at`, arrived `arrival`. */
const stored = (at: string, id: string, arrival?: number): Row =>
  storedTimelineRow('webchat', at, id, arrival);

/** Every item read newest first, `limit` a page, put back oldest first. */
async function newestFirst(limit: number): Promise<string[]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 100; n++) {
    const page = await timelineBackPage(db, customers, 'cu_1', { limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length, `a page of ${limit}`).toBeLessThanOrEqual(limit);
    pages.push(page.items.map((item) => item.id));
    if (!page.cursor) break;
    cursor = page.cursor;
  }
  return pages.reverse().flat();
}

describe('timelineBackPage', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).callsFake((input) => answerKeyRange(table, input));
    const ms = (n: number) => `2026-12-06T21:36:41.${String(n).padStart(3, '0')}Z`;
    table = [
      // Each message and its routing decision in one millisecond: "route:" sorts before "webchat:".
      ...[1, 2, 3, 4, 5].flatMap((n) => [
        stored(ms(n), `webchat:m${n}`, n * 10),
        stored(ms(n), `route:webchat:m${n}`),
      ]),
      // Three of one millisecond, their keys in the other order than their arrival, and one decided.
      stored(ms(7), 'webchat:z', 70),
      stored(ms(7), 'webchat:a', 71),
      stored(ms(7), 'route:webchat:z'),
      stored(ms(7), 'webchat:b', 72),
      stored(ms(9), 'webchat:last', 90),
    ];
  });

  it('pages newest first in exactly the reverse of oldest first, whatever the page size', async () => {
    const oldest = (await timelinePage(db, customers, 'cu_1', { limit: 200 })).items.map((item) => item.id);
    expect(oldest.slice(0, 2)).toEqual(['webchat:m1', 'route:webchat:m1']);
    expect(oldest.slice(10, 14)).toEqual(['webchat:z', 'route:webchat:z', 'webchat:a', 'webchat:b']);
    for (const limit of [1, 2, 3, 4, 5, 6, 7, 50]) {
      expect(await newestFirst(limit), `limit=${limit}`).toEqual(oldest);
    }
  });
});
