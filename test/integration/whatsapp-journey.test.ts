import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { type LocalRuntime, startLocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';

const APP_SECRET = 'test_app_secret';
const TOKEN = agentToken('integration-token');

// The signed body of providers.md §4.4: a WhatsApp text from +16505551234, exact bytes.
const RAW =
  '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"J\\u00f6rg"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST","timestamp":"1749416383","type":"text","text":{"body":"h\\u00e4llo \\/ <b>"}}]},"field":"messages"}]}]}';

function sign(body: string, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('local runtime: a WhatsApp message from webhook to timeline', () => {
  let dataDir: string;
  let runtime: LocalRuntime;

  const start = () =>
    startLocalRuntime({
      config: loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: 'verify-me',
        TWILIO_AUTH_TOKEN: 'twilio-token',
        AGENT_TOKENS: `agent-1:${TOKEN}`,
      }),
      queue: { visibilityTimeoutMs: 500, pollIntervalMs: 10 },
    });
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const post = (body: string, signature: string | null = sign(body)) =>
    fetch(`${runtime.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-it-'));
    runtime = await start();
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the verification handshake', async () => {
    const ok = await fetch(
      `${runtime.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me`,
    );
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    const wrong = await fetch(
      `${runtime.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope`,
    );
    expect(wrong.status).toBe(403);
  });

  it('refuses a forged signature and stores nothing', async () => {
    expect((await post(RAW, sign(RAW, 'another-secret'))).status).toBe(401);
    expect((await post(RAW, null)).status).toBe(401);
    await runtime.idle();
    expect((await api<{ items: Customer[] }>('/api/customers?q=%2B16505551234')).items).toEqual([]);
  });

  it('puts a signed message on the timeline once, however often it is delivered', async () => {
    expect((await post(RAW)).status).toBe(200);
    const found = await until(
      () => api<{ items: Customer[] }>('/api/customers?q=%2B16505551234'),
      (r) => r.items.length === 1,
    );
    await runtime.idle();
    const customer = (await api<{ items: Customer[] }>('/api/customers?q=%2B16505551234'))
      .items[0] as Customer;
    expect(customer.id).toBe(found.items[0]?.id);
    expect(customer.name).toBe('Jörg');
    expect(customer.identities).toEqual([{ kind: 'phone', value: '+16505551234' }]);

    for (let i = 0; i < 3; i++) expect((await post(RAW)).status).toBe(200);
    await runtime.idle();

    const timeline = await api<{ items: TimelineItem[]; cursor: string | null }>(
      `/api/customers/${customer.id}/timeline`,
    );
    expect(timeline.cursor).toBeNull();
    expect(timeline.items.map((i) => [i.channel, i.direction, i.text, i.at])).toEqual([
      ['whatsapp', 'inbound', 'hällo / <b>', '2025-06-08T20:59:43.000Z'],
    ]);

    const inbox = await api<{ items: { customerId: string; status: string }[] }>('/api/conversations');
    expect(inbox.items).toEqual([expect.objectContaining({ customerId: customer.id, status: 'open' })]);
  });

  it('keeps the data across a restart', async () => {
    await runtime.close();
    runtime = await start();
    const found = await api<{ items: Customer[] }>('/api/customers?q=(650)%20555-1234');
    expect(found.items.map((c) => c.name)).toEqual(['Jörg']);
  });
});

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;

  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on development defaults and prints the webhook URL and agent token', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-start-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'shared/local/main.ts'], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(
      async () => out,
      (o) => o.includes('Development secrets'),
      30_000,
    );
    const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const token = /Authorization: Bearer (\S+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain(`${url}/webhooks/whatsapp`);
    const res = await fetch(`${url}/api/conversations`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  }, 40_000);
});
