import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '#shared/config/config.js';
import type { ServerFrame } from '#shared/domain/live/events.js';
import { startLocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { connectLiveClient } from '../support/live-client.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const SECRET = 'bench-live-secret';
const TOKEN = agentToken('bench-live-token');

/** Adds up the write units DynamoDB (dynalite) reports for puts of live event items (pk `LIVE#`). */
function meterLiveWrites(client: DynamoDBClient): { units: number; puts: number } {
  const totals = { units: 0, puts: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: { pk?: unknown } };
      const pk = input.Item?.pk;
      const live =
        context.commandName === 'PutItemCommand' && typeof pk === 'string' && pk.startsWith('LIVE#');
      if (live) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      if (live) {
        totals.puts += 1;
        totals.units +=
          (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ??
          0;
      }
      return out;
    },
    { step: 'initialize', name: 'liveWriteMeter' },
  );
  return totals;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * Live latency locally: `messages` WhatsApp messages posted one after another to the signed webhook,
 * each timed until its `timeline.item` arrives on a connected socket (goal p99 ≤ 250 ms); and what the
 * event log costs: write units per message and per event, as DynamoDB (dynalite) reports them.
 */
export async function liveFigures(messages: number): Promise<void> {
  let meter = { units: 0, puts: 0 };
  const runtime = await startLocalRuntime({
    config: loadConfig({
      PORT: '0',
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: 'v',
      TWILIO_AUTH_TOKEN: 't',
      AGENT_TOKENS: `bench-agent:${TOKEN}`,
    }),
    persist: false,
    live: true,
    queue: { pollIntervalMs: 1 },
    dynamoClient: (client) => {
      meter = meterLiveWrites(client);
      return client;
    },
  });
  try {
    const client = await connectLiveClient(`ws://127.0.0.1:${runtime.port}/api/live?token=${TOKEN}`);
    const latencies: number[] = [];
    for (let i = 0; i < messages; i++) {
      const payload = whatsappText({
        from: `1650555${String(1000 + (i % 50)).padStart(4, '0')}`,
        name: `Customer ${i % 50}`,
        messages: [
          { id: `wamid.LIVEBENCH${i}`, at: new Date().toISOString(), text: `Where is my order ${i}?` },
        ],
      });
      const started = performance.now();
      const arrived = client.next(
        (f: ServerFrame) => f.type === 'timeline.item' && f.item.id === `whatsapp:wamid.LIVEBENCH${i}`,
        10_000,
      );
      const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await arrived;
      latencies.push(performance.now() - started);
    }
    await runtime.idle();
    const durable = client.frames.filter((f) => 'seq' in f && f.type !== 'hello').length;
    const alone = { ...meter };
    await Promise.all(
      Array.from({ length: messages }, (_, i) => {
        const payload = whatsappText({
          from: `1650556${String(1000 + i).padStart(4, '0')}`,
          name: `Burst ${i}`,
          messages: [{ id: `wamid.LIVEBURST${i}`, at: new Date().toISOString(), text: `Order ${i}?` }],
        });
        return deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
      }),
    );
    await runtime.idle();
    client.ws.close();
    latencies.sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `  webhook POST → timeline.item on a socket, ${messages} messages one at a time: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? Number.NaN)} (goal p99 ≤ 250 ms)`,
    );
    console.log(
      `  durable events per message: ${(durable / messages).toFixed(2)}; event log writes per message: ${(alone.puts / messages).toFixed(2)} items, ${(alone.units / messages).toFixed(2)} write units (${(alone.units / Math.max(1, alone.puts)).toFixed(2)} per item)`,
    );
    const [puts, units] = [meter.puts - alone.puts, meter.units - alone.units];
    console.log(
      `  the same number posted at once (new customers): ${(puts / messages).toFixed(2)} event log items and ${(units / messages).toFixed(2)} write units per message (the change feed's batches pack them)`,
    );
  } finally {
    await runtime.close();
  }
}
