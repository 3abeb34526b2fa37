import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { logger } from '#shared/log.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { DynamoGate } from '../support/dynamo-gate.js';
import { useMergeRaceRuntime } from '../support/merge-race.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const AGENT = agentToken('merge-ring-race-admin');

/**
 * Three merges asked at once around a ring (A into B, B into C, C into A): each pair's check saw no
 * opposite pointer, so all three landed and left A, B and C each merged into the next, a ring the
 * resolver followed to no root. Now the merge that closes the ring takes its pointer back and answers
 * 409; the pointers end as a chain.
 */
describe('local runtime: three merges at once around a ring', () => {
  const { runtime, customers, profiles } = useMergeRaceRuntime(AGENT, 14155554000);
  /** Three new customers, each from a WhatsApp message of their own, and their numbers. */
  const three = async () => {
    const { ids, phones } = await customers(3);
    return { ids: ids as [string, string, string], phones };
  };
  /** Each customer's `mergedInto` as the table holds it. */
  const pointers = async (ids: readonly string[]): Promise<Record<string, string | undefined>> => {
    const held = await profiles(ids);
    return Object.fromEntries(ids.map((id) => [id, held[id]?.mergedInto as string | undefined]));
  };

  /** From every customer the pointers reach a customer merged nowhere: no ring. */
  const noRing = (into: Record<string, string | undefined>) => {
    for (const start of Object.keys(into)) {
      const seen = new Set<string>();
      let id: string | undefined = start;
      while (id && into[id]) {
        expect(seen.has(id), `a ring from ${start}: ${JSON.stringify(into)}`).toBe(false);
        seen.add(id);
        id = into[id];
      }
    }
  };

  /** A gated, recorded store whose three merges (`[source, target]`) are held at their pointer write. */
  const heldMerges = (pairs: ReadonlyArray<readonly [string, string]>) => {
    const gate = new DynamoGate();
    gate.hold((call) => call.operation === 'UpdateItem' && call.body.includes('mergedAt = :now'), 3);
    const client = gate.attach(inspectionClient(runtime().dynamoEndpoint));
    const calls: RecordedCall[] = [];
    recordCalls(client, calls);
    const gated = dynamoRepositories(documentClient(client), TABLE);
    const now = new Date().toISOString();
    let settled = 0;
    const waiters: Array<{ count: number; go: () => void }> = [];
    const outcomes = pairs.map(([source, target]) =>
      gated.merges.merge(target, source, AGENT, now).then(
        (value) => ({ status: 'fulfilled' as const, value }),
        (reason: unknown) => ({ status: 'rejected' as const, reason }),
      ),
    );
    for (const outcome of outcomes) {
      void outcome.then(() => {
        settled++;
        for (const w of waiters.filter((w) => w.count <= settled)) w.go();
      });
    }
    const settledCount = (count: number) =>
      settled >= count ? Promise.resolve() : new Promise<void>((go) => waiters.push({ count, go }));
    return { gate, calls, outcomes, settledCount };
  };

  it('lets the two merges that point first land and refuses the one that closes the ring (409)', async () => {
    const {
      ids: [a, b, c],
    } = await three();
    const { gate, calls, outcomes, settledCount } = heldMerges([
      [a, b],
      [b, c],
      [c, a],
    ]);
    // All three have listed their source on their target (step 1) and wait at their pointer write.
    await gate.arrived(3);
    // One at a time, each to its end: the third pointer closes the ring.
    const made: RecordedCall[][] = [];
    for (let i = 0; i < 3; i++) {
      const before = calls.length;
      gate.release(i);
      await settledCount(i + 1);
      made.push(calls.slice(before));
    }
    const pk = (id: string) => `CUSTOMER#${id}`;
    // Each of the two that land reads its target once after its pointer (its source lists a customer:
    // the merge into it that closes the ring wrote its step 1 there), finds it merged nowhere, goes on.
    const [first, second, third] = made as [RecordedCall[], RecordedCall[], RecordedCall[]];
    for (const [calls, target] of [
      [first, b],
      [second, c],
    ] as const) {
      expect(calls.filter((call) => call.command === 'GetItem').map((call) => call.pk)).toEqual([pk(target)]);
    }
    // The third, from its pointer on: the pointer, two reads (A points to B, B to C, its source), its
    // pointer taken back, and its step 1 (A listing C): 5 calls, and no identity moved.
    expect(third.map((call) => `${call.command} ${call.pk}`)).toEqual([
      `UpdateItem ${pk(c)}`,
      `GetItem ${pk(a)}`,
      `GetItem ${pk(b)}`,
      `UpdateItem ${pk(c)}`,
      `UpdateItem ${pk(a)}`,
    ]);
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused.map((r) => (r.reason as Error).name)).toEqual(['ConflictError']);
    const into = await pointers([a, b, c]);
    noRing(into);
    expect(Object.values(into).filter(Boolean)).toHaveLength(2);
  }, 60_000);

  it('leaves no ring when all three pointers land before any merge looks (at least one 409)', async () => {
    const {
      ids: [a, b, c],
    } = await three();
    const { gate, outcomes } = heldMerges([
      [a, b],
      [b, c],
      [c, a],
    ]);
    await gate.arrived(3);
    for (let i = 0; i < 3; i++) gate.release(i);
    const results = await Promise.all(outcomes);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect((r.reason as Error).name).toBe('ConflictError');
    const into = await pointers([a, b, c]);
    noRing(into);
    // A merge answered 200 stands: its source still points to its target.
    results.forEach((r, i) => {
      const [source, target] = [
        [a, b],
        [b, c],
        [c, a],
      ][i] as [string, string];
      if (r.status === 'fulfilled') expect(into[source]).toBe(target);
      else expect(into[source]).toBeUndefined();
    });
  }, 60_000);

  it('delivers a message of a ring written before the check to one customer of it, once, and reads its timeline', async () => {
    const {
      ids: [a, b, c],
      phones,
    } = await three();
    // A ring as merges at once left it before: each merged into the next and listed by it.
    const doc = documentClient(inspectionClient(runtime().dynamoEndpoint));
    for (const [source, target] of [
      [a, b],
      [b, c],
      [c, a],
    ] as const) {
      await doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `CUSTOMER#${source}`, sk: 'PROFILE' },
          UpdateExpression: 'SET mergedInto = :target, mergedAt = :at',
          ExpressionAttributeValues: { ':target': target, ':at': new Date().toISOString() },
        }),
      );
      await doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `CUSTOMER#${target}`, sk: 'PROFILE' },
          UpdateExpression: 'ADD mergedFrom :source',
          ExpressionAttributeValues: { ':source': new Set([source]) },
        }),
      );
    }
    // The phone of the customer whose id sorts last writes again: the resolver follows the pointers
    // round, meets its start again, stops, and answers the ring's customer whose id sorts first.
    const kept = [a, b, c].sort()[0] as string;
    const writer = [a, b, c].sort()[2] as string;
    const from = phones[[a, b, c].indexOf(writer)] as string;
    const body = whatsappText({
      from,
      messages: [{ id: `wamid.ringagain${from}`, at: new Date().toISOString(), text: 'again' }],
    });
    const error = vi.spyOn(logger, 'error');
    const delivered = await deliver(signedMeta(runtime().url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(delivered.status).toBe(200);
    await runtime().idle();
    const rings = error.mock.calls.filter(([message]) =>
      String(message).startsWith('merge pointers form a ring'),
    );
    error.mockRestore();
    expect(rings.length).toBeGreaterThan(0);
    expect(rings[0]?.[1]).toMatchObject({ customerId: writer, kept });
    const items = await scanTable(inspectionClient(runtime().dynamoEndpoint), TABLE);
    const stored = items.filter(
      (item) => String(item.sk).startsWith('TIMELINE#') && String(item.sk).endsWith(`wamid.ringagain${from}`),
    );
    expect(stored.map((item) => item.pk)).toEqual([`CUSTOMER#${kept}`]);
    // Each customer's timeline reads the ring's partitions, each once, the message among them.
    const api = agentFetcher(() => runtime().url, AGENT);
    for (const id of [a, b, c]) {
      const res = await api('GET', `/api/customers/${id}/timeline?limit=200`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Array<{ id: string }> };
      expect(page.items.filter((item) => item.id === `whatsapp:wamid.ringagain${from}`)).toHaveLength(1);
    }
  }, 60_000);
});
