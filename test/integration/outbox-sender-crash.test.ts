import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Channel } from '#shared/domain/envelope.js';
import type { ChannelSender } from '#shared/domain/outbound.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { outboxAgent } from '../support/outbox-agent.js';
import { startTestRuntime } from '../support/runtime.js';
import { waitUntil } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const SECRET = 'outbox-crash-meta';
const AGENT = agentToken('outbox-crash-agent');
type Senders = Partial<Record<Channel, ChannelSender>>;

/**
 * A sender that dies after the provider took the reply and before it recorded it: on AWS the provider's
 * status (with the reply's key) records the provider id on the reply's item, and the redelivery after
 * the lease finds it sent. Locally the outbox is the provider: its line is the provider's acceptance,
 * and its `sent` status must survive the same crash. The crash is a throw right after the outbox's
 * send (nothing after the provider call runs), with the status lost too when `loseStatus` is set
 * (the process died before it reached the queue); the reply must reach the outbox once.
 */
describe('local runtime: a reply whose sender died after the outbox took it is not sent again', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  /** The runtime's clock runs this far ahead of the process's (a restart after the lease ran out). */
  let aheadMs = 0;
  let crashes = 0;
  let loseStatus = false;

  const dieAfterSend = (senders: Senders): Senders => {
    const whatsapp = senders.whatsapp as ChannelSender;
    return {
      ...senders,
      whatsapp: {
        send: async (message) => {
          const result = await whatsapp.send(message);
          if (crashes > 0) {
            crashes -= 1;
            throw new Error('the sender died after the provider call');
          }
          return result;
        },
      },
    };
  };
  const losingStatuses = (queue: EnvelopeQueue): EnvelopeQueue => ({
    enqueue: async (envelopes, options) => {
      if (loseStatus && envelopes.some((e) => e.id.startsWith('outbox:')))
        throw new Error('the process died before the status was queued');
      return queue.enqueue(envelopes, options);
    },
  });
  const start = (visibilityTimeoutMs: number) =>
    startTestRuntime({
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-ana:${AGENT}`, DATA_DIR: dataDir },
      persist: true,
      providerStatuses: true,
      wrapSenders: dieAfterSend,
      wrapInboundQueue: losingStatuses,
      clock: { now: () => new Date(Date.now() + aheadMs) },
      queue: { visibilityTimeoutMs },
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
    now: () => Date.now() + aheadMs,
  });
  /** A customer's open WhatsApp conversation, and their id. */
  const conversationOf = (from: string) => customerOf(from, () => runtime?.idle());

  /**
   * The reply: one line in the outbox, recorded `sent` with the outbox's provider id; and what its dead
   * sender left undone, done by the redelivery: the conversation no longer waits on an answer.
   */
  const sentOnce = async (customerId: string, conversationId: string, text: string) => {
    expect(outboxLines(text)).toBe(1);
    const reply = await replyOf(customerId, text);
    expect(reply).toMatchObject({
      status: 'sent',
      providerMessageId: expect.stringMatching(/^wamid\.outbox\./),
    });
    const conversation = (await (await api('GET', `/api/conversations/${conversationId}`)).json()) as {
      conversation?: Conversation;
    } & Conversation;
    expect((conversation.conversation ?? conversation).waitingSince).toBeUndefined();
    return reply;
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-outbox-crash-'));
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records the provider id from the outbox’s status, and the retry after the lease skips the send', async () => {
    runtime = await start(300);
    const { customerId, conversationId } = await conversationOf('447700900301');
    crashes = 1;
    const text = 'Your parcel left the depot this morning.';
    expect((await api('POST', `/api/conversations/${conversationId}/replies`, { text })).status).toBe(202);
    // The retry comes after the lease (the queue's visibility timeout) and finds the reply sent.
    await waitUntil(() => crashes === 0, 'the sender died after the outbox took the reply');
    await runtime.idle();
    await sentOnce(customerId, conversationId, text);
    await runtime.close();
    runtime = undefined;
  });

  it('reports on start the status a killed runtime lost, before the redelivery after the lease', async () => {
    await runtime?.close();
    // A long lease: the killed runtime never retries; the next one starts after it ran out.
    runtime = await start(60_000);
    const { customerId, conversationId } = await conversationOf('447700900302');
    crashes = 1;
    loseStatus = true;
    const text = 'We have refunded the second charge.';
    expect((await api('POST', `/api/conversations/${conversationId}/replies`, { text })).status).toBe(202);
    await waitUntil(() => crashes === 0, 'the sender died after the outbox took the reply');
    expect(outboxLines(text)).toBe(1);
    // The reply is still on the outbound queue (in flight, never deleted): the next runtime has it.
    await runtime.close();
    loseStatus = false;
    aheadMs = 120_000;
    runtime = await start(300);
    await runtime.idle();
    const reply = await sentOnce(customerId, conversationId, text);
    expect(readFileSync(join(dataDir, 'outbox-reported.txt'), 'utf8')).toContain(reply?.providerMessageId);
  });
});
