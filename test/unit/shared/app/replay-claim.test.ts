import { describe, expect, it } from 'vitest';
import { type DeliverDeps, deliverWebhook } from '#shared/app/deliver-webhook.js';
import { publishChanges } from '#shared/app/publish-change.js';
import { replayWebhookDelivery } from '#shared/app/replay-webhook-delivery.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import type { Subscription } from '#shared/domain/webhooks.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks, subscriptionTo } from '../../fakes/webhook-store.js';

const AT = '2026-12-05T09:00:00.000Z';
const subscription = subscriptionTo(['customer.created']);
const created: ChangeRecord = {
  id: 'rec-1',
  kind: 'insert',
  keys: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
  newImage: { entity: 'customer', id: 'cu_1', createdAt: AT },
  sequence: '1',
  at: AT,
};

/**
 * A delivery that never got its first attempt (cancelled: its subscription stopped taking the event
 * before its turn; or paused by a disable), then sent again by an admin: it must not go out on two
 * chains when its change comes again and the old queueing claim, long past its lease, is checked.
 */
describe('a replayed delivery that was never tried', () => {
  const setUp = async () => {
    const world = memoryWebhooks();
    let now = AT;
    const clock = { now: () => new Date(now) };
    const posts: string[] = [];
    await world.store.putSubscription(subscription);
    const publish = publishChanges({
      subscriptions: async () => [(await world.store.getSubscription('wh_1')) as Subscription],
      store: world.store,
      queue: world.queue,
      clock,
      log: () => {},
    });
    const deliver: DeliverDeps = {
      store: world.store,
      queue: world.queue,
      post: async (request) => {
        posts.push(request.headers['webhook-id'] ?? '');
        return { kind: 'answered', status: 200 };
      },
      sign: () => 'v1,c2lnbmVk',
      isErased: async () => false,
      clock,
      random: () => 0.5,
      log: () => {},
    };
    const admin = {
      webhooks: { ...world.store, isErased: async () => false },
      queue: world.queue,
      audit: memoryAuditLog(),
      clock,
    };
    /** Runs every message queued, in order, each once its delay is over (the clock moved to it). */
    const runQueue = async () => {
      for (let i = 0; i < 20 && world.sent.length > 0; i++) {
        const next = world.sent.shift();
        if (!next) break;
        now = new Date(Date.parse(now) + next.delaySeconds * 1000).toISOString();
        await deliverWebhook(deliver, next.message);
      }
    };
    /** Takes every message queued by now at once, as two consumers would, then runs the queue. */
    const atOnce = async () => {
      await Promise.all(world.sent.splice(0).map((next) => deliverWebhook(deliver, next.message)));
      await runQueue();
    };
    const at = (time: string) => {
      now = time;
    };
    return { world, publish, admin, posts, runQueue, atOnce, at };
  };
  const only = (world: ReturnType<typeof memoryWebhooks>) => [...world.deliveries.values()][0];

  it('claims it afresh, so a check of the old claim (its change come again) sends nothing beside it', async () => {
    const { world, publish, admin, posts, runQueue, atOnce, at } = await setUp();
    // Published at 09:00 (claimed then), and cancelled at its turn: its subscription no longer took it.
    await publish([created]);
    const subscribed = world.subscriptions.get('wh_1') as Subscription;
    subscribed.events = ['message.received'];
    await runQueue();
    const id = only(world)?.id ?? '';
    expect(only(world)).toMatchObject({ status: 'cancelled', attempts: 0, queuedAt: AT });
    // An hour later the event is taken again and an admin replays the delivery.
    subscribed.events = ['customer.created'];
    at('2026-12-05T10:00:00.000Z');
    await replayWebhookDelivery(admin, { subscriptionId: 'wh_1', deliveryId: id }, 'zoe');
    // The stream hands the change over again while the replay's message waits in the queue: before,
    // the old claim, long past its lease, was checked at once and taken over, and both messages posted.
    await publish([created]);
    await atOnce();
    expect(posts).toEqual([id]);
    expect(world.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(world.deliveries.get(id)?.queuedAt).toBe('2026-12-05T10:00:00.000Z');
  });

  it('claims one held while its subscription was disabled, so its change come again queues it no second time', async () => {
    const { world, publish, admin, posts, atOnce, at } = await setUp();
    (world.subscriptions.get('wh_1') as Subscription).disabledAt = AT;
    await publish([created]);
    const id = only(world)?.id ?? '';
    expect(only(world)).toMatchObject({ status: 'paused', attempts: 0 });
    // Enabled (an enable whose page had not reached it yet), then replayed by hand.
    await world.store.enableSubscription('wh_1');
    at('2026-12-05T10:00:00.000Z');
    await replayWebhookDelivery(admin, { subscriptionId: 'wh_1', deliveryId: id }, 'zoe');
    await publish([created]);
    await atOnce();
    expect(posts).toEqual([id]);
  });
});
