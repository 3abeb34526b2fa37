import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhook, type WebhookRequest } from '#shared/app/create-webhook.js';
import { deleteWebhook } from '#shared/app/delete-webhook.js';
import { updateWebhook } from '#shared/app/update-webhook.js';
import { EVENT_TYPES } from '#shared/domain/events/event-types.js';
import { subscriptionKeyOf, takes } from '#shared/domain/webhooks.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const AT = '2026-12-06T09:00:00.000Z';
const URL = 'https://crm.example.com/in';

/** `["*"]`: every event type, those added later too, and one URL still takes each event once. */
describe('a webhook subscription to all events', () => {
  let world: ReturnType<typeof memoryWebhooks>;
  let made: number;
  const deps = () => ({
    webhooks: world.store,
    audit: memoryAuditLog(),
    clock: { now: () => new Date(AT) },
    newId: () => `wh_${++made}`,
    newSecret: () => `whsec_${Buffer.alloc(32, made).toString('base64')}`,
    urls: { allowLoopbackHttp: false },
  });
  /** The list is an index, read eventually consistent: right after a create it may not show it. */
  const lagging = () => ({ ...deps(), webhooks: { ...world.store, listSubscriptions: async () => [] } });
  const create = async (request: WebhookRequest, from = deps()) =>
    (await createWebhook(from, request, 'zoe')).subscription;

  beforeEach(() => {
    world = memoryWebhooks();
    made = 0;
  });

  it('takes every type, a type it was never told of included, and is stored as "*"', async () => {
    const all = await create({ url: URL, events: ['*'] });
    expect(world.subscriptions.get(all.id)?.events).toEqual(['*']);
    for (const type of EVENT_TYPES) expect(takes(all, { type })).toBe(true);
    // A type added after it was made (one this version does not know) is taken as well.
    expect(takes(all, { type: 'ticket.escalated' as never })).toBe(true);
    expect(takes({ events: ['message.received'] }, { type: 'sla.warning' })).toBe(false);
  });

  it('is refused beside another active subscription of the URL, either way round, even when the list misses it', async () => {
    const one = await create({ url: URL, events: ['sla.warning'] }, lagging());
    await expect(create({ url: URL, events: ['*'] }, lagging())).rejects.toMatchObject({
      code: 'webhook_exists',
      message: expect.stringContaining(`webhook ${one.id} already posts sla.warning`),
    });
    expect([...world.subscriptions.keys()]).toEqual([one.id]);
    await deleteWebhook(deps(), one.id, 'zoe');
    const all = await create({ url: URL, events: ['*'] }, lagging());
    for (const events of [['message.received'], ['*']] as const) {
      await expect(create({ url: URL, events: [...events] }, lagging())).rejects.toMatchObject({
        code: 'webhook_exists',
        message: expect.stringContaining(`webhook ${all.id} already posts`),
      });
    }
    await expect(create({ url: URL, events: ['*'] })).rejects.toThrow(
      `webhook ${all.id} already posts every event to this URL`,
    );
    // Another URL is another endpoint.
    await create({ url: 'https://erp.example.com/in', events: ['message.received'] }, lagging());
    expect(world.subscriptions.size).toBe(2);
  });

  it('refuses one of two creates at once, all events and one, though the list misses both', async () => {
    const both = await Promise.allSettled([
      createWebhook(lagging(), { url: URL, events: ['*'] }, 'zoe'),
      createWebhook(lagging(), { url: URL, events: ['voicemail.received'] }, 'ana'),
    ]);
    expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(world.subscriptions.size).toBe(1);
  });

  it('is refused at a subscription made before a type existed when another asks for that type (the list)', async () => {
    await create({ url: URL, events: ['*'] });
    // Made by a version that knew fewer types: it holds no guard of the newer one.
    world.guards.delete(subscriptionKeyOf({ url: URL, events: ['conversation.woke'] }));
    expect(world.guards.size).toBeGreaterThan(0);
    await expect(create({ url: URL, events: ['conversation.woke'] })).rejects.toMatchObject({
      code: 'webhook_exists',
    });
  });

  it('edits one subscription to all events and back, freeing what it gives up', async () => {
    const one = await create({ url: URL, events: ['message.received'] });
    const edited = await updateWebhook(deps(), one.id, { events: ['*'] }, 'zoe');
    expect(edited.events).toEqual(['*']);
    await expect(create({ url: URL, events: ['csat.received'] }, lagging())).rejects.toMatchObject({
      code: 'webhook_exists',
    });
    const back = await updateWebhook(deps(), one.id, { events: ['message.sent'] }, 'zoe');
    expect(back.events).toEqual(['message.sent']);
    await create({ url: URL, events: ['csat.received'] }, lagging());
    await expect(create({ url: URL, events: ['message.sent'] }, lagging())).rejects.toMatchObject({
      code: 'webhook_exists',
    });
    // Another subscription of the URL makes an edit to all events a 409 that changes nothing.
    await expect(updateWebhook(lagging(), one.id, { events: ['*'] }, 'zoe')).rejects.toMatchObject({
      code: 'webhook_exists',
    });
    expect(world.subscriptions.get(one.id)?.events).toEqual(['message.sent']);
    await expect(create({ url: URL, events: ['message.received'] }, lagging())).resolves.toBeDefined();
  });
});
