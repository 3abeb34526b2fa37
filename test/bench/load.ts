import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import type { SignedRequest } from '../support/webhooks.js';
import * as provider from '../support/webhooks.js';

const META_SECRET = 'load-meta-secret';
const TWILIO_TOKEN = 'load-twilio-token';
const AGENT_TOKEN = agentToken('load-agent-token');

/** The load: how many messages from how many customers, and how they arrive. */
export interface LoadOptions {
  messages: number;
  customers: number;
  /** Share of messages the provider delivers twice (at once, in the same burst). */
  redelivered: number;
  /** A customer's messages are posted this many at once (Twilio SMS, which carries no time, one at a time). */
  burst: number;
  /** Customers posting at the same time. */
  concurrentCustomers: number;
}

/** What the load test found. */
export interface LoadResult {
  posted: number;
  messages: number;
  /** Messages with no timeline item, with more than one, and customers whose timeline is out of order. */
  missing: number;
  duplicated: number;
  outOfOrder: number;
  deadLettered: number;
  seconds: number;
  /** Webhook post (first delivery) → the timeline item's write acknowledged, in ms. */
  p50: number;
  p99: number;
  byChannel: Record<string, number>;
}

type Channel = 'whatsapp' | 'sms' | 'instagram' | 'email';
const CHANNELS: readonly Channel[] = ['whatsapp', 'sms', 'instagram', 'email'];

interface Planned {
  providerId: string;
  request: SignedRequest;
}

interface LoadCustomer {
  channel: Channel;
  /** What `GET /api/customers?q=` finds them by. */
  identity: string;
  messages: Planned[];
}

/** A deterministic choice of ~`share` of the messages (the same on every run). */
const chosen = (n: number, share: number) => ((n * 2_654_435_761) % 1_000) / 1_000 < share;

function plan(url: string, options: LoadOptions, base: number): LoadCustomer[] {
  const perCustomer = Math.ceil(options.messages / options.customers);
  const customers: LoadCustomer[] = [];
  let total = 0;
  for (let c = 0; c < options.customers; c++) {
    const channel = CHANNELS[c % CHANNELS.length] as Channel;
    const phone = `+1650${String(5_000_000 + c).padStart(7, '0')}`;
    const igUser = `77${String(c).padStart(8, '0')}`;
    const email = `load-${c}@example.com`;
    const identity = { whatsapp: phone, sms: phone, instagram: `${provider.IG_ACCOUNT}:${igUser}`, email }[
      channel
    ];
    const messages: Planned[] = [];
    for (let k = 0; k < perCustomer && total < options.messages; k++, total++) {
      // Each message a second after the last: the order the customer wrote them in.
      const at = new Date(base + (c * perCustomer + k) * 1_000).toISOString();
      const text = `Load message ${k} from customer ${c}`;
      const id = `LOAD${c}x${k}`;
      if (channel === 'whatsapp') {
        const payload = provider.whatsappText({
          from: phone.slice(1),
          messages: [{ id: `wamid.${id}`, at, text }],
        });
        messages.push({
          providerId: `wamid.${id}`,
          request: provider.signedMeta(url, '/webhooks/whatsapp', payload, META_SECRET),
        });
      } else if (channel === 'sms') {
        const sid = `SM${(c * 100_000 + k).toString(16).padStart(32, '0')}`;
        const params = provider.twilioSms({ sid, from: phone, text });
        messages.push({
          providerId: sid,
          request: provider.signedTwilio(`${url}/webhooks/twilio/sms`, params, TWILIO_TOKEN),
        });
      } else if (channel === 'instagram') {
        const payload = provider.instagramText({ sender: igUser, mid: `mid.${id}`, at, text });
        messages.push({
          providerId: `mid.${id}`,
          request: provider.signedMeta(url, '/webhooks/meta', payload, META_SECRET),
        });
      } else {
        const notification = provider.sesReceived({
          sesId: `ses${id}`,
          at,
          from: `Customer ${c} <${email}>`,
          messageId: `<${id}@example.com>`,
          subject: `Order ${c}`,
          text,
        });
        const request = provider.signedSes(
          url,
          provider.snsNotification(notification, { snsId: `sns-${id}`, at }),
        );
        messages.push({ providerId: `ses${id}`, request });
      }
    }
    customers.push({ channel, identity, messages });
  }
  return customers;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Records when each timeline item's write was acknowledged, by provider message id. */
function watchTimelineWrites(client: DynamoDBClient, storedAt: Map<string, number>): DynamoDBClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'PutItemCommand') {
        const { body } = args.request as { body?: string | Uint8Array };
        const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
        const item = (JSON.parse(text) as { Item?: Record<string, { S?: string }> }).Item;
        const id = item?.providerMessageId?.S;
        if (id && item?.sk?.S?.startsWith('TIMELINE#') && !storedAt.has(id))
          storedAt.set(id, performance.now());
      }
      return out;
    },
    { step: 'build', priority: 'high', name: 'loadTimelineWatch' },
  );
  return client;
}

async function post(request: SignedRequest): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await provider.deliver(request);
    if (res.status < 300) return;
    // A provider retries a 5xx; anything else is a failure of the test.
    if (res.status < 500 || attempt >= 5) throw new Error(`${request.url} answered ${res.status}`);
  }
}

