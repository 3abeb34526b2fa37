import { beforeEach, describe, expect, it } from 'vitest';
import { REPLAYS_PER_CALL, replayFailedDeliveries } from '#shared/app/replay-failed-deliveries.js';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import { type Delivery, newDelivery } from '#shared/domain/webhooks.js';
import { ConflictError, NotFoundError, ValidationError } from '#shared/errors.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks, subscriptionTo } from '../../fakes/webhook-store.js';

const START = Date.parse('2026-12-05T09:00:00.000Z');
const HOUR = 3_600_000;
const subscription = subscriptionTo(['message.received', 'customer.erased']);
/** The n-th message event, of customer `cu_<n % 3>`, made n minutes after `from`. */
const event = (n: number, from: number): IntegrationEvent => ({
  id: `evt_${n}`,
  type: 'message.received',
  timestamp: new Date(from + n * 60_000).toISOString(),
  data: { customerId: `cu_${n % 3}`, conversationId: 'cv_1', messageId: `whatsapp:wamid.${n}`, text: 'hi' },
});
/** A delivery given up on after its 24-hour window: seven attempts, the endpoint down. */
const failed = (n: number, from = START - 30 * HOUR): Delivery => ({
  ...newDelivery(subscription, event(n, from)),
  status: 'failed',
  attempts: 7,
  firstAttemptAt: new Date(from).toISOString(),
  lastAttemptAt: new Date(from + 24 * HOUR).toISOString(),
  lastStatus: 503,
  lastError: 'HTTP 503',
});

