import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhook } from '#shared/app/create-webhook.js';
import { deleteWebhook } from '#shared/app/delete-webhook.js';
import { disableWebhook } from '#shared/app/disable-webhook.js';
import { enableWebhook } from '#shared/app/enable-webhook.js';
import { replayWebhookDelivery } from '#shared/app/replay-webhook-delivery.js';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import { type Delivery, deliveryIdOf, eventGuardsOf, newDelivery } from '#shared/domain/webhooks.js';
import { ConflictError, NotFoundError, UnprocessableError } from '#shared/errors.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks, subscriptionTo } from '../../fakes/webhook-store.js';

const START = Date.parse('2026-12-05T09:00:00.000Z');
const event = (n: number): IntegrationEvent => ({
  id: `evt_${n}`,
  type: 'message.received',
  timestamp: new Date(START - 60_000 + n).toISOString(),
  data: { customerId: 'cu_1', conversationId: 'cv_1', messageId: `whatsapp:wamid.${n}`, text: 'hi' },
});
const subscription = subscriptionTo(['message.received']);

describe('webhook admin: replaying and enabling on a disabled subscription', () => {
  let world: ReturnType<typeof memoryWebhooks>;
  let deps: Parameters<typeof replayWebhookDelivery>[0] &
    Parameters<typeof enableWebhook>[0] &
    Parameters<typeof disableWebhook>[0];

  beforeEach(async () => {
    world = memoryWebhooks();
    deps = {
      webhooks: { ...world.store, isErased: async () => false },
      queue: world.queue,
      audit: memoryAuditLog(),
      clock: { now: () => new Date(START) },
    };
    await world.store.putSubscription(subscription);
  });

  const delivered = (n: number): Delivery => ({
    ...newDelivery(subscription, event(n)),
    status: 'delivered',
    attempts: 2,
    firstAttemptAt: new Date(START - 50_000).toISOString(),
    lastAttemptAt: new Date(START - 45_000).toISOString(),
    deliveredAt: new Date(START - 45_000).toISOString(),
    lastStatus: 200,
  });

  it('refuses with 409 to replay a delivery of a disabled subscription, and leaves it as it was', async () => {
    const done = delivered(1);
    await world.store.createDelivery(done);
    await world.store.disableSubscription(
      'wh_1',
      new Date(START).toISOString(),
      'the endpoint answered 410 Gone',
    );
    const replay = replayWebhookDelivery(deps, { subscriptionId: 'wh_1', deliveryId: done.id }, 'zoe');
    await expect(replay).rejects.toBeInstanceOf(ConflictError);
    await expect(replay).rejects.toThrow(/disabled/);
    expect(await world.store.getDelivery('wh_1', done.id)).toEqual(done);
    expect(world.sent).toEqual([]);
  });

  it('keeps a delivered delivery’s history when it is replayed: when it was delivered, and its earlier attempts', async () => {
    const done = delivered(1);
    await world.store.createDelivery(done);
    const view = await replayWebhookDelivery(deps, { subscriptionId: 'wh_1', deliveryId: done.id }, 'zoe');
    expect(view).toMatchObject({
      status: 'pending',
      attempts: 0,
      priorAttempts: 2,
      deliveredAt: done.deliveredAt,
      replayedAt: new Date(START).toISOString(),
    });
    expect((await world.store.getDelivery('wh_1', done.id))?.firstAttemptAt).toBeUndefined();
  });

  it('audits each replay naming the webhook and the delivery, one of an unknown delivery too', async () => {
    const done = delivered(1);
    await world.store.createDelivery(done);
    await replayWebhookDelivery(deps, { subscriptionId: 'wh_1', deliveryId: done.id }, 'zoe');
    const missing = { subscriptionId: 'wh_1', deliveryId: `msg_${'x'.repeat(33)}` };
    await expect(replayWebhookDelivery(deps, missing, 'zoe')).rejects.toBeInstanceOf(NotFoundError);
    const { records } = deps.audit as ReturnType<typeof memoryAuditLog>;
    expect(records.map(({ id: _id, at: _at, ...r }) => r)).toEqual([
      {
        agentId: 'zoe',
        action: 'webhook_replay',
        customerIds: ['cu_1'],
        webhookId: 'wh_1',
        deliveryId: done.id,
        outcome: 'ok',
      },
      {
        agentId: 'zoe',
        action: 'webhook_replay',
        customerIds: [],
        webhookId: 'wh_1',
        deliveryId: missing.deliveryId,
        outcome: 'not_found',
      },
    ]);
  });

  it('enables a disabled subscription and resumes its paused deliveries, spread out, with a new retry window', async () => {
    await world.store.disableSubscription(
      'wh_1',
      new Date(START).toISOString(),
      'the endpoint answered 410 Gone',
    );
    await world.store.openBreaker('wh_1', new Date(START + 60_000).toISOString());
    const paused = Array.from({ length: 25 }, (_, n) => ({
      ...newDelivery(subscription, event(n)),
      status: 'paused' as const,
      attempts: n === 0 ? 1 : 0,
      lastError: 'subscription disabled',
      ...(n === 0 ? { firstAttemptAt: new Date(START - 1000).toISOString() } : {}),
    }));
    for (const d of paused) await world.store.pauseDelivery(d);
    const answer = await enableWebhook(deps, 'wh_1', 'zoe');
    expect(answer).toMatchObject({ id: 'wh_1', resumed: 25, more: false });
    const enabled = await world.store.getSubscription('wh_1');
    expect(enabled?.disabledAt).toBeUndefined();
    expect(enabled?.circuitOpenUntil).toBeUndefined();
    for (const d of paused) {
      const now = await world.store.getDelivery('wh_1', d.id);
      expect(now).toMatchObject({ status: 'pending', attempts: 0 });
      expect(now?.firstAttemptAt).toBeUndefined();
    }
    expect(world.sent).toHaveLength(25);
    expect(Math.max(...world.sent.map((s) => s.delaySeconds))).toBeGreaterThan(0);
    expect(world.paused.get('wh_1')?.size ?? 0).toBe(0);
    // Enabling again finds nothing more to resume.
    expect(await enableWebhook(deps, 'wh_1', 'zoe')).toMatchObject({ resumed: 0, more: false });
    expect(world.sent).toHaveLength(25);
  });

  it('queues a delivery a resume left pending and unqueued, and sends none older than the log keeps', async () => {
    await world.store.disableSubscription('wh_1', new Date(START).toISOString(), 'gone');
    const stranded = { ...newDelivery(subscription, event(1)), status: 'paused' as const };
    await world.store.pauseDelivery(stranded);
    // A resume wrote it pending and died before it queued it, 15 minutes ago: its note is still there.
    const claimed = new Date(START - 900_000).toISOString();
    await world.store.updateDelivery({ ...stranded, status: 'pending', queuedAt: claimed });
    // One resumed a minute ago by its writer, its message on its way, is not queued twice; its note
    // stays (its resumer may have died before the message) and `more` says to call again.
    const onItsWay = { ...newDelivery(subscription, event(3)), status: 'paused' as const };
    await world.store.pauseDelivery(onItsWay);
    const recently = new Date(START - 60_000).toISOString();
    await world.store.updateDelivery({ ...onItsWay, status: 'pending', queuedAt: recently });
    const old: Delivery = {
      ...newDelivery(subscription, {
        ...event(2),
        timestamp: new Date(START - 31 * 86_400_000).toISOString(),
      }),
      status: 'paused',
    };
    await world.store.pauseDelivery(old);
    // Another as old, which DynamoDB removed with its `ttl`, its note not yet.
    const removed = deliveryIdOf('wh_1', { id: 'evt_gone', timestamp: '2026-10-01T00:00:00.000Z' });
    world.paused.get('wh_1')?.add(removed);
    // And one as old resumed by its writer and delivered long ago: its note was left behind, not its event.
    const settled: Delivery = { ...old, id: deliveryIdOf('wh_1', { ...event(4), timestamp: old.createdAt }) };
    await world.store.pauseDelivery(settled);
    await world.store.updateDelivery({ ...settled, status: 'delivered', attempts: 1 });
    expect(await enableWebhook(deps, 'wh_1', 'zoe')).toMatchObject({ resumed: 1, expired: 2, more: true });
    // Under a claim taken over from the dead resume's, which a check of that claim then finds gone.
    expect(world.sent.map((s) => s.message)).toEqual([
      { deliveryId: stranded.id, subscriptionId: 'wh_1', queuedAt: new Date(START).toISOString() },
    ]);
    expect((await world.store.getDelivery('wh_1', stranded.id))?.queuedAt).toBe(
      new Date(START).toISOString(),
    );
    expect([...(world.paused.get('wh_1') ?? [])]).toEqual([onItsWay.id]);
    expect((await world.store.getDelivery('wh_1', old.id))?.status).toBe('paused');
  });

  it('keeps the note of a delivery an enable resumed and died before queuing, when it is enabled again within 15 minutes, and queues it after', async () => {
    await world.store.disableSubscription('wh_1', new Date(START).toISOString(), 'gone');
    // Tried before its subscription went: a backlog delivery, paused by the deliverer.
    const backlog: Delivery = {
      ...newDelivery(subscription, event(1)),
      status: 'paused',
      attempts: 1,
      firstAttemptAt: new Date(START - 50_000).toISOString(),
      lastAttemptAt: new Date(START - 50_000).toISOString(),
    };
    await world.store.pauseDelivery(backlog);
    // The first enable writes it pending and dies before its message (the Lambda's timeout, say).
    const dies = { send: async () => Promise.reject(new Error('timed out')) };
    await expect(enableWebhook({ ...deps, queue: dies }, 'wh_1', 'zoe')).rejects.toThrow('timed out');
    // The admin calls again a minute later: it may not send it (the first's message may be on its way)...
    let now = START + 60_000;
    const later = { ...deps, clock: { now: () => new Date(now) } };
    expect(await enableWebhook(later, 'wh_1', 'zoe')).toMatchObject({ resumed: 0, more: true });
    expect(world.sent).toEqual([]);
    // ...but once the resume's 15 minutes are over, a call sends it, once.
    now = START + 901_000;
    expect(await enableWebhook(later, 'wh_1', 'zoe')).toMatchObject({ resumed: 1, more: false });
    expect(world.sent.map((s) => s.message.deliveryId)).toEqual([backlog.id]);
    expect(await enableWebhook(later, 'wh_1', 'zoe')).toMatchObject({ resumed: 0, more: false });
    expect(world.sent).toHaveLength(1);
  });

  it('disables a subscription for an admin, audited, and leaves one already disabled as it was', async () => {
    const answer = await disableWebhook(deps, 'wh_1', 'zoe');
    expect(answer).toMatchObject({
      id: 'wh_1',
      disabledAt: new Date(START).toISOString(),
      disabledReason: 'disabled by an admin (zoe)',
    });
    expect(answer).not.toHaveProperty('secrets');
    expect(await world.store.getSubscription('wh_1')).toMatchObject({
      disabledAt: new Date(START).toISOString(),
      disabledReason: 'disabled by an admin (zoe)',
    });
    // Again, by another admin later: nothing changes, the first time and reason stand.
    const later = { ...deps, clock: { now: () => new Date(START + 60_000) } };
    expect(await disableWebhook(later, 'wh_1', 'ana')).toMatchObject({
      disabledAt: new Date(START).toISOString(),
      disabledReason: 'disabled by an admin (zoe)',
    });
    await expect(disableWebhook(deps, 'wh_9', 'zoe')).rejects.toBeInstanceOf(NotFoundError);
    // A replay waits for the enable, as after a 410; the enable takes it back into use.
    await world.store.createDelivery({ ...delivered(1), status: 'failed' });
    const replay = replayWebhookDelivery(
      deps,
      { subscriptionId: 'wh_1', deliveryId: delivered(1).id },
      'zoe',
    );
    await expect(replay).rejects.toMatchObject({ code: 'webhook_disabled' });
    expect((await enableWebhook(deps, 'wh_1', 'zoe')).disabledAt).toBeUndefined();
    const { records } = deps.audit as ReturnType<typeof memoryAuditLog>;
    expect(records.map((r) => [r.action, r.agentId, r.outcome, r.webhookId])).toEqual([
      ['webhook_disable', 'zoe', 'ok', 'wh_1'],
      ['webhook_disable', 'ana', 'ok', 'wh_1'],
      ['webhook_disable', 'zoe', 'not_found', 'wh_9'],
      ['webhook_replay', 'zoe', 'webhook_disabled', 'wh_1'],
      ['webhook_enable', 'zoe', 'ok', 'wh_1'],
    ]);
  });

  it('resumes a long paused backlog a page per call, answering that there is more', async () => {
    await world.store.disableSubscription('wh_1', new Date(START).toISOString(), 'gone');
    for (let n = 0; n < 520; n++) {
      await world.store.pauseDelivery({ ...newDelivery(subscription, event(n)), status: 'paused' });
    }
    expect(await enableWebhook(deps, 'wh_1', 'zoe')).toMatchObject({ resumed: 500, more: true });
    expect(await enableWebhook(deps, 'wh_1', 'zoe')).toMatchObject({ resumed: 20, more: false });
  });

  describe('creating', () => {
    let made = 0;
    const admin = () => ({
      webhooks: world.store,
      audit: memoryAuditLog(),
      clock: { now: () => new Date(START) },
      newId: () => `wh_new${++made}`,
      newSecret: () => `whsec_${Buffer.alloc(32, made).toString('base64')}`,
      urls: { allowLoopbackHttp: false },
    });
    const request = {
      url: 'https://crm.example.com/in',
      events: ['message.received', 'customer.erased'] as const,
    };

    it('refuses with 409 a second active subscription of the same URL and events, naming the first', async () => {
      const deps = admin();
      const first = await createWebhook(deps, { ...request, events: [...request.events] }, 'zoe');
      const again = createWebhook(
        deps,
        { ...request, events: ['customer.erased', 'message.received'] },
        'zoe',
      );
      await expect(again).rejects.toBeInstanceOf(ConflictError);
      await expect(again).rejects.toThrow(first.subscription.id);
      // Other events to the same URL are another subscription.
      await createWebhook(deps, { url: request.url, events: ['message.sent'] }, 'zoe');
      expect((await world.store.listSubscriptions()).filter((s) => s.url === request.url)).toHaveLength(2);
    });

    it('refuses the same URL written another way: an empty query, an escaped letter', async () => {
      const deps = admin();
      const first = await createWebhook(
        deps,
        { url: 'https://crm.example.com/er', events: ['message.sent'] },
        'zoe',
      );
      // The list lags (it may miss both): the guards alone must meet.
      const lagging = { ...deps, webhooks: { ...world.store, listSubscriptions: async () => [] } };
      for (const url of [
        'https://crm.example.com/er?',
        'https://crm.example.com/%65r',
        'https://crm.example.com/%65%72?',
      ]) {
        const again = createWebhook(lagging, { url, events: ['message.sent'] }, 'zoe');
        await expect(again).rejects.toMatchObject({ code: 'webhook_exists' });
        await expect(again).rejects.toThrow(first.subscription.id);
      }
    });

    it('refuses one of two creates of the same URL and events made at once, though the list misses both', async () => {
      const deps = admin();
      // The list is an index, read eventually consistent: right after a create it may not show it.
      const lagging = { ...deps, webhooks: { ...world.store, listSubscriptions: async () => [] } };
      const both = await Promise.allSettled([
        createWebhook(lagging, { ...request, events: [...request.events] }, 'zoe'),
        createWebhook(
          lagging,
          { url: 'https://CRM.example.com:443/in#x', events: ['customer.erased', 'message.received'] },
          'ana',
        ),
      ]);
      expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
      const [refused] = both.flatMap((b) => (b.status === 'rejected' ? [b.reason] : []));
      expect(refused).toBeInstanceOf(ConflictError);
      expect(refused).toMatchObject({ code: 'webhook_exists' });
      expect(world.subscriptions.size).toBe(2);
      // Deleted, its URL and events may be subscribed again; so they may while it is disabled.
      const kept = [...world.subscriptions.values()].find((s) => s.id !== 'wh_1');
      await deleteWebhook(lagging, kept?.id ?? '', 'zoe');
      const again = await createWebhook(lagging, { ...request, events: [...request.events] }, 'zoe');
      await world.store.disableSubscription(again.subscription.id, new Date(START).toISOString(), 'gone');
      const third = await createWebhook(lagging, { ...request, events: [...request.events] }, 'zoe');
      for (const { key } of eventGuardsOf(third.subscription)) {
        expect(world.guards.get(key)).toBe(third.subscription.id);
      }
    });

    it('answers a create retried with the same Idempotency-Key with the subscription it made, secret included', async () => {
      const deps = admin();
      const first = await createWebhook(deps, { ...request, events: [...request.events] }, 'zoe', 'key-1');
      const retried = await createWebhook(deps, { ...request, events: [...request.events] }, 'zoe', 'key-1');
      expect(first.created).toBe(true);
      expect(retried).toEqual({ subscription: first.subscription, created: false });
      expect((await world.store.listSubscriptions()).filter((s) => s.url === request.url)).toHaveLength(1);
      // The same key for another request is refused.
      const other = createWebhook(
        deps,
        { url: 'https://other.example.com/in', events: ['message.sent'] },
        'zoe',
        'key-1',
      );
      await expect(other).rejects.toBeInstanceOf(UnprocessableError);
      await expect(other).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      // So is the same URL and events with another description: it is not the request the key made.
      const described = createWebhook(
        deps,
        { ...request, events: [...request.events], description: 'billing CRM' },
        'zoe',
        'key-1',
      );
      await expect(described).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      await expect(described).rejects.toBeInstanceOf(UnprocessableError);
    });

    it('refuses a create retried with the Idempotency-Key of a subscription deleted since, never making its id again', async () => {
      const deps = admin();
      const first = await createWebhook(deps, { ...request, events: [...request.events] }, 'zoe', 'key-2');
      await deleteWebhook(deps, first.subscription.id, 'zoe');
      for (const retry of [request, { ...request, description: 'new one' }]) {
        const again = createWebhook(deps, { ...retry, events: [...retry.events] }, 'zoe', 'key-2');
        await expect(again).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      }
      expect(await world.store.getSubscription(first.subscription.id)).toBeUndefined();
      // A new key subscribes the same URL again, under another id.
      const fresh = await createWebhook(deps, { ...request, events: [...request.events] }, 'zoe', 'key-3');
      expect(fresh.created).toBe(true);
      expect(fresh.subscription.id).not.toBe(first.subscription.id);
    });
  });
});
