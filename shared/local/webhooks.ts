import { join } from 'node:path';
import type { WebhookApiDeps } from '#shared/api/deps.js';
import { deliverWebhook } from '#shared/app/deliver-webhook.js';
import { publishChanges } from '#shared/app/publish-change.js';
import { allowLoopbackWebhooks, type Config } from '../config/config.js';
import type { DeliveryMessage } from '../domain/webhooks.js';
import { webhookTransport } from '../http/webhook-post.js';
import { log } from '../log.js';
import { createWebhookConsumer } from '../queue/webhook-consumer.js';
import type { DynamoRepositories } from '../store/dynamo-repositories.js';
import { newWebhookSecret, timeOrderedId } from '../store/ids.js';
import { cachedSubscriptions } from '../store/webhook-repository.js';
import type { LocalChangeFeed } from './change-feed.js';
import { LocalDeliveryQueue } from './delayed-deliveries.js';
import { LocalQueue } from './queue.js';
import { InFlightGroups } from './queue-groups.js';
import type { QueueTimings } from './queues.js';
import { type LocalTimers, realTimers } from './timers.js';

/** Deliveries posted at once by the local runtime, in all and per subscription. */
const DELIVERIES_IN_FLIGHT = 16;
const DELIVERIES_IN_FLIGHT_PER_SUBSCRIPTION = 4;

/**
 * How long the local feed keeps the list of subscriptions (on the webhook timers' clock): a subscription
 * made or edited is seen by the events made this long after, at the latest (30 s on AWS).
 */
export const LOCAL_SUBSCRIPTIONS_CACHE_MS = 1_000;

/** The subscription a queued delivery message is for (a body that is not one is a group of its own). */
function subscriptionOf(body: string): string {
  try {
    const { subscriptionId } = JSON.parse(body) as { subscriptionId?: unknown };
    return typeof subscriptionId === 'string' ? subscriptionId : '';
  } catch {
    return '';
  }
}

/** The local events pipeline: the feed, the webhook queues, and what `/api/webhooks` needs. */
export interface LocalWebhooks {
  feed: LocalChangeFeed;
  queue: LocalQueue;
  deadLetter: LocalQueue;
  api: WebhookApiDeps;
  /** Resolves once the feed is consumed and no delivery is queued or in flight (delayed ones wait). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts what the events and webhooks functions do on AWS: the change feed's records become
 * deliveries on the webhook queue, whose consumer posts them. `webhookTimers` (tests) drive the retry
 * delays and the deliverer's clock.
 */
export function startLocalWebhooks(input: {
  config: Config;
  repos: DynamoRepositories;
  feed: LocalChangeFeed;
  dataDir: string | undefined;
  options: { queue?: QueueTimings | undefined; webhookTimers?: LocalTimers | undefined };
}): LocalWebhooks {
  const { config, feed, dataDir } = input;
  const store = input.repos.webhooks;
  const timings = input.options.queue;
  const timers = input.options.webhookTimers ?? realTimers;
  const at = (name: string) => (dataDir ? { dir: join(dataDir, 'queues', name) } : {});
  const deadLetter = new LocalQueue({ name: 'threadline-webhooks-dlq', ...at('webhooks-dlq') });
  const queue = new LocalQueue({
    name: 'threadline-webhooks',
    ...at('webhooks'),
    deadLetter,
    visibilityTimeoutMs: timings?.visibilityTimeoutMs ?? 60_000,
    maxReceiveCount: timings?.maxReceiveCount ?? 5,
    // One delivery a batch, up to 16 at once, 4 of one subscription: an endpoint that hangs holds its
    // own deliveries, not the others' (before, 4 batches of 10 were shared by every subscription).
    batchSize: 1,
    concurrency: DELIVERIES_IN_FLIGHT,
    groups: new InFlightGroups(subscriptionOf, DELIVERIES_IN_FLIGHT_PER_SUBSCRIPTION),
    ...(timings?.pollIntervalMs ? { pollIntervalMs: timings.pollIntervalMs } : {}),
  });
  const deliveries = new LocalDeliveryQueue(queue, timers, at('webhooks-delayed').dir);
  const policy = { allowLoopbackHttp: allowLoopbackWebhooks(config, true) };
  const subscriptions = cachedSubscriptions(store, LOCAL_SUBSCRIPTIONS_CACHE_MS, () => timers.now());
  const clock = { now: () => new Date(timers.now()) };
  // A delivery claimed and never tried whose message the queue does not hold (the runtime died between
  // the claim and the send) is queued again when the feed delivers its record again after a restart.
  const holds = (message: DeliveryMessage) => queue.holds(JSON.stringify(message));
  feed.subscribe(publishChanges({ subscriptions, store, queue: deliveries, clock, holds, log }), 'events');
  const deps = {
    ...webhookTransport({ policy, timeoutMs: config.WEBHOOK_TIMEOUT_MS }),
    store,
    queue: deliveries,
    isErased: store.isErased,
    clock,
    log,
  };
  queue.start(createWebhookConsumer((message) => deliverWebhook(deps, message)));
  const api = {
    store,
    queue: deliveries,
    urls: policy,
    newId: () => timeOrderedId('wh'),
    newSecret: newWebhookSecret,
  };
  return {
    feed,
    queue,
    deadLetter,
    api,
    idle: async () => {
      await feed.idle();
      await queue.idle();
    },
    stop: async () => {
      deliveries.stop();
      await queue.stop();
      await feed.idle();
      await feed.close();
    },
  };
}
