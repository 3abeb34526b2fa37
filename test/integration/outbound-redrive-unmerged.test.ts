import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RetryableSendError } from '#shared/domain/send-errors.js';
import { redrive } from '#shared/local/redrive.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { aroundWhatsApp } from '../support/around-whatsapp.js';
import { outboxAgent } from '../support/outbox-agent.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const SECRET = 'outbound-redrive-unmerged-meta';
const ADMIN = agentToken('outbound-redrive-unmerged-admin');

/**
 * A reply the sender gave up on while two customers were merged, written to the one merged in (its
 * number), then moved back to them by an unmerge: `npm run redrive -- outbound --local` sends it once,
 * to that number, and it shows `sent` on that customer's timeline. Before, the dead letter named the
 * kept customer, whose partition no longer held the reply: each redelivery failed ("not on the
 * timeline yet") until the letter was dead again, and the reply stayed `failed`.
 */
describe('local runtime: a given-up reply an unmerge moved is redriven to its customer, once', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let provider: 'up' | 'down' = 'up';
  let attempts = 0;
  const flaky = aroundWhatsApp(async (message, whatsapp) => {
    attempts += 1;
    if (provider === 'down') throw new RetryableSendError('connect ECONNREFUSED');
    return whatsapp.send(message);
  });
  const start = () =>
    startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `admin-ada:${ADMIN}:admin`,
        DATA_DIR: dataDir,
        OUTBOUND_MAX_ATTEMPTS: '3',
      },
      persist: true,
      wrapSenders: flaky,
      queue: { visibilityTimeoutMs: 200 },
    });
  const { api, outboxLines, conversationOf, replyOf } = outboxAgent({
    url: () => runtime?.url ?? '',
    token: ADMIN,
    secret: SECRET,
    dataDir: () => dataDir,
  });
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await api(method, path, body);
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return res;
  };
  const waiting = async (conversationId: string) =>
    ((await (await ok('GET', `/api/conversations/${conversationId}`)).json()) as { waiting: boolean })
      .waiting;
  const deadLetters = () => readdirSync(join(dataDir, 'queues', 'outbound-dlq')).length;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-redrive-unmerged-'));
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends it to the customer given back, records it on their timeline, and only once', async () => {
    runtime = await start();
    const kept = await conversationOf('447700900611', () => runtime?.idle());
    const back = await conversationOf('447700900622', () => runtime?.idle());
    await ok('POST', `/api/customers/${kept.customerId}/merge`, { customerId: back.customerId });
    // The one merged in writes while merged: the kept profile answers them on their number.
    const at = new Date().toISOString();
    const payload = whatsappText({
      from: '447700900622',
      name: 'Bo',
      messages: [{ id: 'wamid.BO2', at, text: 'Bo while merged' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await runtime.idle();

    provider = 'down';
    const text = 'Bo, your parcel left the depot.';
    await ok('POST', `/api/conversations/${kept.conversationId}/replies`, { text, channel: 'whatsapp' });
    await waitUntil(() => deadLetters() === 1, 'the reply was dead-lettered');
    await runtime.idle();
    expect(attempts).toBe(3);
    expect(await replyOf(kept.customerId, text)).toMatchObject({ status: 'failed' });

    await ok('POST', `/api/customers/${kept.customerId}/unmerge`, { customerId: back.customerId });
    await runtime.idle();
    expect(await replyOf(kept.customerId, text)).toBeUndefined();
    expect(await replyOf(back.customerId, text)).toMatchObject({ status: 'failed' });
    // Each conversation waits for its own customer again (their first messages, never answered).
    expect(await waiting(kept.conversationId)).toBe(true);
    expect(await waiting(back.conversationId)).toBe(true);

    provider = 'up';
    await runtime.close();
    runtime = undefined;
    const lines: string[] = [];
    const noAws = () => {
      throw new Error('no AWS here');
    };
    await redrive(['outbound', '--local'], { sqs: noAws, dataDir, write: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/^Moved 1 message/);
    runtime = await start();
    await runtime.idle();

    expect(attempts).toBe(4);
    expect(outboxLines(text)).toBe(1);
    const outbox = readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8');
    const line = outbox.split('\n').find((l) => l.includes(text)) ?? '';
    expect(line).toContain('447700900622');
    expect(line).not.toContain('447700900611');
    expect(await replyOf(back.customerId, text)).toMatchObject({
      status: 'sent',
      providerMessageId: expect.stringMatching(/^wamid\.outbox\./),
    });
    expect(await replyOf(kept.customerId, text)).toBeUndefined();
    expect(deadLetters()).toBe(0);
    // It answered the customer given back, in their conversation; the kept customer still waits.
    expect(await waiting(back.conversationId)).toBe(false);
    expect(await waiting(kept.conversationId)).toBe(true);

    // Started again (a second copy of the letter would be taken now): nothing goes out again.
    await runtime.close();
    runtime = await start();
    await runtime.idle();
    expect(outboxLines(text)).toBe(1);
    expect(attempts).toBe(4);
  });
});
