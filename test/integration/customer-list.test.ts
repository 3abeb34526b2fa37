import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { customerListPartition } from '#shared/store/customer-list.js';
import { indexCustomers } from '#shared/store/customer-list-backfill.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { useTestRuntime } from '../support/test-runtime.js';

const ADMIN = agentToken('customer-list-admin');
const CUSTOMERS = 60;
const at = (i: number) => new Date(Date.UTC(2026, 5, 1, 9, i)).toISOString();
const idOf = (i: number) => `cu_list${String(i).padStart(2, '0')}`;
type ListPage = { items: Customer[]; cursor: string | null };

/**
 * The customer list: `GET /api/customers` without `q` answers every customer newest first (by first
 * contact), page after page, each once; customers merged away or erased are left out; a page's
 * DynamoDB calls stay bounded whatever the number of customers; a cursor we did not make is a 400.
 * End to end on the local runtime (dynalite).
 */
describe('customer list', () => {
  vi.setConfig({ testTimeout: 60_000 });
  const calls: RecordedCall[] = [];
  let dynamo: DynamoDBClient | undefined;
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-admin:${ADMIN}:admin` },
    timers: stillTimers(),
    dynamoClient: (client) => {
      recordCalls(client, calls);
      dynamo = client;
      return client;
    },
  });
  const request = agentRequest(() => runtime.url, ADMIN);
  const list = (query: string) => request<ListPage>('GET', `/api/customers?${query}`);

  beforeAll(async () => {
    for (let i = 0; i < CUSTOMERS; i += 1) {
      const customerId = idOf(i);
      await runtime.store.customers.touchProfile({
        customerId,
        identities: [{ kind: 'phone', value: `+4477002${String(i).padStart(5, '0')}` }],
        channel: 'sms',
        at: at(i),
        now: at(i),
        conversationId: `cv_list${i}`,
        inbound: true,
        name: { value: `Listed ${i}`, at: at(i) },
        firstContact: true,
      });
      await runtime.store.customers.claimIdentity(
        { kind: 'phone', value: `+4477002${String(i).padStart(5, '0')}` },
        customerId,
        at(i),
      );
    }
  }, 60_000);

  /** Every page of the list at a page size, and the DynamoDB calls each page made, by command. */
  async function allPages(limit: number) {
    const pages: { ids: string[]; made: Record<string, number> }[] = [];
    let cursor: string | null = null;
    do {
      const from = calls.length;
      const res = await list(`limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const made: Record<string, number> = {};
      for (const call of calls.slice(from)) made[call.command] = (made[call.command] ?? 0) + 1;
      pages.push({ ids: res.json.items.map((c) => c.id), made });
      cursor = res.json.cursor;
      expect(pages.length).toBeLessThan(100);
    } while (cursor);
    return pages;
  }

  const newestFirst = (ids: readonly string[]) => [...ids].reverse();
  let shown = Array.from({ length: CUSTOMERS }, (_, i) => idOf(i));

  it('answers every customer newest first, each once, at every page size; a repeat listing keeps the first', async () => {
    // A retry of the first contact, later: the profile keeps its place.
    await runtime.store.customers.touchProfile({
      customerId: idOf(0),
      identities: [{ kind: 'phone', value: '+447700200000' }],
      channel: 'sms',
      at: at(99),
      now: at(99),
      conversationId: 'cv_list0',
      inbound: true,
      firstContact: true,
    });
    for (const limit of [25, 7, 200]) {
      const pages = await allPages(limit);
      expect(
        pages.flatMap((p) => p.ids),
        String(limit),
      ).toEqual(newestFirst(shown));
      for (const page of pages) expect(page.ids.length).toBeLessThanOrEqual(limit);
    }
    expect((await allPages(25)).map((p) => p.ids.length)).toEqual([25, 25, 10]);
  });

  it('bounds each page: one query a shard (a few more for the busiest), one BatchGetItem, nothing else', async () => {
    for (const page of await allPages(25)) {
      expect(page.made.Query).toBeGreaterThanOrEqual(64);
      expect(page.made.Query).toBeLessThanOrEqual(64 + 30);
      expect(page.made.BatchGetItem).toBe(1);
      expect(Object.keys(page.made).sort()).toEqual(['BatchGetItem', 'Query']);
    }
  });

  it('leaves out a customer merged away and an erased one', async () => {
    const merged = await request('POST', `/api/customers/${idOf(11)}/merge`, { customerId: idOf(10) });
    expect(merged.status).toBe(200);
    const erased = await request('DELETE', `/api/customers/${idOf(20)}`);
    expect(erased.status).toBe(200);
    shown = shown.filter((id) => id !== idOf(10) && id !== idOf(20));
    // Out of the index itself, not only left out of the page: the tombstone carries no list keys.
    const db = documentClient(dynamo as DynamoDBClient);
    const inIndex = async (customerId: string) =>
      (
        await db.query({
          TableName: 'threadline',
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': customerListPartition(customerId) },
        })
      ).Items?.some((item) => item.pk === `CUSTOMER#${customerId}`);
    expect(await inIndex(idOf(20))).toBe(false);
    expect(await inIndex(idOf(10))).toBe(true);
    for (const limit of [25, 3]) {
      expect(
        (await allPages(limit)).flatMap((p) => p.ids),
        String(limit),
      ).toEqual(newestFirst(shown));
    }
  });

  it('lists customers first seen before it once `index-customers` has run, resumably, each once', async () => {
    const before = [70, 71, 72].map(idOf);
    for (const [n, customerId] of before.entries()) {
      await runtime.store.customers.touchProfile({
        customerId,
        identities: [{ kind: 'phone', value: `+4477004${String(n).padStart(5, '0')}` }],
        channel: 'sms',
        at: at(70 + n),
        now: at(70 + n),
        conversationId: `cv_before${n}`,
        inbound: true,
      });
    }
    expect((await allPages(200)).flatMap((p) => p.ids)).toEqual(newestFirst(shown));
    const db = { doc: documentClient(dynamo as DynamoDBClient), table: 'threadline' };
    const scan = (input: ScanCommandInput) => db.doc.scan(input);
    // A list item the version before wrote (2026-12-06): the run replaces it by the profile's keys.
    const legacy = { pk: `CUSTOMER#${idOf(71)}`, sk: 'LISTED' };
    await db.doc.put({
      TableName: 'threadline',
      Item: {
        ...legacy,
        entity: 'customer_listed',
        gsi1pk: 'CUSTOMER_LIST#1',
        gsi1sk: `${at(71)}#${idOf(71)}`,
      },
    });
    let run = await indexCustomers(db, scan, { limit: 20, pages: 1 });
    let listed = run.listed;
    while (run.cursor) {
      run = await indexCustomers(db, scan, { limit: 20, pages: 1, from: run.cursor });
      listed += run.listed;
    }
    // The three before it: not the erased one, not those listed already.
    expect(listed).toBe(3);
    expect((await db.doc.get({ TableName: 'threadline', Key: legacy })).Item).toBeUndefined();
    shown = [...shown, ...before];
    expect((await allPages(25)).flatMap((p) => p.ids)).toEqual(newestFirst(shown));
    expect((await indexCustomers(db, scan, { limit: 1000 })).listed).toBe(0);
  });

  it.each([
    'limit=0',
    'limit=201',
    'limit=abc',
    'cursor=not-ours',
    `cursor=${Buffer.from('{"after":"x"}').toString('base64url')}`,
    `cursor=${Buffer.from('{"before":"x"}').toString('base64url')}`,
  ])('refuses %s with 400 invalid_request', async (query) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect((res.json as unknown as { error: { code: string } }).error.code).toBe('invalid_request');
  });
});
