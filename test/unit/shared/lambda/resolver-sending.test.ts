import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import type { SenderStore } from '#shared/domain/sender-ports.js';
import { INLINE_SEND_MIN_MS, resolverSending } from '#shared/lambda/resolver-sending.js';

const message: OutboundMessage = OutboundMessageSchema.parse({
  id: 'ai:whatsapp:wamid.1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: '2026-12-03T18:00:00.000Z',
  channel: 'whatsapp',
  to: { kind: 'phone', value: '+14155550100' },
  text: 'Standard shipping takes 3 to 5 working days.',
  author: { kind: 'ai', id: 'responder' },
});
const held = { leaseUntil: '2026-12-03T18:01:00.000Z' };

function store() {
  const calls: unknown[][] = [];
  const fake: SenderStore = {
    claimSend: async () => {
      calls.push(['claim']);
      return 'claimed';
    },
    releaseSend: async (m, leaseUntil) => {
      calls.push(['released', m.id, leaseUntil]);
    },
    recordSent: async () => {
      calls.push(['sent']);
      return false;
    },
    recordSendFailure: async (_m, reason) => {
      calls.push(['failed', reason.code]);
    },
  };
  return { fake, calls };
}

describe("the resolver's inline send of the AI's reply", () => {
  const config = loadConfig({ TABLE_NAME: 'threadline' });

  it('lets the lease go and hands the reply to the sender when the invocation has too little time left', async () => {
    const { fake, calls } = store();
    const sending = resolverSending(config, fake, () => INLINE_SEND_MIN_MS - 1);
    await expect(sending.deliver(message, held)).rejects.toThrow(/goes to the sender/);
    // Released at once (the sender claims it without waiting for the lease); no provider was tried.
    expect(calls).toEqual([['released', message.id, held.leaseUntil]]);
  });

  it('sends with enough time left, or outside Lambda, without a claim of its own', async () => {
    for (const left of [INLINE_SEND_MIN_MS, undefined]) {
      const { fake, calls } = store();
      await resolverSending(config, fake, () => left).deliver(message, held);
      // No WhatsApp credentials here: the attempt reaches the senders and records the channel unconfigured.
      expect(calls).toEqual([['failed', 'channel_not_configured']]);
    }
  });
});