describe('replaying the failed deliveries since a time', () => {
  let world: ReturnType<typeof memoryWebhooks>;
  let erased: Set<string>;
  let deps: Parameters<typeof replayFailedDeliveries>[0];
  const since = new Date(START - 31 * HOUR).toISOString();

  beforeEach(async () => {
    world = memoryWebhooks();
    erased = new Set();
    deps = {
      webhooks: { ...world.store, isErased: async (id) => erased.has(id) },
      queue: world.queue,
      audit: memoryAuditLog(),
      clock: { now: () => new Date(START) },
      cursors: pageCursors(undefined),
    };
    await world.store.putSubscription(subscription);
  });

  it('sends again each failed one made since then, spread out, with a new window and its history; once', async () => {
    const outage = Array.from({ length: 30 }, (_, n) => failed(n));
    const before = failed(99, START - 40 * HOUR);
    const delivered: Delivery = {
      ...failed(50),
      status: 'delivered',
      deliveredAt: new Date(START - HOUR).toISOString(),
    };
    for (const d of [...outage, before, delivered]) await world.store.createDelivery(d);

    expect(await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'zoe')).toEqual({
      replayed: 30,
      gone: 0,
      cursor: null,
    });
    for (const d of outage) {
      const now = await world.store.getDelivery('wh_1', d.id);
      expect(now).toMatchObject({
        status: 'pending',
        attempts: 0,
        priorAttempts: 7,
        replayedAt: new Date(START).toISOString(),
      });
      expect(now?.firstAttemptAt).toBeUndefined();
    }
    expect((await world.store.getDelivery('wh_1', before.id))?.status).toBe('failed');
    expect((await world.store.getDelivery('wh_1', delivered.id))?.status).toBe('delivered');
    expect(world.sent.map((s) => s.message.deliveryId).sort()).toEqual(outage.map((d) => d.id).sort());
    // Ten a second: the endpoint that just came back is not sent the whole backlog at once.
    expect(world.sent.map((s) => s.delaySeconds)).toEqual(
      Array.from({ length: 30 }, (_, i) => Math.floor(i / 10)),
    );
    // Called again (a retry, a double click): what went out is pending, not failed, so nothing twice.
    expect(await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'zoe')).toEqual({
      replayed: 0,
      gone: 0,
      cursor: null,
    });
    expect(world.sent).toHaveLength(30);
  });

  it('sends again one made since then of a message the provider sent late, timed days before; not one made before', async () => {
    // Timed 3 days before the outage began, made by Threadline an hour into it (Meta sent it again late).
    const late: Delivery = {
      ...failed(7, START - 3 * 24 * HOUR),
      madeAt: new Date(START - 30 * HOUR).toISOString(),
    };
    const old = failed(8, START - 3 * 24 * HOUR);
    // Past the 7 days an event may come late: the replay reads no further.
    const ancient = {
      ...failed(9, START - 9 * 24 * HOUR),
      madeAt: new Date(START - 30 * HOUR).toISOString(),
    };
    for (const d of [late, old, ancient]) await world.store.createDelivery(d);
    const result = await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'zoe');
    expect(result).toEqual({ replayed: 1, gone: 0, cursor: null });
    expect(world.sent.map((s) => s.message.deliveryId)).toEqual([late.id]);
  });

  it("goes a page of the log a call (follow the cursor), and sends nothing of an erased customer's", async () => {
    const outage = Array.from({ length: REPLAYS_PER_CALL + 20 }, (_, n) => failed(n));
    for (const d of outage) await world.store.createDelivery(d);
    erased.add('cu_1');
    const first = await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'zoe');
    expect(first.cursor).not.toBeNull();
    expect(first.replayed + first.gone).toBe(REPLAYS_PER_CALL);
    const second = await replayFailedDeliveries(
      deps,
      { subscriptionId: 'wh_1', since, cursor: first.cursor ?? undefined },
      'zoe',
    );
    expect(second).toMatchObject({ cursor: null });
    const ofErased = outage.filter((d) => d.customerId === 'cu_1').length;
    expect([first.gone + second.gone, first.replayed + second.replayed]).toEqual([
      ofErased,
      outage.length - ofErased,
    ]);
    expect(world.sent.some((s) => s.message.deliveryId === outage[1]?.id)).toBe(false);
    expect((await world.store.getDelivery('wh_1', outage[1]?.id ?? ''))?.status).toBe('failed');
  });

  it('refuses while the subscription is disabled (409) or unknown (404), and audits every call', async () => {
    await world.store.createDelivery(failed(1));
    await world.store.disableSubscription(
      'wh_1',
      new Date(START).toISOString(),
      'the endpoint answered 410 Gone',
    );
    const refused = replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'zoe');
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(/enable it first/);
    await expect(
      replayFailedDeliveries(deps, { subscriptionId: 'wh_9', since }, 'zoe'),
    ).rejects.toBeInstanceOf(NotFoundError);
    await world.store.enableSubscription('wh_1');
    await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'zoe');
    const { records } = deps.audit as ReturnType<typeof memoryAuditLog>;
    expect(records.map((r) => [r.action, r.webhookId, r.outcome, r.customerIds])).toEqual([
      ['webhook_replay_failed', 'wh_1', 'webhook_disabled', []],
      ['webhook_replay_failed', 'wh_9', 'not_found', []],
      ['webhook_replay_failed', 'wh_1', 'ok', ['cu_1']],
    ]);
  });

  it('sends again the delivered ones too when asked (an endpoint that answered 2xx and lost them), audited apart', async () => {
    const outage = Array.from({ length: 4 }, (_, n) => failed(n));
    const acknowledged = Array.from({ length: 3 }, (_, n) => ({
      ...failed(10 + n),
      status: 'delivered' as const,
      attempts: 1,
      deliveredAt: new Date(START - 20 * HOUR).toISOString(),
    }));
    for (const d of [...outage, ...acknowledged]) await world.store.createDelivery(d);
    const input = { subscriptionId: 'wh_1', since, statuses: ['delivered' as const] };
    expect(await replayFailedDeliveries(deps, input, 'zoe')).toEqual({ replayed: 3, gone: 0, cursor: null });
    expect(world.sent.map((s) => s.message.deliveryId).sort()).toEqual(acknowledged.map((d) => d.id).sort());
    // Its history kept: when it was delivered, the attempt before.
    expect(await world.store.getDelivery('wh_1', acknowledged[0]?.id ?? '')).toMatchObject({
      status: 'pending',
      priorAttempts: 1,
      deliveredAt: new Date(START - 20 * HOUR).toISOString(),
    });
    const both = { ...input, statuses: ['failed' as const, 'delivered' as const] };
    expect(await replayFailedDeliveries(deps, both, 'ana')).toMatchObject({ replayed: 4 });
    // The default is the failed ones only, under its published name.
    expect(await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since }, 'bo')).toMatchObject({
      replayed: 0,
    });
    const { records } = deps.audit as ReturnType<typeof memoryAuditLog>;
    expect(records.map((r) => [r.action, r.agentId, r.outcome])).toEqual([
      ['webhook_replay_delivered', 'zoe', 'ok'],
      ['webhook_replay_delivered', 'ana', 'ok'],
      ['webhook_replay_failed', 'bo', 'ok'],
    ]);
  });

  it('refuses a since after now (a mistyped year): nothing replayed, the refusal audited', async () => {
    await world.store.createDelivery(failed(1));
    const later = new Date(START + 1000).toISOString();
    const refused = replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since: later }, 'zoe');
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow(/^since must not be after now/);
    expect(world.sent).toEqual([]);
    const audit = deps.audit as ReturnType<typeof memoryAuditLog>;
    expect(audit.records.map((r) => [r.action, r.outcome])).toEqual([
      ['webhook_replay_failed', 'invalid_request'],
    ]);
    // Now itself is no later than now.
    const now = new Date(START).toISOString();
    expect(await replayFailedDeliveries(deps, { subscriptionId: 'wh_1', since: now }, 'zoe')).toMatchObject({
      replayed: 0,
    });
  });
});
