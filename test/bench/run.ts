import { createHash, createHmac } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createWhatsAppApp } from '#functions/whatsapp/app.js';
import { loadConfig } from '#shared/config/config.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { type LocalRuntime, startLocalRuntime } from '#shared/local/runtime.js';
import { bundleFigures } from './bundles.js';
import { capacityFigures } from './capacity.js';

const SECRET = 'bench_secret';
const body = (i: number): string =>
  `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Customer ${i % 100}"},"wa_id":"1650555${String(1000 + (i % 100)).padStart(4, '0')}"}],"messages":[{"from":"1650555${String(1000 + (i % 100)).padStart(4, '0')}","id":"wamid.BENCH${i}","timestamp":"${1749416383 + i}","type":"text","text":{"body":"Where is my order ${i}?"}}]},"field":"messages"}]}]}`;
const sign = (b: string) => `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`;

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Webhook in-process: verify + normalise + enqueue to a stub, beside HMAC + JSON.parse alone. */
async function webhookThroughput(n: number): Promise<void> {
  const bodies = Array.from({ length: n }, (_, i) => body(i));
  const sigs = bodies.map(sign);
  let queued = 0;
  const app = createWhatsAppApp({
    queue: {
      enqueue: async (e: readonly Envelope[]) => {
        queued += e.length;
      },
    },
    clock: { now: () => new Date() },
    appSecret: SECRET,
    verifyToken: 'v',
    maxBodyBytes: 4 * 1024 * 1024,
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await app.request('/webhooks/whatsapp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sigs[i] as string },
      body: bodies[i],
    });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }
  const appMs = performance.now() - t0;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    const b = bodies[i] as string;
    createHmac('sha256', SECRET).update(b).digest('hex');
    createHash('sha256').update(b).digest('hex');
    JSON.parse(b);
  }
  const floorMs = performance.now() - t1;
  if (queued !== n) throw new Error(`queued ${queued} of ${n}`);
  console.log(`webhook in-process (verify+normalise+enqueue): ${rate(n, appMs)} over ${n} deliveries`);
  console.log(`floor (HMAC + SHA-256 + JSON.parse of the same bytes): ${rate(n, floorMs)}`);
  console.log(`ratio to floor: ${(floorMs / appMs).toFixed(2)}`);
}

/** End to end through the local runtime: webhook → queue → resolver → dynalite → timeline. */
async function endToEnd(n: number): Promise<void> {
  const runtime: LocalRuntime = await startLocalRuntime({
    config: loadConfig({
      PORT: '0',
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: 'v',
      TWILIO_AUTH_TOKEN: 't',
      AGENT_TOKENS: 'bench:t',
    }),
    persist: false,
    queue: { pollIntervalMs: 2 },
  });
  try {
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const b = body(i);
      const start = performance.now();
      const res = await fetch(`${runtime.url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(b) },
        body: b,
      });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await runtime.idle();
      latencies.push(performance.now() - start);
    }
    const totalMs = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    console.log(
      `end to end, one at a time (webhook → timeline on dynalite): ${rate(n, totalMs)}, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
  } finally {
    await runtime.close();
  }
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log('\n1. Function bundles (esbuild as the CDK construct builds them) and cold init in a fresh node');
await bundleFigures();
console.log('\n2. Webhook throughput');
await webhookThroughput(5_000);
console.log('\n3. Cost per inbound message');
await capacityFigures(200);
console.log('\n4. End to end');
await endToEnd(300);
