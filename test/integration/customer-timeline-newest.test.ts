import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { type CapacityMeter, meterClient } from '../support/capacity-meter.js';
import { stillTimers } from '../support/manual-timers.js';
import { newCustomer, type PipelineProbe, seedHistory } from '../support/pipeline-cost.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { tamperedCursors } from '../support/tampered-cursors.js';

const TOKEN = agentToken('timeline-newest-token');

type Page = { items: TimelineItem[]; cursor: string | null };

/**
 * `GET /api/customers/{id}/timeline?order=newest` (the console's): the newest page first, each page one
 * backwards Query of the customer's partition, so opening a customer of 1,500 items costs what one of
 * ten does; paging back reaches the oldest item with nothing read twice.
 */
describe('local runtime: a customer timeline read newest first', () => {
  let runtime: LocalRuntime;
  let meter: CapacityMeter;
  let client: DynamoDBClient;
  let probe: PipelineProbe;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-newest:${TOKEN}` },
      timers: stillTimers(),
      dynamoClient: (c) => {
        client = c;
        meter = meterClient(c);
        return c;
      },
    });
    probe = { runtime, meter, metaSecret: SECRETS.meta, table: 'threadline' };
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const read = async (customerId: string, query: Record<string, string>) => {
    const res = await fetch(
      `${runtime.url}/api/customers/${customerId}/timeline?${new URLSearchParams(query)}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    return { status: res.status, page: (await res.json()) as Page };
  };

  it('answers the newest page in one Query whatever the history, and pages back to the oldest', async () => {
    const small = await newCustomer(probe, '447700900311', 'The small one');
    const big = await newCustomer(probe, '447700900312', 'The newest question');
    await seedHistory(probe, client, small, 10);
    await seedHistory(probe, client, big, 1_500);

    // The agent's first request of the minute also looks at their removal record: made before the count.
    expect((await read(small.customerId, { limit: '1' })).status).toBe(200);
    meter.reset();
    expect((await read(small.customerId, { order: 'newest', limit: '50' })).status).toBe(200);
    const smallCost = meter.figures().byCommand;
    meter.reset();
    const first = await read(big.customerId, { order: 'newest', limit: '50' });
    expect(meter.figures().byCommand).toEqual(smallCost);
    expect(smallCost.QueryCommand).toBe(1);
    expect(first.page.items).toHaveLength(50);
    expect(first.page.items.at(-1)?.text).toBe('The newest question');
    expect(first.page.cursor).not.toBeNull();

    const seen = [...first.page.items];
    let cursor = first.page.cursor;
    let pages = 1;
    while (cursor) {
      meter.reset();
      const older = await read(big.customerId, { order: 'newest', limit: '200', cursor });
      expect(older.status).toBe(200);
      expect(meter.figures().byCommand.QueryCommand).toBe(1);
      for (const item of older.page.items) expect(item.at <= (seen[0]?.at ?? '')).toBe(true);
      seen.unshift(...older.page.items);
      cursor = older.page.cursor;
      pages += 1;
      expect(pages).toBeLessThanOrEqual(10);
    }
    expect(seen.find((i) => i.text)?.text).toBe('Old question number 0 about my order');
    expect(new Set(seen.map((i) => i.id)).size).toBe(seen.length);
    // The same items as the oldest-first order reads, in the same order.
    const forward: TimelineItem[] = [];
    let after: string | null = '';
    while (after !== null) {
      const next = await read(big.customerId, { limit: '200', ...(after ? { cursor: after } : {}) });
      forward.push(...next.page.items);
      after = next.page.cursor;
    }
    expect(seen.map((i) => i.id)).toEqual(forward.map((i) => i.id));
  }, 120_000);

  it('refuses a cursor of the other order, and an order it does not know, with 400', async () => {
    const customer = await newCustomer(probe, '447700900313', 'Hello');
    await seedHistory(probe, client, customer, 30);
    const forward = await read(customer.customerId, { limit: '5' });
    expect(forward.page.cursor).not.toBeNull();
    const mixed = { order: 'newest', cursor: forward.page.cursor ?? '' };
    expect((await read(customer.customerId, mixed)).status).toBe(400);
    expect((await read(customer.customerId, { order: 'sideways' })).status).toBe(400);
  });

  it("refuses a cursor made for another customer's timeline with 400", async () => {
    const one = await newCustomer(probe, '447700900314', 'Hello');
    await seedHistory(probe, client, one, 6);
    const other = await newCustomer(probe, '447700900315', 'Hi');
    const first = await read(one.customerId, { limit: '2' });
    expect(first.page.cursor).not.toBeNull();
    expect((await read(one.customerId, { limit: '2', cursor: first.page.cursor ?? '' })).status).toBe(200);
    // Before, the other customer's page read from this one's place, led by a switch from its last channel.
    const crossed = await read(other.customerId, { limit: '2', cursor: first.page.cursor ?? '' });
    expect(crossed.status).toBe(400);
    // Newest first too: before, its cursor named no customer and paged the other's timeline.
    const newest = await read(one.customerId, { order: 'newest', limit: '2' });
    expect(newest.page.cursor).not.toBeNull();
    const back = { order: 'newest', limit: '2', cursor: newest.page.cursor ?? '' };
    expect((await read(one.customerId, back)).status).toBe(200);
    expect((await read(other.customerId, back)).status).toBe(400);
    // Neither order's cursor pages the other order.
    expect((await read(one.customerId, { ...back, order: 'oldest' })).status).toBe(400);
    const forward = { limit: '2', cursor: first.page.cursor ?? '' };
    expect((await read(one.customerId, { ...forward, order: 'newest' })).status).toBe(400);
    // Neither cursor shows the customer's id, or a key of their timeline.
    for (const made of [first.page.cursor, newest.page.cursor]) {
      const text = Buffer.from(made ?? '', 'base64url').toString('latin1');
      expect(text).not.toContain(one.customerId);
      expect(text).not.toContain('TIMELINE');
    }
    // One changed, or a cursor as the API made them before (readable, naming no customer): refused.
    for (const [what, tampered] of tamperedCursors(first.page.cursor ?? '')) {
      expect((await read(one.customerId, { limit: '2', cursor: tampered })).status, what).toBe(400);
    }
    const before = first.page.items.at(-1);
    const legacy = Buffer.from(JSON.stringify({ after: `TIMELINE#${before?.at}#${before?.id}` }));
    expect((await read(other.customerId, { limit: '2', cursor: legacy.toString('base64url') })).status).toBe(
      400,
    );
  });
});
