import type {
  DeleteCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { deliveryTtlOf } from '../../domain/delivery-log.js';
import type { Delivery, DeliveryStatus, SigningSecret, Subscription } from '../../domain/webhooks.js';
import {
  customerDeliveryKey,
  deliveryKey,
  deliveryPartition,
  pausedDeliveryKey,
  WEBHOOKS_PARTITION,
  webhookKey,
  webhookRotationKey,
  webhookUrlKey,
} from '../keys.js';
import { LIST_INDEX } from '../table.js';

/** Writes a subscription, listed in the list index (gsi1k) oldest first. */
export function putSubscriptionInput(table: string, subscription: Subscription): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...webhookKey(subscription.id),
      entity: 'webhook',
      gsi1pk: WEBHOOKS_PARTITION,
      gsi1sk: `${subscription.createdAt}#${subscription.id}`,
      ...subscription,
    },
  };
}

/** Names `id` the subscription of a URL and events, if the guard is free, `id`'s or `from`'s. */
export function claimSubscriptionKeyInput(
  table: string,
  key: string,
  id: string,
  from: string | undefined,
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...webhookUrlKey(key), entity: 'webhook_url', subscriptionId: id },
    ConditionExpression: 'attribute_not_exists(pk) OR subscriptionId = :id OR subscriptionId = :from',
    ExpressionAttributeValues: { ':id': id, ':from': from ?? id },
  };
}

/** Deletes the guard of a URL and events if `id` holds it. */
export function releaseSubscriptionKeyInput(table: string, key: string, id: string): DeleteCommandInput {
  return {
    TableName: table,
    Key: webhookUrlKey(key),
    ConditionExpression: 'subscriptionId = :id',
    ExpressionAttributeValues: { ':id': id },
  };
}

/** One page of every subscription. */
export function querySubscriptionsInput(
  table: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': WEBHOOKS_PARTITION },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

function updateSubscription(
  table: string,
  id: string,
  expression: string,
  values?: Record<string, unknown>,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: webhookKey(id),
    UpdateExpression: expression,
    ConditionExpression: 'attribute_exists(pk)',
    ...(values ? { ExpressionAttributeValues: values } : {}),
  };
}

/** One more failure in a row; answers the new count. */
export function countFailureInput(table: string, id: string): UpdateCommandInput {
  return {
    ...updateSubscription(table, id, 'ADD consecutiveFailures :one', { ':one': 1 }),
    ReturnValues: 'UPDATED_NEW',
  };
}

/**
 * Holds the subscription's deliveries until a time, never shortening a longer hold already there (an
 * earlier, longer `Retry-After` or breaker window): the condition fails for an earlier time.
 */
export function openBreakerInput(table: string, id: string, until: string): UpdateCommandInput {
  return {
    ...updateSubscription(table, id, 'SET circuitOpenUntil = :until', { ':until': until }),
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(circuitOpenUntil) OR circuitOpenUntil < :until)',
  };
}

/** Closes the breaker: no failures in a row. */
export function resetBreakerInput(table: string, id: string): UpdateCommandInput {
  return updateSubscription(table, id, 'SET consecutiveFailures = :zero REMOVE circuitOpenUntil', {
    ':zero': 0,
  });
}

/** Disables a subscription for good (a 410 from its endpoint). */
export function disableSubscriptionInput(
  table: string,
  id: string,
  at: string,
  reason: string,
): UpdateCommandInput {
  return updateSubscription(table, id, 'SET disabledAt = :at, disabledReason = :reason', {
    ':at': at,
    ':reason': reason,
  });
}

/** Takes a subscription back into use: not disabled, no failures in a row, its breaker closed. */
export function enableSubscriptionInput(table: string, id: string): UpdateCommandInput {
  return updateSubscription(
    table,
    id,
    'SET consecutiveFailures = :zero REMOVE disabledAt, disabledReason, circuitOpenUntil',
    { ':zero': 0 },
  );
}

/**
 * An edit (`PATCH`): its events and description replaced (none: removed), its revision one more, only
 * if it is still there at the revision read (0: never edited), so of two edits at once one lands.
 */
export function editSubscriptionInput(
  table: string,
  id: string,
  revision: number,
  edit: Pick<Subscription, 'events' | 'description'>,
): UpdateCommandInput {
  const set = `SET events = :events, revision = :next${edit.description ? ', description = :description' : ''}`;
  return {
    TableName: table,
    Key: webhookKey(id),
    UpdateExpression: edit.description ? set : `${set} REMOVE description`,
    ConditionExpression:
      revision === 0 ? 'attribute_exists(pk) AND attribute_not_exists(revision)' : 'revision = :revision',
    ExpressionAttributeValues: {
      ':events': edit.events,
      ':next': revision + 1,
      ...(edit.description ? { ':description': edit.description } : {}),
      ...(revision === 0 ? {} : { ':revision': revision }),
    },
  };
}

/**
 * Replaces the signing secrets (a rotation), only if the newest is still `newest`, the one the rotation
 * read: of two rotations at once one lands, never one answering a secret the other overwrote.
 */
export function setSecretsInput(
  table: string,
  id: string,
  secrets: SigningSecret[],
  newest: string,
): UpdateCommandInput {
  return {
    ...updateSubscription(table, id, 'SET secrets = :secrets', { ':secrets': secrets, ':newest': newest }),
    ConditionExpression: 'secrets[0].secret = :newest',
  };
}

/**
 * Notes which subscription an admin's `Idempotency-Key` rotated (`hash`: rotationKeyOf), once: the
 * first rotation with the key writes it; a retry finds it (the condition fails).
 */
