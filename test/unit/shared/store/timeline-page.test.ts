import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeTimelineCursor } from '#shared/store/cursor.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { TIME_READ_MAX, timelinePage } from '#shared/store/timeline-page.js';
import { mockAws } from '../../../support/aws-mock.js';
import { answerKeyRange } from '../../../support/key-range-query.js';
import { type StoredRow, storedTimelineRow } from '../../../support/stored-timeline-row.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const customers = { mergedPartitions: async (id: string) => [id] };
const T = '2026-12-06T04:57:27.000Z';

type Row = StoredRow;
let table: Row[] = [];
const queries: QueryCommandInput[] = [];

/** One stored WhatsApp message (or routing decision: `route:`) of the customer at `at`, arrived `arrival`. */
const stored = (at: string, id: string, arrival?: number): Row =>
  storedTimelineRow('whatsapp', at, id, arrival);

/** Answers a Query as DynamoDB does (`answerKeyRange`), and records it. */
function answer(input: QueryCommandInput) {
  queries.push(input);
  return answerKeyRange(table, input);
}

const readAll = async (limit: number, cursor?: string) => {
  const ids: string[] = [];
  let page = await timelinePage(db, customers, 'cu_1', { limit, ...(cursor ? { cursor } : {}) });
  ids.push(...page.items.map((item) => item.id));
  while (page.cursor) {
    page = await timelinePage(db, customers, 'cu_1', { limit, cursor: page.cursor });
    ids.push(...page.items.map((item) => item.id));
  }
  return { ids, resume: page.resume };
};

describe('timelinePage', () => {
  beforeEach(() => {
    ddb.reset();
    queries.length = 0;
    ddb.on(QueryCommand).callsFake(answer);
    table = [
      stored('2026-12-06T04:57:20.000Z', 'whatsapp:wamid.T1', 100),
      // One second: T5 came first, then its decision, then T10 and its decision (keys sort otherwise).
      stored(T, 'whatsapp:wamid.T5', 200),
      stored(T, 'route:whatsapp:wamid.T5'),
      stored(T, 'whatsapp:wamid.T10', 300),
      stored(T, 'route:whatsapp:wamid.T10'),
      stored(T, 'whatsapp:wamid.T25', 400),
    ];
  });

  it('answers the same order whatever the page size, a second cut anywhere', async () => {
    const order = [
      'whatsapp:wamid.T1',
      'whatsapp:wamid.T5',
      'route:whatsapp:wamid.T5',
      'whatsapp:wamid.T10',
      'route:whatsapp:wamid.T10',
      'whatsapp:wamid.T25',
    ];
    for (const limit of [1, 2, 3, 4, 5, 200])
      expect((await readAll(limit)).ids, `limit ${limit}`).toEqual(order);
  });

  it('resumes with what came later within the last second read, whatever its provider id', async () => {
    const first = await readAll(200);
    expect(first.ids.at(-1)).toBe('whatsapp:wamid.T25');
    // Its id sorts before every other key of the second; it came after them.
    table.push(stored(T, 'whatsapp:wamid.A0', 500));
    const later = await readAll(200, first.resume ?? undefined);
    expect(later.ids).toEqual(['whatsapp:wamid.A0']);
    // Nothing new: an empty page, and the same place.
    const quiet = await timelinePage(db, customers, 'cu_1', { limit: 200, cursor: later.resume ?? '' });
    expect(quiet).toEqual({ items: [], cursor: null, resume: later.resume });
  });

  it('reads the last second again from its start: its items answered and the page, no more', async () => {
    const first = await readAll(200);
    queries.length = 0;
    await timelinePage(db, customers, 'cu_1', { limit: 10, cursor: first.resume ?? '' });
    expect(queries).toHaveLength(1);
    expect(queries[0]?.ExpressionAttributeValues?.[':from']).toBe(`TIMELINE#${T}\u0000`);
    // The five of the second answered, the page, one more to know whether the page's last second goes
    // on past it, and one to know whether there is more.
    expect(queries[0]?.Limit).toBe(5 + 10 + 2);
  });

  it('still reads a cursor made before places were kept after its key', async () => {
    // The second's last key: the rest of the second had come before it.
    const old = encodeTimelineCursor({ after: `TIMELINE#${T}#whatsapp:wamid.T5` });
    table.push(stored('2026-12-06T04:57:30.000Z', 'whatsapp:wamid.T30', 600));
    expect((await readAll(200, old)).ids).toEqual(['whatsapp:wamid.T30']);
  });

  it(`reads a second of more than ${TIME_READ_MAX} items of a partition in key order, every item once`, async () => {
    const burst = '2026-12-06T05:00:00.000Z';
    const ids = Array.from(
      { length: TIME_READ_MAX + 5 },
      (_, i) => `whatsapp:wamid.B${String(i).padStart(5, '0')}`,
    );
    table.push(...ids.map((id, i) => stored(burst, id, 10_000 - i)));
    const all = await readAll(200);
    expect(all.ids.slice(6)).toEqual(ids);
  });
});
