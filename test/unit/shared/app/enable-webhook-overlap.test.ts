import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhook, type WebhookRequest } from '#shared/app/create-webhook.js';
import { disableWebhook } from '#shared/app/disable-webhook.js';
import { enableWebhook } from '#shared/app/enable-webhook.js';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { eventGuardsOf, newDelivery, type Subscription } from '#shared/domain/webhooks.js';
import { ConflictError } from '#shared/errors.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const AT = '2026-12-05T09:00:00.000Z';
const URL = 'https://crm.example.com/in';
const held: IntegrationEvent = {
  id: 'evt_1',
  type: 'message.received',
  timestamp: AT,
  data: { customerId: 'cu_1', conversationId: 'cv_1', messageId: 'whatsapp:wamid.1', text: 'hi' },
};

describe('enabling a subscription another now overlaps at its URL', () => {
  let world: ReturnType<typeof memoryWebhooks>;
  let audit: ReturnType<typeof memoryAuditLog>;
  let made: number;
  const deps = (webhooks: WebhookStore = world.store) => ({
    webhooks,
    queue: world.queue,
    audit,
    clock: { now: () => new Date(AT) },
    newId: () => `wh_${++made}`,
    newSecret: () => `whsec_${Buffer.alloc(32, made).toString('base64')}`,
    urls: { allowLoopbackHttp: false },
  });
  /** The list is an index, read eventually consistent: right after a create it may not show it. */
  const lagging = (store: WebhookStore = world.store) =>
    deps({ ...store, listSubscriptions: async () => [] });
  const create = async (request: WebhookRequest, d = deps()) =>
    (await createWebhook(d, request, 'zoe')).subscription;
  const active = () => [...world.subscriptions.values()].filter((s) => !s.disabledAt);

  beforeEach(() => {
    world = memoryWebhooks();
    audit = memoryAuditLog();
    made = 0;
  });

  /** A disabled, with a delivery held; B made meanwhile at its URL, taking one of its events. */
  async function disabledThenTwin(d = deps()): Promise<{ a: Subscription; b: Subscription }> {
    const a = await create({ url: URL, events: ['message.received', 'message.sent'] });
    await disableWebhook(deps(), a.id, 'zoe');
    await world.store.pauseDelivery({ ...newDelivery(a, held), status: 'paused' });
    const b = await create({ url: 'https://CRM.example.com:443/in', events: ['message.received'] }, d);
    return { a, b };
  }

  it('refuses with 409 webhook_exists naming the other and the shared events, resuming nothing, audited', async () => {
    const { a, b } = await disabledThenTwin();
    for (const d of [deps(), lagging()]) {
      const enabling = enableWebhook(d, a.id, 'ana');
      await expect(enabling).rejects.toBeInstanceOf(ConflictError);
      await expect(enabling).rejects.toMatchObject({ code: 'webhook_exists' });
      await expect(enabling).rejects.toThrow(`webhook ${b.id} already posts message.received to this URL`);
    }
    // Still disabled as it was, its held delivery still held, the guard still B's.
    const kept = world.subscriptions.get(a.id);
    expect(kept?.disabledAt).toBe(AT);
    expect(kept?.disabledReason).toBe('disabled by an admin (zoe)');
    expect(world.sent).toEqual([]);
    expect(world.paused.get(a.id)?.size).toBe(1);
    expect(active().map((s) => s.id)).toEqual([b.id]);
    const [shared] = eventGuardsOf({ url: URL, events: ['message.received'] });
    expect(world.guards.get(shared?.key ?? '')).toBe(b.id);
    const refusals = audit.records.filter((r) => r.action === 'webhook_enable');
    expect(refusals.map((r) => [r.agentId, r.webhookId, r.outcome])).toEqual([
      ['ana', a.id, 'webhook_exists'],
      ['ana', a.id, 'webhook_exists'],
    ]);
  });

  it('enables it once the other no longer takes the shared events, resuming what it held', async () => {
    const { a, b } = await disabledThenTwin();
    await disableWebhook(deps(), b.id, 'zoe');
    const enabled = await enableWebhook(lagging(), a.id, 'ana');
    expect(enabled).toMatchObject({ id: a.id, resumed: 1 });
    expect(enabled.disabledAt).toBeUndefined();
    for (const { key } of eventGuardsOf(a)) expect(world.guards.get(key)).toBe(a.id);
    // B, disabled now, is the one refused to come back.
    await expect(enableWebhook(lagging(), b.id, 'ana')).rejects.toThrow(`webhook ${a.id} already posts`);
  });

  it('lets one of an enable and a create landing at once through, never both', async () => {
    const a = await create({ url: URL, events: ['message.received', 'message.sent'] });
    await disableWebhook(deps(), a.id, 'zoe');
    // The create reads A disabled, then A's enable runs to its end, then the create takes A's guard.
    let raced = false;
    const racing: WebhookStore = {
      ...world.store,
      getSubscription: async (id, read) => {
        const found = await world.store.getSubscription(id, read);
        if (id === a.id && !raced) {
          raced = true;
          await enableWebhook(lagging(), a.id, 'ana');
        }
        return found;
      },
    };
    const creating = create({ url: URL, events: ['message.received'] }, lagging(racing));
    await expect(creating).rejects.toMatchObject({ code: 'webhook_exists' });
    expect(raced).toBe(true);
    expect(active().map((s) => s.id)).toEqual([a.id]);
    for (const { key } of eventGuardsOf(a)) expect(world.guards.get(key)).toBe(a.id);
  });
});
