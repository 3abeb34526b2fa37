import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { readMetrics } from '#shared/app/read-metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelinePage } from '#shared/store/timeline-page.js';
import { mockAws } from '../../../support/aws-mock.js';
import { answerKeyRange } from '../../../support/key-range-query.js';

// One customer's metrics read through the store's timeline pages, DynamoDB mocked at the SDK client.
const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const customers = { mergedPartitions: async (id: string) => [id] };
const clock = { now: () => new Date('2026-12-06T12:00:00.000Z') };

type Row = Record<string, unknown> & { pk: string; sk: string };
let table: Row[] = [];
const queries: QueryCommandInput[] = [];

const row = (at: string, id: string, fields: Record<string, unknown>): Row => ({
  pk: 'CUSTOMER#cu_1',
  sk: `TIMELINE#${at}#${id}`,
  entity: 'timeline',
  id,
  customerId: 'cu_1',
  at,
  ...fields,
});
const routed = (at: string, n: number) => row(at, `route:${n}`, { type: 'event', event: 'routed' });
const message = (at: string, id: string, direction: 'inbound' | 'outbound') =>
  row(at, id, {
    type: 'message',
    direction,
    channel: 'whatsapp',
    conversationId: 'co_1',
    ...(direction === 'outbound' ? { data: { author: { kind: 'agent', id: 'ag_1' } } } : {}),
  });

/** Answers a Query as DynamoDB does (`answerKeyRange`), and records it. */
function answer(input: QueryCommandInput) {
  queries.push(input);
  return answerKeyRange(table, input);
}

const store = {
  getCustomer: async (id: string) =>
    id === 'cu_1'
      ? ({ id, identities: [], channels: [], createdAt: '2024-01-01T00:00:00.000Z' } as unknown as Customer)
      : undefined,
  overallMetrics: async () => {
    throw new Error('not read');
  },
  timeline: (id: string, page: { limit: number; cursor?: string | undefined; from?: string | undefined }) =>
    timelinePage(db, customers, id, page),
};
const read = (query: { from?: string; to?: string }) =>
  readMetrics({ store, clock }, { customerId: 'cu_1', ...query }, { agentId: 'admin-1', admin: true });

beforeEach(() => {
  queries.length = 0;
  // 10,000 routing decisions an hour apart from 2025-01-01, then 200 in the week asked (2026-11-30..12-06),
  // and a message two days before the week answered inside it.
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  table = Array.from({ length: 10_000 }, (_, n) => routed(new Date(start + n * 3_600_000).toISOString(), n));
  const week = Date.parse('2026-11-30T00:00:00.000Z');
  for (let n = 0; n < 200; n++) table.push(routed(new Date(week + n * 1_800_000).toISOString(), 10_000 + n));
  table.push(message('2026-11-28T09:00:00.000Z', 'whatsapp:in', 'inbound'));
  table.push(message('2026-11-30T09:00:00.000Z', 'agent:out', 'outbound'));
  ddb.reset();
  ddb.on(QueryCommand).callsFake(answer);
});

describe('one customer’s metrics of a range', () => {
  it('reads only the range’s items (and the margin before it), whatever the history before', async () => {
    const answer = await read({ from: '2026-11-30', to: '2026-12-06' });
    expect(answer).toMatchObject({
      customerId: 'cu_1',
      from: '2026-11-30',
      to: '2026-12-06',
      metrics: { routed: 200, firstResponseMs: { conversations: 1, mean: 2 * 86_400_000 } },
    });
    expect(answer).not.toHaveProperty('truncated');
    // 202 items from the margin's start: two pages, a Query each (before: 50 Queries from 2025, stopped at the item limit, the week unread).
    expect(queries).toHaveLength(2);
    expect(String(queries[0]?.ExpressionAttributeValues?.[':from'])).toMatch(/^TIMELINE#2026-11-23T00:00/);
  });

  it('counts nothing of the margin but the first response it holds', async () => {
    const answer = await read({ from: '2026-11-28', to: '2026-11-28' });
    expect(answer).toMatchObject({ metrics: { routed: 0, firstResponseMs: { conversations: 0 } } });
  });

  it('says where it stopped when the whole history passes the item limit', async () => {
    const answer = await read({});
    expect(answer).toMatchObject({ customerId: 'cu_1', truncated: true });
    expect((answer as { reachedAt?: string }).reachedAt).toBe('2026-02-21T15:00:00.000Z'); // the 10,000th item
    expect(queries).toHaveLength(50);
  });
});
