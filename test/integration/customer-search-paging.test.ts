import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { CUSTOMER_NAME_PARTITION, Keys, nameSortKey } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { tamperedCursors } from '../support/tampered-cursors.js';
import { useTestRuntime } from '../support/test-runtime.js';

const TOKEN = agentToken('search-paging-token');
const MARIAS = 70;
const at = (i: number) => new Date(Date.UTC(2026, 5, 1, 9, i)).toISOString();
type SearchPage = { items: Customer[]; cursor: string | null };

/**
 * Customer search pages: `GET /api/customers?q=&limit=&cursor=` reaches every name match of a common
 * name, page after page, each customer once; the customer a handle names comes first on page one and
 * never again; a page's DynamoDB calls stay bounded; a bad limit or cursor is a 400. End to end on the
 * local runtime (dynalite).
 */
describe('customer search pages', () => {
  vi.setConfig({ testTimeout: 60_000 });
  const calls: RecordedCall[] = [];
  let dynamo: DynamoDBClient | undefined;
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-1:${TOKEN}` },
    timers: stillTimers(),
    dynamoClient: (client) => {
      dynamo = recordCalls(client, calls) && client;
      return client;
    },
  });
  const request = agentRequest(() => runtime.url, TOKEN);
  const search = (query: string) => request<SearchPage>('GET', `/api/customers?${query}`);
  /** Every name-matching customer's id, in the name index's order (folded name, then id). */
  const byName: { id: string; key: string }[] = [];

  beforeAll(async () => {
    for (let i = 0; i < MARIAS; i += 1) {
      const id = `cu_maria${String(i).padStart(2, '0')}`;
      // Names that repeat, so the id orders the same names.
      const name = `Maria ${['Silva', 'Santos', 'Souza', 'Lima'][i % 4]}`;
      await runtime.store.customers.touchProfile({
        customerId: id,
        identities: [{ kind: 'phone', value: `+4477001${String(i).padStart(5, '0')}` }],
        channel: 'sms',
        at: at(i),
        now: at(i),
        conversationId: `cv_maria${i}`,
        inbound: true,
        name: { value: name, at: at(i) },
      });
      byName.push({ id, key: nameSortKey(name, id) });
    }
    // Written before the name index was sharded: still found.
    const legacy = { id: 'cu_marialegacy', name: 'Maria Legacy' };
    await documentClient(dynamo as DynamoDBClient).send(
      new PutCommand({
        TableName: 'threadline',
        Item: {
          ...Keys.customer(legacy.id),
          entity: 'customer',
          ...legacy,
          identities: [],
          channels: [],
          createdAt: at(0),
          gsi1pk: CUSTOMER_NAME_PARTITION,
          gsi1sk: nameSortKey(legacy.name, legacy.id),
        },
      }),
    );
    byName.push({ id: legacy.id, key: nameSortKey(legacy.name, legacy.id) });
    // Her Instagram handle is `maria`, and her name sorts among the last.
    await runtime.store.customers.touchProfile({
      customerId: 'cu_handle',
      identities: [{ kind: 'instagram', value: 'maria' }],
      channel: 'instagram',
      at: at(0),
      now: at(0),
      conversationId: 'cv_handle',
      inbound: true,
      name: { value: 'Maria Zuniga', at: at(0) },
    });
    await runtime.store.customers.claimIdentity({ kind: 'instagram', value: 'maria' }, 'cu_handle', at(0));
    byName.push({ id: 'cu_handle', key: nameSortKey('Maria Zuniga', 'cu_handle') });
    byName.sort((a, b) => (a.key < b.key ? -1 : 1));
  }, 60_000);

  /** Every page of a search at a page size, and the DynamoDB calls each page made, by command. */
  async function allPages(q: string, limit: number) {
    const pages: { ids: string[]; made: Record<string, number>; units: number }[] = [];
    let cursor: string | null = null;
    do {
      const from = calls.length;
      const query: string = `q=${encodeURIComponent(q)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await search(query);
      expect(res.status, query).toBe(200);
      const made: Record<string, number> = {};
      let units = 0;
      for (const call of calls.slice(from)) {
        made[call.command] = (made[call.command] ?? 0) + 1;
        units += call.units;
      }
      pages.push({ ids: res.json.items.map((c) => c.id), made, units });
      cursor = res.json.cursor;
      expect(pages.length).toBeLessThan(100);
    } while (cursor);
    return pages;
  }

  it('reaches every Maria, 25 a page: the handle first on page one, each customer once', async () => {
    const pages = await allPages('maria', 25);
    const ids = pages.flatMap((p) => p.ids);
    expect(ids[0]).toBe('cu_handle');
    expect(ids).toEqual(['cu_handle', ...byName.map((c) => c.id).filter((id) => id !== 'cu_handle')]);
    expect(new Set(ids).size).toBe(MARIAS + 2);
    expect(pages.map((p) => p.ids.length)).toEqual([25, 25, 22]);
  });

  it('answers the same customers at every page size, the last page with cursor null', async () => {
    const want = ['cu_handle', ...byName.map((c) => c.id).filter((id) => id !== 'cu_handle')];
    for (const limit of [6, 72, 200]) {
      const pages = await allPages('maria', limit);
      expect(
        pages.flatMap((p) => p.ids),
        String(limit),
      ).toEqual(want);
      for (const page of pages) expect(page.ids.length).toBeLessThanOrEqual(limit);
    }
  });

  it('fills a page of 1 with the handle alone; its cursor starts the names, at any page size', async () => {
    const first = await search('q=maria&limit=1');
    expect(first.json.items.map((c) => c.id)).toEqual(['cu_handle']);
    const rest = await search(`q=maria&limit=200&cursor=${first.json.cursor}`);
    expect(rest.json.items.map((c) => c.id)).toEqual(
      byName.map((c) => c.id).filter((id) => id !== 'cu_handle'),
    );
    expect(rest.json.cursor).toBeNull();
  });

  it('folds case and accents as the name index does (a handle is matched as written)', async () => {
    const pages = await allPages('MARÍA', 30);
    expect(pages.flatMap((p) => p.ids)).toEqual(byName.map((c) => c.id));
  });

  it('pages a narrower prefix alone: no customer outside it, and none found by a handle', async () => {
    const pages = await allPages('maria s', 10);
    const want = byName.filter((c) => c.key.startsWith('maria s')).map((c) => c.id);
    expect(want.length).toBe(53);
    expect(pages.flatMap((p) => p.ids)).toEqual(want);
  });

  it('bounds each page: one query a name and word shard (a few more for the busiest), one BatchGetItem, no identity reads after the first', async () => {
    const pages = await allPages('maria', 25);
    const [first, ...later] = pages;
    // The handle's lookups: messenger, instagram and whatsapp, and the profile instagram found.
    expect(first?.made.GetItem).toBe(4);
    for (const page of pages) {
      // 64 name shards, the partition written before them, 64 word shards.
      expect(page.made.Query).toBeGreaterThanOrEqual(129);
      expect(page.made.Query).toBeLessThanOrEqual(129 + 30);
      expect(page.made.BatchGetItem).toBe(1);
    }
    for (const page of later) expect(page.made.GetItem).toBeUndefined();
    expect(Object.keys(first?.made ?? {}).sort()).toEqual(['BatchGetItem', 'GetItem', 'Query']);
  });

  it('pages names in the order of the index (UTF-8 bytes): an emoji sorts after a private-use letter, none is lost', async () => {
    // UTF-16 puts the emoji's surrogates (U+D83D) before U+E000; DynamoDB's bytes put it after.
    const names = ['Zoé \u{1F600} Astral', 'Zoé \uE000 Private', 'Zoé \uFB4F Ligature', 'Zoé a'];
    for (const [i, name] of names.entries()) {
      await runtime.store.customers.touchProfile({
        customerId: `cu_zoe${i}`,
        identities: [{ kind: 'phone', value: `+4477003${String(i).padStart(5, '0')}` }],
        channel: 'sms',
        at: at(i),
        now: at(i),
        conversationId: `cv_zoe${i}`,
        inbound: true,
        name: { value: name, at: at(i) },
      });
    }
    const bytes = (id: string) => Buffer.from(nameSortKey(names[Number(id.slice(-1))] ?? '', id));
    const want = names.map((_, i) => `cu_zoe${i}`).sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
    expect(want.at(-1)).toBe('cu_zoe0');
    for (const limit of [1, 2]) {
      expect(
        (await allPages('zoe', limit)).flatMap((p) => p.ids),
        String(limit),
      ).toEqual(want);
    }
  });

  it.each(['0', '201', 'abc', '-1', '2.5'])('refuses limit=%s with 400 invalid_request', async (limit) => {
    const res = await search(`q=maria&limit=${limit}`);
    expect(res.status).toBe(400);
    expect((res.json as unknown as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('refuses a garbage, forged, oversized or other-search cursor with 400 invalid_request', async () => {
    const page = await search('q=maria&limit=5');
    const cursor = page.json.cursor ?? '';
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      '%FF%FE',
      'not-a-cursor',
      forge({ pk: 'CUSTOMER#x' }),
      forge({ after: 'maria#cu_1', skip: [] }),
      ...tamperedCursors(cursor).map(([, tampered]) => tampered),
      'A'.repeat(4097),
    ];
    for (const forged of bad) {
      const res = await search(`q=maria&cursor=${forged}`);
      expect(res.status, forged.slice(0, 60)).toBe(400);
      expect((res.json as unknown as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    // A cursor of one search given to another (sealed for that search).
    const other = await search(`q=${encodeURIComponent('zed')}&cursor=${cursor}`);
    expect(other.status).toBe(400);
    // The cursor is opaque: the API's own one goes on.
    expect((await search(`q=maria&limit=5&cursor=${cursor}`)).status).toBe(200);
  });
});