export function claimRotationInput(
  table: string,
  hash: string,
  subscriptionId: string,
  at: string,
): PutCommandInput {
  return {
    TableName: table,
    Item: { ...webhookRotationKey(hash), entity: 'webhook_rotation', subscriptionId, at },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Deletes a subscription only if it is still at `revision` (0: never edited): an `If-Match` delete. */
export function deleteSubscriptionInput(table: string, id: string, revision: number): DeleteCommandInput {
  return {
    TableName: table,
    Key: webhookKey(id),
    ConditionExpression:
      revision === 0 ? 'attribute_exists(pk) AND attribute_not_exists(revision)' : 'revision = :revision',
    ...(revision === 0 ? {} : { ExpressionAttributeValues: { ':revision': revision } }),
  };
}

/** Writes a delivery; `once` only if it is not in the log yet. Expires 30 days after it came into the log. */
export function putDeliveryInput(table: string, delivery: Delivery, once: boolean): PutCommandInput {
  const ttl = deliveryTtlOf(delivery);
  return {
    TableName: table,
    Item: {
      ...deliveryKey(delivery.subscriptionId, delivery.id, delivery.createdAt),
      entity: 'webhook_delivery',
      ttl,
      ...delivery,
    },
    ...(once ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
  };
}

/**
 * The newest `limit` deliveries of one shard of a subscription's log, older than the sort key `before`;
 * with `status`, those of it in that status or one of those (a filter: `limit` counts the items read).
 */
export function queryDeliveriesInput(
  table: string,
  subscriptionId: string,
  shard: number,
  page: {
    limit: number;
    before?: string | undefined;
    status?: DeliveryStatus | readonly DeliveryStatus[] | undefined;
  },
): QueryCommandInput {
  const statuses = page.status === undefined ? [] : [page.status].flat();
  const names = statuses.map((_, i) => `:status${i === 0 ? '' : i}`);
  return {
    TableName: table,
    KeyConditionExpression: page.before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
    ...(statuses.length > 0
      ? {
          FilterExpression: names.length === 1 ? '#status = :status' : `#status IN (${names.join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
        }
      : {}),
    ExpressionAttributeValues: {
      ':pk': deliveryPartition(subscriptionId, shard),
      ...(page.before ? { ':before': page.before } : {}),
      ...Object.fromEntries(statuses.map((status, i) => [names[i], status])),
    },
    ScanIndexForward: false,
    Limit: page.limit,
  };
}

/** The note of a paused delivery (it expires with the delivery). */
export function putPausedNoteInput(table: string, delivery: Delivery): PutCommandInput {
  const ttl = deliveryTtlOf(delivery);
  return { TableName: table, Item: { ...pausedDeliveryKey(delivery.subscriptionId, delivery.id), ttl } };
}

/**
 * Up to `limit` notes of one partition of a subscription's paused deliveries (see pausedPartitions),
 * read strongly: a delivery paused as its subscription is enabled is resumed by one of the two.
 */
export function queryPausedNotesInput(table: string, partition: string, limit: number): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': partition },
    ConsistentRead: true,
    Limit: limit,
  };
}

/** Writes a paused delivery back as `delivery` (resumed), only if it is still paused. */
export function resumeDeliveryInput(table: string, delivery: Delivery): PutCommandInput {
  return {
    ...putDeliveryInput(table, delivery, false),
    ConditionExpression: '#status = :paused',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':paused': 'paused' },
  };
}

/** The note of a delivery under its customer (see customerDeliveryKey); it expires with the delivery. */
export function putCustomerDeliveryNoteInput(table: string, delivery: Delivery): PutCommandInput {
  const ttl = deliveryTtlOf(delivery);
  return {
    TableName: table,
    Item: { ...customerDeliveryKey(delivery.customerId, delivery.subscriptionId, delivery.id), ttl },
  };
}

/** Up to `limit` notes of a customer's deliveries, read strongly (an erasure deletes each once done). */
export function queryCustomerDeliveryNotesInput(
  table: string,
  customerId: string,
  limit: number,
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': customerDeliveryKey(customerId, '', '').pk },
    ConsistentRead: true,
    Limit: limit,
  };
}

/**
 * Claims a pending, never tried delivery for the queue (see WebhookStore.claimQueueing): one not
 * claimed yet, or with `claim`, one whose claim made then is still there (its lease ended: a takeover).
 */
export function claimQueueingInput(
  table: string,
  key: Record<string, string>,
  at: string,
  claim?: string,
): UpdateCommandInput {
  const held =
    claim === undefined
      ? 'attribute_exists(pk) AND attribute_not_exists(queuedAt)'
      : 'queuedAt = :claim AND attribute_not_exists(lastAttemptAt) AND attribute_not_exists(nextAttemptAt)';
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'SET queuedAt = :at',
    ConditionExpression: `${held} AND #status = :pending AND attempts = :zero`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':at': at,
      ':pending': 'pending',
      ':zero': 0,
      ...(claim === undefined ? {} : { ':claim': claim }),
    },
  };
}

/** Lets the claim made `at` go, while the delivery is still never tried. */
export function releaseQueueingInput(
  table: string,
  key: Record<string, string>,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'REMOVE queuedAt',
    ConditionExpression: 'queuedAt = :at AND attempts = :zero',
    ExpressionAttributeValues: { ':at': at, ':zero': 0 },
  };
}

/**
 * Takes a deleted message's words (`text`, `attachments`) out of one delivery's payload, keeping the
 * delivery and its status: one conditional write, only where the payload still holds them.
 */
export function forgetWordsInput(table: string, key: { pk: string; sk: string }): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'REMOVE #event.#data.#text, #event.#data.attachments',
    ConditionExpression: 'attribute_exists(#event.#data.#text) OR attribute_exists(#event.#data.attachments)',
    ExpressionAttributeNames: { '#event': 'event', '#data': 'data', '#text': 'text' },
  };
}
