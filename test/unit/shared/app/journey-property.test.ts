import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { journey } from '../../fakes/journey.js';
import { MemoryStore } from '../../fakes/memory-store.js';
import { memoryReceiver } from '../../fakes/receiver.js';

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
  const { store, receive } = memoryReceiver('2025-06-10T14:00:00.000Z');
  for (const e of order) await receive(e);
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
