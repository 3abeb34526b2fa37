import { describe, expect, it } from 'vitest';
import { publishChanges } from '#shared/app/publish-change.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import type { Delivery, Subscription } from '#shared/domain/webhooks.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const AT = '2026-12-03T10:00:00.000Z';
const subscription = (
  id: string,
  events: Subscription['events'],
  over: Partial<Subscription> = {},
): Subscription => ({
  id,
  url: 'https://hooks.example.com/t',
  events,
  createdAt: AT,
  createdBy: 'zoe',
  secrets: [{ secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` }],
  consecutiveFailures: 0,
  ...over,
});
const created = (sequence: string): ChangeRecord => ({
  id: `rec-${sequence}`,
  kind: 'insert',
  keys: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
  newImage: { entity: 'customer', id: 'cu_1', createdAt: AT },
  sequence,
  at: AT,
});

describe('publishChanges', () => {
  const setUp = () => {
    const world = memoryWebhooks();
    const subs = [
      subscription('wh_a', ['customer.created']),
      subscription('wh_b', ['message.received']),
      subscription('wh_c', ['customer.created'], { disabledAt: AT }),
    ];
    const errors: unknown[] = [];
    const publish = publishChanges({
      subscriptions: async () => subs,
      store: world.store,
      queue: world.queue,
      clock: { now: () => new Date(AT) },
      log: (_level, _message, fields) => errors.push(fields),
    });
    return { world, publish, errors };
  };

  it('queues one delivery per enabled subscription that takes the event, and holds one for a disabled one', async () => {
    const { world, publish } = setUp();
    await world.store.putSubscription(subscription('wh_c', ['customer.created'], { disabledAt: AT }));
    expect(await publish([created('1')])).toEqual({});
    expect(world.sent.map((s) => s.message.subscriptionId)).toEqual(['wh_a']);
    expect([...world.deliveries.values()].map((d) => [d.subscriptionId, d.status, d.attempts])).toEqual([
      ['wh_a', 'pending', 0],
      ['wh_c', 'paused', 0],
    ]);
    // Noted under the subscription, so its enable sends it; the change again holds nothing twice.
    expect(world.paused.get('wh_c')?.size).toBe(1);
    await publish([created('1')]);
    expect(world.deliveries.size).toBe(2);
    expect(world.sent.map((s) => s.message.subscriptionId)).toEqual(['wh_a', 'wh_a']);
  });

  it('sends a held event at once when the subscription was enabled meanwhile (the list was a moment old)', async () => {
    const { world, publish } = setUp();
    // The store has it enabled; the list the publisher holds still shows it disabled.
    await world.store.putSubscription(subscription('wh_c', ['customer.created']));
    await publish([created('1')]);
    const held = [...world.deliveries.values()].find((d) => d.subscriptionId === 'wh_c');
    expect(held).toMatchObject({ status: 'pending', attempts: 0 });
    expect(world.sent.map((s) => s.message)).toContainEqual({
      deliveryId: held?.id,
      subscriptionId: 'wh_c',
      queuedAt: AT,
    });
    expect(held?.queuedAt).toBe(AT);
  });

  it('queues a delivery once, however often its change comes again', async () => {
    const { world, publish } = setUp();
    await publish([created('1')]);
    await publish([created('1')]);
    // Found claimed and never tried: a check of the claim, due when its lease ends, not the message again.
    expect(world.sent.map((s) => [s.message.claim, s.message.dueAt, s.delaySeconds])).toEqual([
      [undefined, undefined, 0],
      [AT, '2026-12-03T10:15:00.000Z', 900],
    ]);
    const [delivery] = [...world.deliveries.values()].filter((d) => d.subscriptionId === 'wh_a') as [
      Delivery,
    ];
    expect(delivery.queuedAt).toBe(AT);
    world.deliveries.set(delivery.id, { ...delivery, status: 'delivered', attempts: 1 });
    await publish([created('1')]);
    expect(world.sent).toHaveLength(2);
    expect([...world.deliveries.values()].filter((d) => d.subscriptionId === 'wh_a')).toHaveLength(1);
  });

  it('lets the claim go when the queue refused the message, so the change delivered again queues it', async () => {
    const { world, publish } = setUp();
    const send = world.queue.send;
    world.queue.send = async () => {
      throw new Error('queue down');
    };
    expect(await publish([created('1')])).toEqual({ failedSequence: '1' });
    expect([...world.deliveries.values()][0]?.queuedAt).toBeUndefined();
    world.queue.send = send;
    expect(await publish([created('1')])).toEqual({});
    expect(world.sent).toHaveLength(1);
  });

  it('queues again a claimed delivery never tried whose message the queue (the local one) no longer holds', async () => {
    const { world } = setUp();
    const held = new Set<string>();
    const publish = publishChanges({
      subscriptions: async () => [subscription('wh_a', ['customer.created'])],
      store: world.store,
      queue: world.queue,
      clock: { now: () => new Date(AT) },
      holds: (message) => held.has(message.deliveryId),
      log: () => {},
    });
    await publish([created('1')]);
    held.add(world.sent[0]?.message.deliveryId ?? '');
    await publish([created('1')]);
    expect(world.sent).toHaveLength(1);
    held.clear();
    await publish([created('1')]);
    expect(world.sent).toHaveLength(2);
  });

  it('stops at the first record that fails and answers its sequence, for the feed to deliver it again', async () => {
    const { world, publish, errors } = setUp();
    world.queue.send = async () => {
      throw new Error('queue down');
    };
    expect(await publish([created('1'), created('2')])).toEqual({ failedSequence: '1' });
    expect(errors).toEqual([{ sequence: '1', error: 'Error' }]);
  });
});

describe('publishChanges, a customer deleting a message', () => {
  const SENT = '2026-12-03T09:58:00.000Z';
  const keys = { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${SENT}#whatsapp:wamid.S1` };
  const message = {
    entity: 'timeline',
    id: 'whatsapp:wamid.S1',
    type: 'message',
    channel: 'whatsapp',
    direction: 'inbound',
    text: 'my card is 4111 1111 1111 1111',
    attachments: [{ kind: 'file', filename: 'card.pdf', url: 'https://media.example/1' }],
    at: SENT,
    customerId: 'cu_1',
  };
  const { text: _t, attachments: _a, ...rest } = message;
  const change = (sequence: string, newImage: Record<string, unknown>, old?: Record<string, unknown>) =>
    ({
      id: `rec-${sequence}`,
      kind: old ? 'modify' : 'insert',
      keys,
      newImage,
      ...(old ? { oldImage: old } : {}),
      sequence,
      at: AT,
    }) satisfies ChangeRecord;

  it("takes its words out of every subscription's delivery of it, keeping the delivery; once", async () => {
    const world = memoryWebhooks();
    const subs = [
      subscription('wh_a', ['message.received']),
      subscription('wh_b', ['message.received', 'message.deleted']),
      subscription('wh_c', ['customer.created']),
    ];
    const forgotten: string[] = [];
    const store = {
      ...world.store,
      forgetWords: async (s: string, d: string) => {
        forgotten.push(s);
        return world.store.forgetWords(s, d);
      },
    };
    const publish = publishChanges({
      subscriptions: async () => subs,
      store,
      queue: world.queue,
      clock: { now: () => new Date(AT) },
      log: () => undefined,
    });
    await publish([change('1', message)]);
    const before = [...world.deliveries.values()];
    expect(before.map((d) => [d.subscriptionId, d.event?.data.text])).toEqual([
      ['wh_a', message.text],
      ['wh_b', message.text],
    ]);
    const deleted = { ...rest, deleted: true, deletedAt: AT };
    await publish([change('2', deleted, message)]);
    const after = [...world.deliveries.values()];
    // The two deliveries of message.received keep their status and ids, without the words.
    expect(after.filter((d) => d.eventType === 'message.received').map((d) => d.event?.data)).toEqual([
      {
        customerId: 'cu_1',
        messageId: 'whatsapp:wamid.S1',
        channel: 'whatsapp',
        direction: 'inbound',
        at: SENT,
      },
      {
        customerId: 'cu_1',
        messageId: 'whatsapp:wamid.S1',
        channel: 'whatsapp',
        direction: 'inbound',
        at: SENT,
      },
    ]);
    expect(after.filter((d) => d.eventType === 'message.deleted').map((d) => d.subscriptionId)).toEqual([
      'wh_b',
    ]);
    // One conditional write per subscription, whatever it takes now; the change again writes nothing new.
    expect(forgotten).toEqual(['wh_a', 'wh_b', 'wh_c']);
    await publish([change('2', deleted, message)]);
    expect(world.deliveries.size).toBe(3);
    expect([...world.deliveries.values()]).toEqual(after);
  });

  it('notes when a delivery of a message sent late was made: the change’s time, kept when it comes again', async () => {
    const world = memoryWebhooks();
    const publish = publishChanges({
      subscriptions: async () => [subscription('wh_a', ['message.received'])],
      store: world.store,
      queue: world.queue,
      clock: { now: () => new Date('2026-12-04T00:00:00.000Z') },
      log: () => undefined,
    });
    const late = { ...message, at: '2026-11-30T08:00:00.000Z' };
    await publish([change('1', late)]);
    await publish([change('1', late)]);
    const [delivery, ...more] = [...world.deliveries.values()];
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({ createdAt: late.at, madeAt: AT });
  });
});
