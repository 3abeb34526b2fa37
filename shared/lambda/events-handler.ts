import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverWebhook } from '../app/deliver-webhook.js';
import { publishChanges } from '../app/publish-change.js';
import { dynamoDbLite } from '../aws/dynamodb-lite.js';
import { sqsSendMessage } from '../aws/sqs-lite.js';
import { allowLoopbackWebhooks, loadConfig, requireSettings } from '../config/config.js';
import { systemClock } from '../domain/ports.js';
import { webhookTransport } from '../http/webhook-post.js';
import { log } from '../log.js';
import { createChangeFeedHandler } from '../queue/change-feed-consumer.js';
import { SqsDeliveryQueue } from '../queue/sqs-delivery-queue.js';
import { createWebhookConsumer } from '../queue/webhook-consumer.js';
import { dynamoRepositories } from '../store/dynamo-repositories.js';
import { cachedSubscriptions } from '../store/webhook-repository.js';

/** How long the events function keeps the list of subscriptions before reading it again. */
const SUBSCRIPTIONS_CACHE_MS = 30_000;

function build() {
  const config = requireSettings(loadConfig(), ['WEBHOOK_QUEUE_URL']);
  const repos = dynamoRepositories(dynamoDbLite(), config.TABLE_NAME);
  const queue = new SqsDeliveryQueue((input) => sqsSendMessage(input), config.WEBHOOK_QUEUE_URL);
  return { config, store: repos.webhooks, queue };
}

/** The events function: the table's stream → integrator events → one queued delivery per subscription. */
export function createEventsHandler(): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const { store, queue } = build();
  const subscriptions = cachedSubscriptions(store, SUBSCRIPTIONS_CACHE_MS);
  return createChangeFeedHandler(publishChanges({ subscriptions, store, queue, clock: systemClock, log }));
}

/** The webhooks function: one signed POST per queued delivery, retried through the queue. */
export function createWebhooksHandler(): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const { config, store, queue } = build();
  const policy = { allowLoopbackHttp: allowLoopbackWebhooks(config, false) };
  const deps = {
    ...webhookTransport({ policy, timeoutMs: config.WEBHOOK_TIMEOUT_MS }),
    store,
    queue,
    isErased: store.isErased,
    clock: systemClock,
    log,
  };
  return createWebhookConsumer((message) => deliverWebhook(deps, message));
}
