import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '#shared/config/config.js';
import type { Clock } from '#shared/domain/ports.js';
import type { LocalQueue } from '#shared/local/queue.js';
import { type LocalRuntime, startLocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';
import { DynamoMeter, type KeyUse, type Metered } from './dynamo-meter.js';

const SECRET = 'pipeline-cost-secret';
const TABLE = 'threadline';

/**
 * Public prices, us-east-1 (per million): DynamoDB on-demand write and read request units, SQS
 * standard requests, Lambda requests; Lambda duration per GB-second (arm64). Lambda's duration is the
 * one figure not measured here: 512 MB for 30 ms per invocation.
 */
const PRICE = { wru: 0.625, rru: 0.125, sqs: 0.4, lambdaRequests: 0.2, lambdaGbSecond: 0.0000133334 };
const LAMBDA_GB_SECONDS = 0.5 * 0.03;
const CONNECT_PER_MILLION_CHAT_MESSAGES = 10_000;
/** DynamoDB's limits per partition (and per partition key value), each second. */
const PARTITION = { wcu: 1_000, rcu: 3_000 };

/** Questions the sample knowledge base answers, so the AI replies to every message. */
export const QUESTIONS = [
  'How long does shipping take?',
  'Where is my parcel?',
  'Can I change my delivery address?',
  'Do you accept PayPal?',
  'What are your opening hours?',
];

/** Counts what a runtime's queues are sent: one SQS request per send call, and the messages. */
interface QueueCount {
  requests: number;
  messages: number;
}

function countSends(queue: LocalQueue): QueueCount {
  const count = { requests: 0, messages: 0 };
  const send = queue.send.bind(queue);
  queue.send = async (bodies) => {
    count.requests += 1;
    count.messages += bodies.length;
    return send(bodies);
  };
  return count;
}

/** The local runtime with routing on, its DynamoDB calls metered, and its webhook posts and queue sends counted. */
export interface MeteredRuntime {
  runtime: LocalRuntime;
  meter: DynamoMeter;
  /** `replies`: the AI's replies sent (sent by the resolver, or by the sender from the outbound queue). */
  counts: { webhooks: number; replies: number; inbound: QueueCount; outbound: QueueCount };
  /** Posts one WhatsApp message from `waId`, then the statuses of every reply it brings, until all is quiet. */
  converse(waId: string, id: string, text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The settings of a bench whose one customer the AI answers message after message: the default
 * routing policy with its cap on the AI's answers in a row (`aiMaxAnswersPerConversation`, 10) lifted,
 * written to a temporary file. With the cap, message 11 on goes to a person, and a returning
 * customer's cost would be a hand-off's, not an AI-answered message's.
 */
export function uncappedAiEnv(): Record<string, string> {
  const policy = JSON.parse(
    readFileSync(new URL('../../shared/domain/routing/default-policy.json', import.meta.url), 'utf8'),
  );
  policy.escalation.aiMaxAnswersPerConversation = 1_000_000;
  const file = join(mkdtempSync(join(tmpdir(), 'threadline-bench-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return { ROUTING_POLICY_FILE: file };
}

/**
 * Starts a metered runtime (in memory, routing on, replies to the local outbox), `env` over its
 * settings, on `clock` when given (a bench that moves time past rate windows).
 */
export async function startMeteredRuntime(
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<MeteredRuntime> {
  const meter = new DynamoMeter(TABLE);
  let endpoint = '';
  let inspector: DynamoDBClient | undefined;
  const inspect = () => {
    inspector ??= new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    return inspector;
  };
  const runtime = await startLocalRuntime({
    config: loadConfig({
      PORT: '0',
      TABLE_NAME: TABLE,
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: 'v',
      TWILIO_AUTH_TOKEN: 't',
      AGENT_TOKENS: `bench:${agentToken('bench')}`,
      ...env,
    }),
    persist: false,
    routing: true,
    ...(clock ? { clock } : {}),
    queue: { pollIntervalMs: 2 },
    dynamoClient: (client) => meter.attach(client, inspect),
  });
  endpoint = runtime.dynamoEndpoint;
  const counts = {
    webhooks: 0,
    replies: 0,
    inbound: countSends(runtime.inbound),
    outbound: countSends(runtime.outbound),
  };
  let answered = 0;
  const post = async (payload: unknown) => {
    counts.webhooks += 1;
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };
  return {
    runtime,
    meter,
    counts,
    converse: async (waId, id, text) => {
      await post(whatsappText({ from: waId, messages: [{ id, at: new Date().toISOString(), text }] }));
      await runtime.idle();
      const sent = runtime.outbox.entries().slice(answered);
      answered += sent.length;
      counts.replies += sent.length;
      // Every reply comes back as WhatsApp reports it: sent, delivered, read.
      for (const entry of sent) {
        for (const status of ['sent', 'delivered', 'read'] as const) {
          const at = new Date().toISOString();
          const callbackData = entry.replyKey;
          await post(
            whatsappStatus({ id: entry.providerMessageId, status, at, recipient: waId, callbackData }),
          );
        }
      }
      if (sent.length) await runtime.idle();
    },
    close: async () => {
      await runtime.close();
      inspector?.destroy();
    },
  };
}

/** Per message: what a run of `messages` messages metered and counted. */
export interface PerMessage {
  wcu: number;
  rcu: number;
  calls: number;
  sqs: number;
  lambda: number;
  replies: number;
}

/** What a run metered and counted, per message; SQS and Lambda at batches of one (a quiet queue). */
export function perMessage(metered: Metered, counts: MeteredRuntime['counts'], messages: number): PerMessage {
  // Each message sent is received and deleted once, at worst one message to a batch (a quiet queue).
  const sqs =
    counts.inbound.requests +
    counts.outbound.requests +
    2 * (counts.inbound.messages + counts.outbound.messages);
  // One invocation per webhook post, and per message consumed (resolver, sender) at batches of one.
  const lambda = counts.webhooks + counts.inbound.messages + counts.outbound.messages;
  return {
    wcu: metered.wcu / messages,
    rcu: metered.rcu / messages,
    calls: metered.calls / messages,
    sqs: sqs / messages,
    lambda: lambda / messages,
    replies: counts.replies / messages,
  };
}

function dollarsPerMillion(m: PerMessage): number {
  const lambda = m.lambda * (PRICE.lambdaRequests + LAMBDA_GB_SECONDS * PRICE.lambdaGbSecond * 1_000_000);
  return m.wcu * PRICE.wru + m.rcu * PRICE.rru + m.sqs * PRICE.sqs + lambda;
}

/** Zeroes a runtime's counts of posts, replies and queue sends. */
export function resetCounts(counts: MeteredRuntime['counts']): void {
  counts.webhooks = 0;
  counts.replies = 0;
  for (const q of [counts.inbound, counts.outbound]) [q.requests, q.messages] = [0, 0];
}

const waIdOf = (customer: number) => `1650${String(5_550_000 + customer).padStart(7, '0')}`;

/** Adds `from` into `into`, key by key. */
function addKeys(into: Map<string, KeyUse>, from: Map<string, KeyUse>): void {
  for (const [key, use] of from) {
    const sum = into.get(key) ?? { reads: 0, rcu: 0, writes: 0, wcu: 0 };
    sum.reads += use.reads;
    sum.rcu += use.rcu;
    sum.writes += use.writes;
    sum.wcu += use.wcu;
    into.set(key, sum);
  }
}

/** The hottest shared keys of a run: keys that more than one customer's messages touched. */
export interface SharedKeys {
  hottestWrite: { key: string; writesPerMessage: number; wcuPerMessage: number } | undefined;
  hottestRead: { key: string; readsPerMessage: number; rcuPerMessage: number } | undefined;
  /** Messages a second before the hottest key reaches a partition's limit. */
  ceiling: number;
  /** The five shared keys most written, with their writes per message. */
  top: string[];
}

/**
 * From per-key totals over `messages` messages and, per key, the customers whose messages touched it:
 * the hottest key that more than one customer shares, for writes and for reads, and the throughput
 * DynamoDB's per-partition limits allow with them.
 */
export function sharedKeys(
  keys: Map<string, KeyUse>,
  customersOf: Map<string, Set<number>>,
  messages: number,
) {
  const shared = [...keys].filter(([key]) => (customersOf.get(key)?.size ?? 0) > 1);
  const byWcu = shared.filter(([, use]) => use.wcu > 0).sort((a, b) => b[1].wcu - a[1].wcu)[0];
  const byRcu = shared.filter(([, use]) => use.rcu > 0).sort((a, b) => b[1].rcu - a[1].rcu)[0];
  const hottestWrite = byWcu && {
    key: byWcu[0],
    writesPerMessage: byWcu[1].writes / messages,
    wcuPerMessage: byWcu[1].wcu / messages,
  };
  const hottestRead = byRcu && {
    key: byRcu[0],
    readsPerMessage: byRcu[1].reads / messages,
    rcuPerMessage: byRcu[1].rcu / messages,
  };
  const ceiling = Math.min(
    hottestWrite?.wcuPerMessage ? PARTITION.wcu / hottestWrite.wcuPerMessage : Number.POSITIVE_INFINITY,
    hottestRead?.rcuPerMessage ? PARTITION.rcu / hottestRead.rcuPerMessage : Number.POSITIVE_INFINITY,
  );
  const top = shared
    .filter(([, use]) => use.wcu > 0)
    .sort((a, b) => b[1].wcu - a[1].wcu)
    .slice(0, 5)
    .map(([key, use]) => `${key} ${(use.writes / messages).toFixed(3)}`);
  return { hottestWrite, hottestRead, ceiling, top } satisfies SharedKeys;
}

/** Prints the hottest shared keys and the ceiling they set. */
export function printSharedKeys(label: string, found: SharedKeys): void {
  const w = found.hottestWrite;
  const r = found.hottestRead;
  console.log(
    `${label}: hottest shared key for writes ${w ? `${w.key}: ${w.writesPerMessage.toFixed(3)} writes (${w.wcuPerMessage.toFixed(3)} WCU) per message` : 'none'}; for reads ${r ? `${r.key}: ${r.readsPerMessage.toFixed(3)} reads (${r.rcuPerMessage.toFixed(3)} RCU) per message` : 'none'}`,
  );
  console.log(`${label}: shared keys most written (writes per message): ${found.top.join(', ')}`);
  console.log(
    `${label}: throughput ceiling from DynamoDB's per-partition limits (${PARTITION.wcu} WCU/s, ${PARTITION.rcu} RCU/s): ${Number.isFinite(found.ceiling) ? `${Math.floor(found.ceiling).toLocaleString('en-US')} messages/s` : 'none'} [target ≥ 10,000]`,
  );
}

/** Prints one line of per-message cost. */
export function printCost(label: string, m: PerMessage): void {
  console.log(
    `${label}: ${m.wcu.toFixed(2)} write units, ${m.rcu.toFixed(2)} read units, ${m.calls.toFixed(1)} DynamoDB calls, ${m.sqs.toFixed(1)} SQS requests, ${m.lambda.toFixed(1)} Lambda invocations, ${m.replies.toFixed(2)} replies; ≈ $${dollarsPerMillion(m).toFixed(2)} per million messages`,
  );
}

/**
 * The whole pipeline's cost per message, measured through the local runtime with routing on: a
 * WhatsApp message the AI answers (webhook, resolver, routing, the reply, the sender, metrics) and
 * the reply's three statuses back through the webhook. Every DynamoDB call is metered per key. First
 * `customers` new customers' first messages (new-customer cost and the keys customers share), then
 * one returning customer up to message `history`, costed over messages 10–19 and the last ten (the AI's
 * answer cap lifted: `uncappedAiEnv`).
 */
export async function pipelineCostFigures(customers = 200, history = 1_000): Promise<void> {
  const bench = await startMeteredRuntime(uncappedAiEnv());
  const { meter, counts } = bench;
  try {
    meter.take();
    resetCounts(counts);
    const keys = new Map<string, KeyUse>();
    const customersOf = new Map<string, Set<number>>();
    let firstWcu = 0;
    let firstRcu = 0;
    let firstCalls = 0;
    for (let c = 0; c < customers; c++) {
      await bench.converse(waIdOf(c), `wamid.COST.${c}.0`, QUESTIONS[c % QUESTIONS.length] as string);
      const metered = meter.take();
      [firstWcu, firstRcu, firstCalls] = [
        firstWcu + metered.wcu,
        firstRcu + metered.rcu,
        firstCalls + metered.calls,
      ];
      addKeys(keys, metered.keys);
      for (const key of metered.keys.keys()) customersOf.set(key, (customersOf.get(key) ?? new Set()).add(c));
    }
    printCost(
      `new customer's first message (${customers} customers)`,
      perMessage({ wcu: firstWcu, rcu: firstRcu, calls: firstCalls, keys }, counts, customers),
    );
    printSharedKeys(`${customers} customers' first messages`, sharedKeys(keys, customersOf, customers));

    const returning = waIdOf(customers);
    const window = 10;
    for (let i = 1; i <= history + window - 1; i++) {
      const measured = (i >= 10 && i < 10 + window) || i >= history;
      // Only the measured messages pay for the meter's inspections.
      meter.paused = !measured;
      if (i === 10 || i === history) {
        meter.take();
        resetCounts(counts);
      }
      await bench.converse(returning, `wamid.COST.R.${i}`, QUESTIONS[i % QUESTIONS.length] as string);
      if (i === 10 + window - 1 || i === history + window - 1) {
        const from = i - window + 1;
        printCost(`returning customer, messages ${from}–${i}`, perMessage(meter.take(), counts, window));
      }
    }
  } finally {
    await bench.close();
  }
  console.log(
    `Amazon Connect: $${CONNECT_PER_MILLION_CHAT_MESSAGES.toLocaleString('en-US')} per million chat messages. Prices: DynamoDB on-demand $${PRICE.wru}/M writes, $${PRICE.rru}/M reads; SQS $${PRICE.sqs}/M requests; Lambda $${PRICE.lambdaRequests}/M requests + 512 MB × 30 ms each (us-east-1)`,
  );
}