/** Posts one customer's messages: bursts at once (SMS one by one), with the redeliveries among them. */
async function postCustomer(customer: LoadCustomer, options: LoadOptions, postedAt: Map<string, number>) {
  const burst = customer.channel === 'sms' ? 1 : options.burst;
  let posted = 0;
  for (let from = 0; from < customer.messages.length; from += burst) {
    const deliveries = customer.messages.slice(from, from + burst).flatMap((m, i) => {
      const again = chosen(from + i + customer.identity.length * 7919, options.redelivered);
      return again ? [m, m] : [m];
    });
    await Promise.all(
      deliveries.map(async (m) => {
        if (!postedAt.has(m.providerId)) postedAt.set(m.providerId, performance.now());
        await post(m.request);
      }),
    );
    posted += deliveries.length;
  }
  return posted;
}

/** Every inbound message item of a customer's timeline, oldest first, by provider id. */
async function storedIds(runtime: LocalRuntime, customer: LoadCustomer): Promise<string[]> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return (await res.json()) as T;
  };
  const found = await get<{ items: Customer[] }>(`/api/customers?q=${encodeURIComponent(customer.identity)}`);
  const ids: string[] = [];
  for (const { id } of found.items) {
    let cursor: string | null = null;
    do {
      const page: { items: TimelineItem[]; cursor: string | null } = await get(
        `/api/customers/${id}/timeline?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const item of page.items) {
        if (item.type === 'message' && item.direction === 'inbound' && item.providerMessageId) {
          ids.push(item.providerMessageId);
        }
      }
      cursor = page.cursor;
    } while (cursor);
  }
  return ids;
}

/** Compares what each customer's timeline holds with what they sent. */
async function verify(runtime: LocalRuntime, customers: LoadCustomer[]) {
  let [missing, duplicated, outOfOrder] = [0, 0, 0];
  for (const customer of customers) {
    const stored = await storedIds(runtime, customer);
    const sent = customer.messages.map((m) => m.providerId);
    const counts = new Map<string, number>();
    for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
    missing += sent.filter((id) => !counts.has(id)).length;
    duplicated += [...counts.values()].filter((n) => n > 1).length;
    if (stored.join('\n') !== sent.join('\n')) outOfOrder += 1;
  }
  return { missing, duplicated, outOfOrder };
}

/**
 * The load test: `options.messages` messages from `options.customers` customers on WhatsApp, Twilio
 * SMS, Instagram and email (SES over SNS, then ses-mail), posted to the local runtime's HTTP webhooks
 * with their providers' signatures, some delivered twice, each customer's messages in concurrent
 * bursts; then every customer's timeline is read through the agent API and checked.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const storedAt = new Map<string, number>();
  const runtime = await startTestRuntime({
    env: {
      META_APP_SECRET: META_SECRET,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      AGENT_TOKENS: `load:${AGENT_TOKEN}`,
    },
    dynamoClient: (client) => watchTimelineWrites(client, storedAt),
    queue: { visibilityTimeoutMs: 30_000, pollIntervalMs: 2 },
  });
  try {
    // An hour ago: recent, and every message in the past.
    const customers = plan(runtime.url, options, Date.now() - 3_600_000);
    const postedAt = new Map<string, number>();
    let next = 0;
    let posted = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrentCustomers }, async () => {
        while (next < customers.length) {
          const customer = customers[next++] as LoadCustomer;
          const count = await postCustomer(customer, options, postedAt);
          posted += count;
        }
      }),
    );
    await runtime.idle();
    const seconds = (performance.now() - t0) / 1000;
    const latencies = [...postedAt]
      .map(([id, at]) => (storedAt.get(id) ?? Number.NaN) - at)
      .filter((ms) => !Number.isNaN(ms))
      .sort((a, b) => a - b);
    const checked = await verify(runtime, customers);
    const byChannel: Record<string, number> = {};
    for (const c of customers) byChannel[c.channel] = (byChannel[c.channel] ?? 0) + c.messages.length;
    return {
      posted,
      messages: postedAt.size,
      ...checked,
      deadLettered: runtime.deadLetter.depth().visible + runtime.deadLetter.depth().inFlight,
      seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      byChannel,
    };
  } finally {
    await runtime.close();
  }
}

/** Runs the load test and prints what it found; throws if anything was lost, doubled or out of order. */
export async function loadFigures(options: LoadOptions): Promise<void> {
  const r = await runLoad(options);
  const channels = Object.entries(r.byChannel)
    .map(([channel, n]) => `${channel} ${n.toLocaleString('en-US')}`)
    .join(', ');
  console.log(
    `${r.messages.toLocaleString('en-US')} messages (${channels}) from ${options.customers.toLocaleString('en-US')} customers, ${r.posted.toLocaleString('en-US')} webhook posts (${(r.posted - r.messages).toLocaleString('en-US')} redelivered), bursts of ${options.burst}, ${options.concurrentCustomers} customers at once`,
  );
  console.log(
    `stored exactly once: ${r.missing === 0 && r.duplicated === 0 ? 'yes' : `no (${r.missing} missing, ${r.duplicated} doubled)`}; in order per customer: ${r.outOfOrder === 0 ? 'yes' : `no (${r.outOfOrder} customers)`}; dead-lettered: ${r.deadLettered}`,
  );
  console.log(
    `throughput ${Math.round(r.messages / r.seconds).toLocaleString('en-US')} messages/s (${r.seconds.toFixed(1)} s, until every queue is idle); webhook → timeline p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`,
  );
  if (r.missing || r.duplicated || r.outOfOrder || r.deadLettered) throw new Error('the load test failed');
}
