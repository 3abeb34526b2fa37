import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { newDelivery } from '#shared/domain/webhooks.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { putTimelineItemInput } from '#shared/store/params/timeline.js';
import { putDeliveryInput } from '#shared/store/params/webhooks.js';
import { agentToken } from '../support/agent-token.js';
import { seedItems } from '../support/capacity-meter.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';

const ADMIN = agentToken('webhook-cost-admin');
const TABLE = 'threadline';
const SUBSCRIPTIONS = 3;
const PAST_DELIVERIES = 1_000;

/** One DynamoDB call as the API answered it: what it touched and the capacity it used. */
interface Call {
  command: string;
  pk: string;
  consistent: boolean;
  units: number;
}

/** Records every call of `client` with its ConsumedCapacity (dynalite reports it as DynamoDB would). */
function recordCalls(client: DynamoDBClient): Call[] {
  const calls: Call[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const key = (input.Key ?? input.Item ?? {}) as { pk?: { S?: string } | string };
      const pk = typeof key.pk === 'string' ? key.pk : (key.pk?.S ?? '');
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      calls.push({
        command: context.commandName ?? 'unknown',
        pk,
        consistent: input.ConsistentRead === true,
        units: consumed?.CapacityUnits ?? 0,
      });
      return out;
    },
    { step: 'initialize', name: 'webhookCostMeter' },
  );
  return calls;
}

/**
 * Publishing an event to N subscriptions and delivering it costs a fixed number of DynamoDB calls and
 * units per delivery, whatever the size of the delivery log: counted on the real API (dynalite's
 * ConsumedCapacity) through the local runtime, from the change feed to the endpoint's 200.
 */
describe('local runtime: a webhook delivery costs the same whatever the delivery log holds', () => {
  const webhookTimers = new ManualTimers(Date.now());
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: DynamoDBClient;
  let calls: Call[];
  const subscriptionIds: string[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-zoe:${ADMIN}:admin` },
      events: true,
      timers: webhookTimers,
      webhookTimers,
      dynamoClient: (c) => {
        client = c;
        calls = recordCalls(c);
        return c;
      },
    });
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const res = await fetch(`${runtime.url}/api/webhooks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        // One URL each: a second subscription of the same URL and events is refused (409).
        body: JSON.stringify({ url: `${receiver.url}?n=${i}`, events: ['sla.breached'] }),
      });
      expect(res.status).toBe(201);
      subscriptionIds.push(((await res.json()) as { id: string }).id);
    }
  }, 30_000);

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  /** A breach lands on a timeline (one PutItem, left out of the count, as is its live event): what the feed and deliveries cost. */
  const breachCost = async (n: number): Promise<Call[]> => {
    const at = new Date(webhookTimers.now() + n).toISOString();
    const item: TimelineItem = {
      id: `sla_breached:cv_cost:firstResponse:${at}`,
      type: 'event',
      event: 'sla_breached',
      at,
      customerId: 'cu_cost',
      conversationId: 'cv_cost',
      data: { conversationId: 'cv_cost', metric: 'firstResponse', due: at, policy: 'chat' },
    };
    const doc = DynamoDBDocumentClient.from(client);
    const before = receiver.received.length;
    calls.length = 0;
    await doc.send(new PutCommand(putTimelineItemInput(TABLE, item, undefined)));
    await runtime.idle();
    expect(receiver.received.length - before).toBe(SUBSCRIPTIONS);
    // The live updates the runtime runs with `events` keep the breach as a live event (one Put of its own, bench 9).
    return calls.filter(
      (c) => !(c.command === 'PutItemCommand' && (c.pk === 'CUSTOMER#cu_cost' || c.pk.startsWith('LIVE#'))),
    );
  };
  const summary = (list: Call[]) => ({
    calls: list.length,
    read: list.filter((c) => c.command === 'GetItemCommand').reduce((sum, c) => sum + c.units, 0),
    write: list.filter((c) => c.command === 'PutItemCommand').reduce((sum, c) => sum + c.units, 0),
  });

  it('costs 5 calls, 2 read units and 2 write units per delivery, with 1,000 past deliveries or none', async () => {
    await breachCost(0); // loads the subscription list (cached for the events function's 30 s)
    const small = await breachCost(1);

    const event = (i: number): IntegrationEvent => ({
      id: `evt_past${i}`,
      type: 'sla.breached',
      timestamp: new Date(webhookTimers.now() - 3_600_000 + i).toISOString(),
      data: { customerId: 'cu_cost', conversationId: 'cv_cost', metric: 'resolution' },
    });
    const past = Array.from({ length: PAST_DELIVERIES }, (_, i) => {
      const delivery = {
        ...newDelivery({ id: subscriptionIds[i % SUBSCRIPTIONS] as string }, event(i)),
        status: 'delivered' as const,
        attempts: 1,
      };
      return putDeliveryInput(TABLE, delivery, false).Item as Record<string, unknown>;
    });
    await seedItems(client, TABLE, past);
    const big = await breachCost(2);
    const N = SUBSCRIPTIONS;
    expect(summary(small)).toEqual({ calls: 5 * N, read: 2 * N, write: 2 * N });
    expect(summary(big)).toEqual(summary(small));
    // What each call is for: per delivery, publishing writes it once (conditional Put); sending reads it
    // strongly (its status guards against a second send, and it was written a moment ago), reads the
    // subscription (url, secrets, breaker) and the customer (erased?) eventually, and writes the outcome.
    const purpose = (c: Call) =>
      `${c.command} ${c.pk.replace(/#.*/, '')} ${c.consistent ? 'strong' : 'eventual'}`;
    const counts = (list: Call[]) => {
      const out: Record<string, number> = {};
      for (const c of list) out[purpose(c)] = (out[purpose(c)] ?? 0) + 1;
      return out;
    };
    expect(counts(big)).toEqual({
      'PutItemCommand WEBHOOK_DELIVERY eventual': 2 * N,
      'GetItemCommand WEBHOOK_DELIVERY strong': N,
      'GetItemCommand WEBHOOK eventual': N,
      'GetItemCommand CUSTOMER eventual': N,
    });
  }, 60_000);
});
