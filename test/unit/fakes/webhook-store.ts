import type { EventType } from '#shared/domain/events/integration-events.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import type { Delivery, DeliveryMessage, Subscription } from '#shared/domain/webhooks.js';

/** A use-case test's subscription `wh_1` to an https endpoint, taking `events`, signed with one secret. */
export const subscriptionTo = (events: EventType[]): Subscription => ({
  id: 'wh_1',
  url: 'https://hooks.example.com/t',
  events,
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'zoe',
  secrets: [{ secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }],
  consecutiveFailures: 0,
});

/** An in-memory WebhookStore and delivery queue, for use-case tests. */
export function memoryWebhooks() {
  const subscriptions = new Map<string, Subscription>();
  const deliveries = new Map<string, Delivery>();
  const sent: Array<{ message: DeliveryMessage; delaySeconds: number }> = [];
  const paused = new Map<string, Set<string>>();
  /** The subscription holding each URL and events' guard. */
  const guards = new Map<string, string>();
  /** The subscriptions an admin deleted. */
  const gone = new Set<string>();
  /** The subscription and time each keyed rotation noted. */
  const rotations = new Map<string, { subscriptionId: string; at: string }>();
  const store: WebhookStore = {
    putSubscription: async (s) => void subscriptions.set(s.id, structuredClone(s)),
    getSubscription: async (id) => structuredClone(subscriptions.get(id)),
    listSubscriptions: async () => [...subscriptions.values()],
    deleteSubscription: async (id, revision) => {
      const s = subscriptions.get(id);
      if (revision !== undefined && (!s || (s.revision ?? 0) !== revision)) return false;
      return subscriptions.delete(id) || revision === undefined;
    },
    markDeleted: async (id) => void gone.add(id),
    wasDeleted: async (id) => gone.has(id),
    claimSubscriptionKey: async (key, id, from) => {
      const owner = guards.get(key);
      if (owner !== undefined && owner !== id && owner !== from) return false;
      guards.set(key, id);
      return true;
    },
    subscriptionKeyOwner: async (key) => guards.get(key),
    releaseSubscriptionKey: async (key, id) => {
      if (guards.get(key) === id) guards.delete(key);
    },
    countFailure: async (id) => {
      const s = subscriptions.get(id) as Subscription;
      s.consecutiveFailures += 1;
      return s.consecutiveFailures;
    },
    openBreaker: async (id, until) => {
      const s = subscriptions.get(id) as Subscription;
      if (!s.circuitOpenUntil || s.circuitOpenUntil < until) s.circuitOpenUntil = until;
    },
    resetBreaker: async (id) => {
      const s = subscriptions.get(id) as Subscription;
      s.consecutiveFailures = 0;
      delete s.circuitOpenUntil;
    },
    disableSubscription: async (id, at, reason) =>
      void Object.assign(subscriptions.get(id) as Subscription, { disabledAt: at, disabledReason: reason }),
    enableSubscription: async (id) => {
      const s = subscriptions.get(id) as Subscription;
      delete s.disabledAt;
      delete s.disabledReason;
      delete s.circuitOpenUntil;
      s.consecutiveFailures = 0;
    },
    editSubscription: async (id, revision, edit) => {
      const s = subscriptions.get(id);
      if (!s || (s.revision ?? 0) !== revision) return false;
      const { description: _d, ...rest } = s;
      subscriptions.set(id, { ...rest, ...structuredClone(edit), revision: revision + 1 });
      if (!edit.description) delete subscriptions.get(id)?.description;
      return true;
    },
    setSecrets: async (id, secrets, newest) => {
      const s = subscriptions.get(id);
      if (s?.secrets[0]?.secret !== newest) return false;
      s.secrets = structuredClone(secrets);
      return true;
    },
    claimRotation: async (hash, subscriptionId, at) => {
      if (!rotations.has(hash)) rotations.set(hash, { subscriptionId, at });
      return rotations.get(hash) as { subscriptionId: string; at: string };
    },
    createDelivery: async (d) => {
      if (d.status === 'paused')
        paused.set(d.subscriptionId, (paused.get(d.subscriptionId) ?? new Set()).add(d.id));
      if (deliveries.has(d.id)) return false;
      deliveries.set(d.id, structuredClone(d));
      return true;
    },
    claimQueueing: async (_s, id, at) => {
      const d = deliveries.get(id);
      if (d?.status !== 'pending' || d.attempts > 0 || d.queuedAt) return false;
      d.queuedAt = at;
      return true;
    },
    releaseQueueing: async (_s, id, at) => {
      const d = deliveries.get(id);
      if (d?.queuedAt === at && d.attempts === 0) delete d.queuedAt;
    },
    takeOverQueueing: async (_s, id, claim, at) => {
      const d = deliveries.get(id);
      if (d?.status !== 'pending' || d.attempts > 0 || d.lastAttemptAt || d.nextAttemptAt) return false;
      if (d.queuedAt !== claim) return false;
      d.queuedAt = at;
      return true;
    },
    getDelivery: async (_s, id) => structuredClone(deliveries.get(id)),
    updateDelivery: async (d) => void deliveries.set(d.id, structuredClone(d)),
    forgetWords: async (_s, id) => {
      const data = deliveries.get(id)?.event?.data;
      if (!data || (data.text === undefined && data.attachments === undefined)) return false;
      delete data.text;
      delete data.attachments;
      return true;
    },
    noteMovedDelivery: async (_s, id, customerId) => {
      const delivery = deliveries.get(id);
      return delivery?.event !== undefined && delivery.customerId !== customerId;
    },
    pauseDelivery: async (d) => {
      paused.set(d.subscriptionId, (paused.get(d.subscriptionId) ?? new Set()).add(d.id));
      deliveries.set(d.id, structuredClone({ ...d, status: 'paused' as const }));
    },
    resumeDelivery: async (d) => {
      if (deliveries.get(d.id)?.status !== 'paused') return false;
      deliveries.set(d.id, structuredClone(d));
      return true;
    },
    pausedDeliveries: async (id, limit) => {
      const ids = [...(paused.get(id) ?? [])].sort();
      return { ids: ids.slice(0, limit), more: ids.length > limit };
    },
    forgetPaused: async (id, deliveryId) => void paused.get(id)?.delete(deliveryId),
    // As the log is read: newest first, `limit` items a page, the status a filter over the page (so a
    // page may hold fewer), the cursor the last item read.
    listDeliveries: async (id, page) => {
      const keyOf = (d: Delivery) => `${d.createdAt}#${d.id}`;
      const log = [...deliveries.values()]
        .filter((d) => d.subscriptionId === id && (page.cursor === undefined || keyOf(d) < page.cursor))
        .sort((a, b) => (keyOf(a) < keyOf(b) ? 1 : -1));
      const read = log.slice(0, page.limit);
      const last = read.at(-1);
      return {
        items: structuredClone(read.filter((d) => !page.status || [page.status].flat().includes(d.status))),
        cursor: log.length > page.limit && last ? keyOf(last) : null,
      };
    },
  };
  const queue = {
    send: async (message: DeliveryMessage, delaySeconds: number) => void sent.push({ message, delaySeconds }),
  };
  return { store, queue, subscriptions, deliveries, sent, paused, guards };
}
