import { describe, expect, it, vi } from 'vitest';
import { ERASURE_SWEEP_DELAY_MS } from '#shared/app/sweep-erasure.js';
import { nextConversationId } from '#shared/domain/conversation.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { logger } from '#shared/log.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const ADMIN = 'erasure-race-admin';
const TOKEN = agentToken('erasure-race-admin-token');
const VISIBILITY_MS = 30_000;

/** A write the racing delivery makes under the erased customer, after which the resolver dies. */
type CrashPoint = (call: GatedCall, customerId: string, other: string) => boolean;
const WRITES = new Set(['PutItem', 'UpdateItem']);
const CRASH_POINTS: Record<string, CrashPoint> = {
  'the other phone claimed': ({ body }, _id, other) => body.includes('IDENTITY#') && body.includes(other),
  'the timeline item': ({ body }, id) => body.includes(`CUSTOMER#${id}`) && body.includes('TIMELINE#'),
  'the conversation touch': ({ body }, id) =>
    body.includes(`CONVERSATION#${nextConversationId(id, undefined)}`),
};

/**
 * A message of a returning customer whose profile the resolver read just before an admin erased them,
 * the whole erasure finishing before the resolver's next call: its profile write is refused (the
 * erasure began), but what it wrote before (the other phone its payload names, claimed for them, the
 * timeline item, the conversation) landed under the erased id after the erasure's
 * steps. Before, all of it stayed there, and the other phone, held by the erased id, sent the message's
 * retry to the dead-letter queue. Now the retry takes the phone over for the new customer and moves
 * the message there, and the erasure's second pass (a timer, after a grace window) deletes the rest;
 * the same when the resolver dies right after any of those writes.
 */
describe('local runtime: a message whose profile was read just before its customer was erased', () => {
  const gate = new DynamoGate();
  const time = new SteppedTimers();
  /** Calls the gate held so far: each test holds one more. */
  let held = 0;
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRETS.meta, AGENT_TOKENS: `${ADMIN}:${TOKEN}:admin` },
    clock: { now: () => new Date(time.now()) },
    timers: time,
    queue: { timers: time, visibilityTimeoutMs: VISIBILITY_MS },
    dynamoClient: (client) => gate.attach(client),
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  /** A WhatsApp message from `phone` whose `from` is `other` (kept as another phone: `alsoKnownAs`). */
  const post = async (phone: string, id: string, text: string, other?: string) => {
    const at = new Date(time.now()).toISOString();
    const extra = other ? { from: other } : undefined;
    const body = whatsappText({ from: phone, name: 'Rae Race', messages: [{ id, at, text, extra }] });
    const answer = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(answer.status).toBe(200);
  };
  const holder = (phone: string) =>
    runtime.store.customers.findCustomerId({ kind: 'phone', value: `+${phone}` }, { consistent: true });
  const everything = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items;
  };

  for (const [name, point] of [['no crash', undefined] as const, ...Object.entries(CRASH_POINTS)]) {
    it(`leaves nothing under the erased id and gives the message to the new customer (${name})`, async () => {
      const n = Object.keys(CRASH_POINTS).indexOf(name) + 2;
      const phone = `1650555080${n}`;
      const otherPhone = `1650555079${n}`;
      await post(phone, `wamid.race-first-${n}`, 'Hello, first message');
      await runtime.idle();
      const erased = await holder(phone);
      if (!erased) throw new Error('no customer');

      const failures: string[] = [];
      for (const level of ['warn', 'error'] as const) {
        const write = logger[level].bind(logger) as (...args: unknown[]) => void;
        vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
          if (String(args[0]).startsWith('envelope failed')) failures.push(String(args[0]));
          write(...args);
        });
      }
      // Held at its first call after the profile read: the other phone's look-up.
      gate.hold((call: GatedCall) => call.operation === 'GetItem' && call.body.includes(otherPhone), 1);
      await post(phone, `wamid.race-second-${n}`, 'Second message, sent as the erasure ran', otherPhone);
      await gate.arrived(held + 1);
      const report = await api<{ complete: boolean }>('DELETE', `/api/customers/${erased}`);
      expect(report.complete).toBe(true);
      let crashed = false;
      if (point) {
        gate.crashAfter((call) => {
          crashed ||= WRITES.has(call.operation) && point(call, erased, otherPhone);
          return crashed;
        });
      }
      gate.release(held);
      held += 1;
      await waitUntil(() => failures.length > 0, 'the racing receipt failed');
      vi.restoreAllMocks();
      expect(crashed).toBe(point !== undefined);

      // The retry: a new customer, who holds both phones and has the message.
      time.advance(VISIBILITY_MS);
      await runtime.idle();
      expect(runtime.deadLetter.messages()).toEqual([]);
      const fresh = await holder(phone);
      expect(fresh).toBeDefined();
      expect(fresh).not.toBe(erased);
      expect(await holder(otherPhone)).toBe(fresh);
      const texts = (await reads.timeline(String(fresh))).map((item) => ('text' in item ? item.text : ''));
      expect(texts).toEqual(['Second message, sent as the erasure ran']);

      // The erasure's second pass: nothing names the erased id but its tombstone.
      time.advance(ERASURE_SWEEP_DELAY_MS);
      await runtime.idle();
      // The audit log names the ids of what an admin did, by design.
      const naming = (await everything()).filter(
        (item) => !String(item.entity).startsWith('audit') && JSON.stringify(item).includes(erased),
      );
      expect(naming.map((item) => item.entity)).toEqual(['erased_customer']);
      // The new customer's message and phones are untouched by it.
      expect(await holder(otherPhone)).toBe(fresh);
      const after = (await reads.timeline(String(fresh))).map((item) => ('text' in item ? item.text : ''));
      expect(after).toEqual(['Second message, sent as the erasure ran']);
    });
  }
});
