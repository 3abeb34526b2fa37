import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhook, type WebhookRequest } from '#shared/app/create-webhook.js';
import { deleteWebhook } from '#shared/app/delete-webhook.js';
import { updateWebhook } from '#shared/app/update-webhook.js';
import { eventGuardsOf, type Subscription, subscriptionKeyOf } from '#shared/domain/webhooks.js';
import { ConflictError, NotFoundError } from '#shared/errors.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const AT = '2026-12-05T09:00:00.000Z';
const URL = 'https://crm.example.com/in';

describe('webhook subscriptions: one URL, each event posted once', () => {
  let world: ReturnType<typeof memoryWebhooks>;
  let audit: ReturnType<typeof memoryAuditLog>;
  let made: number;
  const deps = () => ({
    webhooks: world.store,
    audit,
    clock: { now: () => new Date(AT) },
    newId: () => `wh_${++made}`,
    newSecret: () => `whsec_${Buffer.alloc(32, made).toString('base64')}`,
    urls: { allowLoopbackHttp: false },
  });
  /** The list is an index, read eventually consistent: right after a create it may not show it. */
  const lagging = () => ({ ...deps(), webhooks: { ...world.store, listSubscriptions: async () => [] } });
  const create = async (request: WebhookRequest) =>
    (await createWebhook(deps(), request, 'zoe')).subscription;

  beforeEach(() => {
    world = memoryWebhooks();
    audit = memoryAuditLog();
    made = 0;
  });

  it('refuses with 409 a second active subscription of the URL whose events overlap the first’s, naming it', async () => {
    const first = await create({ url: URL, events: ['message.received', 'message.sent'] });
    const overlapping = createWebhook(
      deps(),
      { url: 'https://CRM.example.com:443/in', events: ['message.sent', 'csat.received'] },
      'zoe',
    );
    await expect(overlapping).rejects.toMatchObject({ code: 'webhook_exists' });
    await expect(overlapping).rejects.toThrow(`webhook ${first.id} already posts message.sent`);
    await expect(overlapping).rejects.toThrow(`PATCH /api/webhooks/${first.id}`);
    // The events it does not share are another subscription's to take.
    await create({ url: URL, events: ['csat.received'] });
    expect(world.subscriptions.size).toBe(2);
    // The refusal is audited naming the subscription to edit.
    expect(audit.records.map((r) => [r.action, r.outcome, r.webhookId])).toContainEqual([
      'webhook_create',
      'webhook_exists',
      first.id,
    ]);
  });

  it('refuses one of two creates of the URL with overlapping events made at once, though the list misses both', async () => {
    const both = await Promise.allSettled([
      createWebhook(lagging(), { url: URL, events: ['message.received', 'message.sent'] }, 'zoe'),
      createWebhook(lagging(), { url: URL, events: ['message.sent', 'csat.received'] }, 'ana'),
    ]);
    expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((b) => b.status === 'rejected')?.reason).toBeInstanceOf(ConflictError);
    // The refused one left no subscription and no guard behind.
    const [kept] = [...world.subscriptions.values()] as [Subscription];
    expect(world.subscriptions.size).toBe(1);
    expect(new Set(world.guards.values())).toEqual(new Set([kept.id]));
    expect(world.guards.size).toBe(2);
  });

  it('changes the events of a subscription, its secret and URL kept, and frees the events it gave up', async () => {
    const first = await create({ url: URL, events: ['message.received', 'message.sent'] });
    const edited = await updateWebhook(
      deps(),
      first.id,
      { events: ['message.sent', 'csat.received'] },
      'zoe',
    );
    expect(edited).toMatchObject({ id: first.id, url: URL, events: ['message.sent', 'csat.received'] });
    expect(edited).not.toHaveProperty('secrets');
    expect(world.subscriptions.get(first.id)?.secrets).toEqual(first.secrets);
    expect(world.subscriptions.get(first.id)?.revision).toBe(edited.revision);
    // What it gave up may be taken by another; what it took may not.
    await create({ url: URL, events: ['message.received'] });
    await expect(create({ url: URL, events: ['csat.received'] })).rejects.toMatchObject({
      code: 'webhook_exists',
    });
    // The same edit again writes nothing.
    const again = await updateWebhook(deps(), first.id, { events: ['csat.received', 'message.sent'] }, 'zoe');
    expect(again).toEqual(edited);
    expect(audit.records.filter((r) => r.action === 'webhook_update').map((r) => r.outcome)).toEqual([
      'ok',
      'ok',
    ]);
  });

  it('refuses an edit that would post an event another active subscription posts to the URL, changing nothing', async () => {
    const first = await create({ url: URL, events: ['message.received'] });
    const second = await create({ url: URL, events: ['message.sent'] });
    const edit = updateWebhook(lagging(), second.id, { events: ['message.sent', 'message.received'] }, 'zoe');
    await expect(edit).rejects.toMatchObject({ code: 'webhook_exists' });
    await expect(edit).rejects.toThrow(first.id);
    expect(world.subscriptions.get(second.id)?.events).toEqual(['message.sent']);
    expect(world.guards.get(eventGuardsOf(first)[0]?.key ?? '')).toBe(first.id);
    // Once the first is disabled (or deleted), its events may be taken.
    await world.store.disableSubscription(first.id, AT, 'gone');
    await updateWebhook(lagging(), second.id, { events: ['message.sent', 'message.received'] }, 'zoe');
    expect(world.guards.get(eventGuardsOf(first)[0]?.key ?? '')).toBe(second.id);
  });

  it('lets one of an edit and a create that take the same event at once have it', async () => {
    const first = await create({ url: URL, events: ['message.sent'] });
    const both = await Promise.allSettled([
      updateWebhook(lagging(), first.id, { events: ['message.sent', 'csat.received'] }, 'zoe'),
      createWebhook(lagging(), { url: URL, events: ['csat.received'] }, 'ana'),
    ]);
    expect(both.filter((b) => b.status === 'rejected')).toHaveLength(1);
    const takers = [...world.subscriptions.values()].filter((s) => s.events.includes('csat.received'));
    expect(takers).toHaveLength(1);
  });

  it('edits or clears the description alone, and answers 404 for a subscription gone', async () => {
    const first = await create({ url: URL, events: ['message.sent'], description: 'CRM' });
    expect(await updateWebhook(deps(), first.id, { description: 'CRM sync' }, 'zoe')).toMatchObject({
      description: 'CRM sync',
      events: ['message.sent'],
    });
    expect(await updateWebhook(deps(), first.id, { description: '' }, 'zoe')).not.toHaveProperty(
      'description',
    );
    await expect(updateWebhook(deps(), 'wh_none', { description: 'x' }, 'zoe')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // Deleted between the edit's read and its write: 404, not a subscription written back.
    const racing = {
      ...deps(),
      webhooks: {
        ...world.store,
        editSubscription: async (...args: Parameters<typeof world.store.editSubscription>) => {
          await deleteWebhook(deps(), first.id, 'ana');
          return world.store.editSubscription(...args);
        },
      },
    };
    await expect(
      updateWebhook(racing, first.id, { events: ['csat.received'] }, 'zoe'),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(world.subscriptions.size).toBe(0);
    expect(world.guards.size).toBe(0);
  });

  it('refuses with 409 an edit that lost to another edit of the same subscription', async () => {
    const first = await create({ url: URL, events: ['message.sent'] });
    const racing = {
      ...deps(),
      webhooks: {
        ...world.store,
        editSubscription: async (...args: Parameters<typeof world.store.editSubscription>) => {
          racing.webhooks.editSubscription = world.store.editSubscription;
          await updateWebhook(deps(), first.id, { description: 'theirs' }, 'ana');
          return world.store.editSubscription(...args);
        },
      },
    };
    const edit = updateWebhook(racing, first.id, { description: 'mine' }, 'zoe');
    await expect(edit).rejects.toMatchObject({ code: 'webhook_busy' });
    expect(world.subscriptions.get(first.id)?.description).toBe('theirs');
  });

  it('lets a delete free every event’s guard, and the set’s guard of a subscription made before them', async () => {
    const old = await create({ url: URL, events: ['message.sent', 'message.received'] });
    world.guards.set(subscriptionKeyOf(old), old.id);
    await deleteWebhook(deps(), old.id, 'zoe');
    expect(world.guards.size).toBe(0);
  });
});
