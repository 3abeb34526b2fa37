import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PermanentSendError, RetryableSendError } from '#shared/domain/send-errors.js';
import { redrive } from '#shared/local/redrive.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { aroundWhatsApp } from '../support/around-whatsapp.js';
import { outboxAgent } from '../support/outbox-agent.js';
import { startTestRuntime } from '../support/runtime.js';
import { waitUntil } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const SECRET = 'outbound-redrive-meta';
const AGENT = agentToken('outbound-redrive-agent');

/**
 * `npm run redrive -- outbound --local` after the provider could not be reached: the reply the sender
 * gave up on (`failed`, dead-lettered) is sent again, once, and shows `sent`; one the provider refused
 * for good stays refused.
 */
describe('local runtime: a redriven reply that failed after retries is sent again, once', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  /** What the provider does now: take the reply, fail for now, or refuse it for good. */
  let provider: 'up' | 'down' | 'refuses' = 'up';
  let attempts = 0;

  const flaky = aroundWhatsApp(async (message, whatsapp) => {
    attempts += 1;
    if (provider === 'down') throw new RetryableSendError('connect ECONNREFUSED');
    if (provider === 'refuses') throw new PermanentSendError('not a WhatsApp number', '131026');
    return whatsapp.send(message);
  });
  const start = () =>
    startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-ana:${AGENT}`,
        DATA_DIR: dataDir,
        OUTBOUND_MAX_ATTEMPTS: '3',
      },
      persist: true,
      wrapSenders: flaky,
      queue: { visibilityTimeoutMs: 200 },
    });
  const {
    api,
    outboxLines,
    conversationOf: customerOf,
    replyOf,
  } = outboxAgent({
    url: () => runtime?.url ?? '',
    token: AGENT,
    secret: SECRET,
    dataDir: () => dataDir,
  });
  const conversationOf = (from: string) => customerOf(from, () => runtime?.idle());
  const deadLetters = () => readdirSync(join(dataDir, 'queues', 'outbound-dlq')).length;
  /** Stops the runtime, redrives the outbound dead letters as the command does, starts it again. */
  const redriveOutbound = async () => {
    await runtime?.close();
    runtime = undefined;
    const lines: string[] = [];
    await redrive(['outbound', '--local'], {
      sqs: () => {
        throw new Error('no AWS here');
      },
      dataDir,
      write: (line) => lines.push(line),
    });
    runtime = await start();
    await runtime.idle();
    return lines.join('\n');
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-outbound-redrive-'));
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the reply again once the provider is back, and records it sent', async () => {
    runtime = await start();
    const { customerId, conversationId } = await conversationOf('447700900401');
    provider = 'down';
    const text = 'Your replacement ships on Monday.';
    expect((await api('POST', `/api/conversations/${conversationId}/replies`, { text })).status).toBe(202);
    await waitUntil(() => deadLetters() === 1, 'the reply was dead-lettered');
    await runtime.idle();
    expect(attempts).toBe(3);
    expect(await replyOf(customerId, text)).toMatchObject({
      status: 'failed',
      errors: [expect.objectContaining({ code: 'gave_up' })],
    });

    provider = 'up';
    expect(await redriveOutbound()).toMatch(/^Moved 1 message/);
    expect(attempts).toBe(4);
    expect(outboxLines(text)).toBe(1);
    const reply = await replyOf(customerId, text);
    expect(reply).toMatchObject({
      status: 'sent',
      providerMessageId: expect.stringMatching(/^wamid\.outbox\./),
    });
    expect(reply?.errors).toBeUndefined();
    expect(deadLetters()).toBe(0);

    // Redriven again (a second copy of the message): the reply went out, so nothing is sent.
    await runtime.close();
    runtime = await start();
    expect(outboxLines(text)).toBe(1);
    expect(attempts).toBe(4);
  });

  it('leaves a reply the provider refused for good refused, however often it is redriven', async () => {
    const { customerId, conversationId } = await conversationOf('447700900402');
    provider = 'down';
    const text = 'We could not reach your number.';
    const before = attempts;
    expect((await api('POST', `/api/conversations/${conversationId}/replies`, { text })).status).toBe(202);
    await waitUntil(() => deadLetters() === 1, 'the reply was dead-lettered');
    await runtime?.idle();
    provider = 'refuses';
    expect(await redriveOutbound()).toMatch(/^Moved 1 message/);
    expect(attempts).toBe(before + 4);
    expect(await replyOf(customerId, text)).toMatchObject({
      status: 'failed',
      errors: [expect.objectContaining({ code: '131026' })],
    });
    // Refused, not given up: a later redrive (of nothing, here) and a redelivery send nothing.
    provider = 'up';
    expect(await redriveOutbound()).toMatch(/^Moved 0 message/);
    expect(attempts).toBe(before + 4);
    expect(outboxLines(text)).toBe(0);
  });
});
