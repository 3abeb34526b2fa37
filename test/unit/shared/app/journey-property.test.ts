import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { envelope } from '../../fakes/envelopes.js';
import { MemoryStore } from '../../fakes/memory-store.js';

const phone = { kind: 'phone', value: '+14155550100' } as const;
const email = { kind: 'email', value: 'dana@example.com' } as const;
const instagram = { kind: 'instagram', value: '17841400000000000:9912345' } as const;
const base = { receivedAt: '2025-06-10T12:00:00.000Z', rawRef: 'test#/' };

/** One person's week: WhatsApp, SMS from the same number, email, a voicemail, an Instagram DM. */
const journey: Envelope[] = [
  envelope({
    ...base,
    id: 'whatsapp:msg:wamid.1',
    provider: 'whatsapp',
    channel: 'whatsapp',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'wamid.1',
    occurredAt: '2025-06-10T09:00:00.000Z',
    customer: phone,
    profileName: 'Dana',
    contentType: 'text',
    text: 'My parcel is late',
  }),
  envelope({
    ...base,
    id: 'twilio:msg:SM1',
    provider: 'twilio',
    channel: 'sms',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'SM1',
    occurredAt: '2025-06-10T10:00:00.000Z',
    customer: phone,
    contentType: 'text',
    text: 'Any news?',
  }),
  envelope({
    ...base,
    id: 'ses:msg:ses-1',
    provider: 'ses',
    channel: 'email',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'ses-1',
    occurredAt: '2025-06-10T11:00:00.000Z',
    customer: email,
    profileName: 'Dana Scully',
    contentType: 'text',
    text: 'Writing by email now. Call me on (415) 555-0100.',
    data: { messageId: '<m1@example.com>' },
  }),
  envelope({
    ...base,
    id: 'twilio:call:CA1:voicemail',
    provider: 'twilio',
    channel: 'voice',
    kind: 'call',
    callId: 'CA1',
    event: 'voicemail',
    direction: 'inbound',
    occurredAt: '2025-06-10T12:00:00.000Z',
    customer: phone,
    durationSeconds: 31,
  }),
  envelope({
    ...base,
    id: 'instagram:msg:mid.1',
    provider: 'meta',
    channel: 'instagram',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'mid.1',
    occurredAt: '2025-06-10T13:00:00.000Z',
    customer: instagram,
    contentType: 'text',
    text: 'Hi, it is dana@example.com again',
  }),
];

/** The store's state with generated ids replaced by the identity that found them. */
function snapshot(store: MemoryStore): unknown {
  const names = new Map<string, string>();
  for (const [token, customerId] of store.identities) names.set(customerId, `customer(${token})`);
  const conversationNames = new Map<string, string>();
  for (const [id, row] of store.conversations) {
    conversationNames.set(id, `conversation(${names.get(row.customerId)})`);
  }
  let json = JSON.stringify({
    identities: [...store.identities.entries()].sort(),
    timelines: [...store.timelines.keys()].sort().map((id) => store.timeline(id)),
    profiles: [...store.profiles.values()]
      .map((p) => ({
        id: p.id,
        name: p.name,
        identities: [...p.identities].sort(),
        channels: [...p.channels].sort(),
        open: p.openConversationId,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    conversations: [...store.conversations.entries()]
      .map(([id, row]) => ({ id, customerId: row.customerId, channels: [...row.channels].sort() }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    suggestions: [...store.suggestions.entries()]
      .map(([k, v]) => [k, v.status, [...v.evidence].sort()])
      .sort(),
  });
  for (const [id, name] of [...names, ...conversationNames]) json = json.replaceAll(id, name);
  // Sorted after renaming: the generated ids, and so their order, depend on arrival order.
  const renamed = JSON.parse(json) as Record<string, unknown[]>;
  const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  return Object.fromEntries(Object.entries(renamed).map(([key, list]) => [key, [...list].sort(byJson)]));
}

async function run(order: readonly Envelope[]): Promise<unknown> {
  const store = new MemoryStore();
  let n = 0;
  const deps = {
    store,
    clock: { now: () => new Date('2025-06-10T14:00:00.000Z') },
    ids: { customerId: () => `cu_${++n}` },
  };
  for (const e of order) await receiveEnvelope(deps, e);
  return snapshot(store);
}

describe('a cross-channel journey', () => {
  it('resolves the phone channels to one customer and raises a suggestion for the mentioned email', async () => {
    const store = new MemoryStore();
    let n = 0;
    const deps = { store, clock: { now: () => new Date() }, ids: { customerId: () => `cu_${++n}` } };
    for (const e of journey) await receiveEnvelope(deps, e);
    const phoneCustomer = store.identities.get('phone#+14155550100') as string;
    expect(store.timeline(phoneCustomer).map((i) => i.channel)).toEqual(['whatsapp', 'sms', 'voice']);
    const emailCustomer = store.identities.get('email#dana@example.com') as string;
    const igCustomer = store.identities.get('instagram#17841400000000000:9912345') as string;
    expect(new Set([phoneCustomer, emailCustomer, igCustomer]).size).toBe(3);
    // The DM names the email: a suggestion on both profiles, no merge.
    expect(store.suggestions.get(`${igCustomer}#${emailCustomer}`)?.status).toBe('open');
    expect(store.suggestions.get(`${emailCustomer}#${igCustomer}`)?.status).toBe('open');
    // The email's signature names the phone: a suggestion between those two as well.
    expect(store.suggestions.get(`${emailCustomer}#${phoneCustomer}`)?.status).toBe('open');
    const conversation = store.conversations.get(store.profiles.get(phoneCustomer)?.openConversationId ?? '');
    expect([...(conversation?.channels ?? [])].sort()).toEqual(['sms', 'voice', 'whatsapp']);
  });

  it('ends in the same state for any interleaving and duplication of its envelopes', async () => {
    const expected = await run(journey);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: journey.length - 1 }), { maxLength: 8 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        async (duplicates, randoms) => {
          const deliveries = [...journey, ...duplicates.map((i) => journey[i] as Envelope)];
          const keyed = deliveries.map((e) => ({ e, k: randoms.next().value as number }));
          keyed.sort((a, b) => a.k - b.k);
          expect(await run(keyed.map((x) => x.e))).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
