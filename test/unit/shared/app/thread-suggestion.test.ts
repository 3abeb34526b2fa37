import { describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { inboundText } from '../../fakes/envelopes.js';
import { MemoryStore } from '../../fakes/memory-store.js';

/** An email from `from` with Message-ID `<id>`, answering `<parent>` when given. */
function mail(id: string, from: string, data: Record<string, unknown> = {}, parent?: string): Envelope {
  return inboundText({
    id: `ses:msg:${id}`,
    provider: 'ses',
    channel: 'email',
    providerMessageId: id,
    customer: { kind: 'email', value: from },
    occurredAt: '2025-06-10T10:00:00.000Z',
    text: 'Approved, go ahead',
    data: { messageId: `<${id}>`, ...(parent ? { inReplyTo: `<${parent}>` } : {}), ...data },
  });
}

function resolver() {
  const store = new MemoryStore();
  let n = 0;
  const deps = {
    store,
    clock: { now: () => new Date('2025-06-10T12:00:00.000Z') },
    ids: { customerId: () => `cu_${++n}` },
  };
  return { store, receive: (e: Envelope) => receiveEnvelope(deps, e) };
}

describe('mail in the thread of another customer', () => {
  it('raises a suggestion with the conversation as evidence, and keeps the mail its sender’s', async () => {
    const { store, receive } = resolver();
    const pat = await receive(mail('p1', 'pat@acme.example'));
    const lee = await receive(mail('l1', 'lee@acme.example', {}, 'p1'));
    expect(lee.customerId).not.toBe(pat.customerId);
    expect(lee.conversationId).not.toBe(pat.conversationId);
    const suggestion = store.suggestions.get(`${pat.customerId}#${lee.customerId}`);
    expect(suggestion?.status).toBe('open');
    expect([...(suggestion?.evidence ?? [])].map((e) => JSON.parse(String(e)))).toEqual([
      expect.objectContaining({ reason: 'same_thread', conversationId: pat.conversationId }),
    ]);
  });

  it('raises none for quarantined mail', async () => {
    const { store, receive } = resolver();
    await receive(mail('p1', 'pat@acme.example'));
    await receive(mail('l1', 'lee@acme.example', { quarantined: true }, 'p1'));
    expect(store.suggestions.size).toBe(0);
  });
});
