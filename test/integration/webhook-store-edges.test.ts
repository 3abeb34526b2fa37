import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createWebhook } from '#shared/app/create-webhook.js';
import { deleteWebhook } from '#shared/app/delete-webhook.js';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import { newDelivery, type Subscription } from '#shared/domain/webhooks.js';
import { ConflictError } from '#shared/errors.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useLocalStore } from '../support/local-store.js';
import { memoryAuditLog } from '../unit/fakes/audit-log.js';

const AT = '2026-12-05T09:00:00.000Z';
const TABLE = 'webhook-store-edges';
const subscription = (id: string): Subscription => ({
  id,
  url: `https://hooks.example.com/${id}`,
  events: ['message.received'],
  createdAt: AT,
  createdBy: 'zoe',
  secrets: [{ secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }],
  consecutiveFailures: 0,
});
const event = (n: number): IntegrationEvent => ({
  id: `evt_${n}`,
  type: 'message.received',
  timestamp: new Date(Date.parse(AT) + n).toISOString(),
  data: { customerId: 'cu_1', conversationId: 'cv_1', messageId: `whatsapp:wamid.${n}`, text: 'hi' },
});
const later = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();

/** The webhook repository's edges, on the real DynamoDB API (dynalite). */
describe('webhook repository edges', () => {
  const local = useLocalStore(TABLE);

  it('never shortens a hold: a shorter Retry-After after a longer one leaves the longer', async () => {
    const store = local.repos.webhooks;
    await store.putSubscription(subscription('wh_hold'));
    await store.openBreaker('wh_hold', later(3_600_000));
    await store.openBreaker('wh_hold', later(30_000));
    expect((await store.getSubscription('wh_hold'))?.circuitOpenUntil).toBe(later(3_600_000));
    await store.openBreaker('wh_hold', later(7_200_000));
    expect((await store.getSubscription('wh_hold'))?.circuitOpenUntil).toBe(later(7_200_000));
    // Once closed, a short hold opens it again.
    await store.resetBreaker('wh_hold');
    await store.openBreaker('wh_hold', later(30_000));
    expect((await store.getSubscription('wh_hold'))?.circuitOpenUntil).toBe(later(30_000));
  });

  it('answers more: false when exactly a page of paused deliveries is left, and true when one more is', async () => {
    const store = local.repos.webhooks;
    await store.putSubscription(subscription('wh_page'));
    const paused = [1, 2, 3, 4, 5].map((n) => ({
      ...newDelivery({ id: 'wh_page' }, event(n)),
      status: 'paused' as const,
    }));
    for (const delivery of paused) await store.pauseDelivery(delivery);
    const all = await store.pausedDeliveries('wh_page', 5);
    expect({ ids: [...all.ids].sort(), more: all.more }).toEqual({
      ids: paused.map((d) => d.id).sort(),
      more: false,
    });
    expect((await store.pausedDeliveries('wh_page', 4)).more).toBe(true);
    await store.pauseDelivery({ ...newDelivery({ id: 'wh_page' }, event(6)), status: 'paused' });
    const page = await store.pausedDeliveries('wh_page', 5);
    expect(page.ids).toHaveLength(5);
    expect(page.more).toBe(true);
  });

  it('spreads the notes of paused deliveries over the log’s shards, and still reads and forgets one written before', async () => {
    const store = local.repos.webhooks;
    await store.putSubscription(subscription('wh_shards'));
    const held = Array.from({ length: 16 }, (_, n) => ({
      ...newDelivery({ id: 'wh_shards' }, event(100 + n)),
      status: 'paused' as const,
    }));
    for (const delivery of held) expect(await store.createDelivery(delivery)).toBe(true);
    // One note as this version's predecessor wrote it: the one partition of the subscription.
    const legacy = { ...newDelivery({ id: 'wh_shards' }, event(200)), status: 'paused' as const };
    await store.updateDelivery(legacy);
    const doc = documentClient(local.dynamo.client);
    await doc.send(
      new PutCommand({ TableName: TABLE, Item: { pk: 'WEBHOOK_PAUSED#wh_shards', sk: legacy.id } }),
    );
    const notes = await doc.send(new ScanCommand({ TableName: TABLE }));
    const partitions = new Set(
      (notes.Items ?? [])
        .map((item) => String(item.pk))
        .filter((pk) => pk.startsWith('WEBHOOK_PAUSED#wh_shards')),
    );
    expect(partitions.size).toBeGreaterThan(2);
    const page = await store.pausedDeliveries('wh_shards', 100);
    expect([...page.ids].sort()).toEqual([...held, legacy].map((d) => d.id).sort());
    for (const id of page.ids) await store.forgetPaused('wh_shards', id);
    expect(await store.pausedDeliveries('wh_shards', 100)).toEqual({ ids: [], more: false });
  });

  it('makes one subscription of two creates of the same URL and events at once, and another once it is deleted', async () => {
    let made = 0;
    const deps = {
      webhooks: local.repos.webhooks,
      audit: memoryAuditLog(),
      clock: { now: () => new Date(AT) },
      newId: () => `wh_race${++made}`,
      newSecret: () => `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
      urls: { allowLoopbackHttp: false },
    };
    const request = { url: 'https://crm.example.com/race', events: ['customer.created' as const] };
    const both = await Promise.allSettled([
      createWebhook(deps, request, 'zoe'),
      createWebhook(deps, request, 'ana'),
    ]);
    expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = both.find((b) => b.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(ConflictError);
    const listed = (await local.repos.webhooks.listSubscriptions()).filter((s) => s.url === request.url);
    expect(listed).toHaveLength(1);
    await deleteWebhook(deps, listed[0]?.id ?? '', 'zoe');
    expect((await createWebhook(deps, request, 'zoe')).created).toBe(true);
  });
});
