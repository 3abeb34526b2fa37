import { describe, expect, it } from 'vitest';
import { RetryableSendError } from '#shared/domain/send-errors.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { aroundWhatsApp } from '../support/around-whatsapp.js';
import { NOON_UTC, useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A reply the sender gave up on (the provider unreachable) and an operator redrove hours later told the
 * conversation clock its own time, so the silence auto-resolve counts began then: the conversation was
 * resolved the moment the reply reached the customer. The silence now counts from the redrive's send;
 * the conversation resolves an hour (`autoResolve.after`) after it. Time moves only when the test says so.
 */
describe('local runtime: auto-resolve after a redriven reply', () => {
  /** Whether WhatsApp answers now: down, the sender gives up at once (one attempt). */
  let up = false;
  const clock = useClockRuntime({
    metaSecret: 'auto-resolve-redrive-secret',
    agent: { token: agentToken('auto-resolve-redrive-ana'), admin: true },
    policyFile: shippedPolicyFileWith((policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
    start: NOON_UTC,
    env: { OUTBOUND_MAX_ATTEMPTS: '1' },
    queue: { visibilityTimeoutMs: 200 },
    wrapSenders: aroundWhatsApp(async (message, whatsapp) => {
      if (!up) throw new RetryableSendError('connect ECONNREFUSED');
      return whatsapp.send(message);
    }),
  });
  const conversation = async (id: string) =>
    (await clock.call<Conversation>('GET', `/api/conversations/${id}`)).body;
  const replyOf = async (customerId: string, text: string) =>
    (await clock.api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`)).items.find(
      (i) => i.text === text,
    );

  it('counts the silence from the send on the redrive, not from when the reply was written', async () => {
    const phone = '447700900591';
    await clock.whatsapp({ from: phone, id: 'wamid.redrive-silence-1', text: 'Where is my parcel?' });
    const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
    const customer = found.items[0] as Customer;
    const id = customer.openConversationId as string;
    const text = 'It left the depot this morning.';
    expect((await clock.call('POST', `/api/conversations/${id}/replies`, { text })).status).toBe(202);
    await clock.advance(MINUTE);
    expect(await replyOf(customer.id, text)).toMatchObject({ status: 'failed' });

    // Three hours pass with the reply given up: nothing reached the customer, nothing resolves.
    await clock.advance(3 * HOUR);
    expect(await conversation(id)).toMatchObject({ status: 'open' });

    // The provider is back; the operator redrives the outbound dead letters (`npm run redrive`).
    up = true;
    expect(await clock.runtime.outbound.redrive()).toBe(1);
    await clock.idle();
    const sentAt = clock.manual.now();
    expect(await replyOf(customer.id, text)).toMatchObject({ status: 'sent' });
    await clock.advance(MINUTE);
    expect(await conversation(id)).toMatchObject({ status: 'open' });

    // An hour of silence from the send: resolved then, by the clock.
    await clock.advance(HOUR - 2 * MINUTE);
    expect(await conversation(id)).toMatchObject({ status: 'open' });
    await clock.advance(2 * MINUTE);
    const resolved = await conversation(id);
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBe(new Date(sentAt + HOUR).toISOString());
  });
});
