import type { PutCommandInput, QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Delivery, SigningSecret, Subscription } from '../../domain/webhooks.js';
import { deliveryKey, deliveryPartition, WEBHOOKS_PARTITION, webhookKey } from '../keys.js';
import { LIST_INDEX } from '../table.js';

/** Days a delivery stays in the log (the table's `ttl` removes it; its payload goes with it). */
export const DELIVERY_LOG_DAYS = 30;

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

/** Opens the breaker until a time. */
export function openBreakerInput(table: string, id: string, until: string): UpdateCommandInput {
  return updateSubscription(table, id, 'SET circuitOpenUntil = :until', { ':until': until });
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

/** Replaces the signing secrets (a rotation). */
export function setSecretsInput(table: string, id: string, secrets: SigningSecret[]): UpdateCommandInput {
  return updateSubscription(table, id, 'SET secrets = :secrets', { ':secrets': secrets });
}

/** Writes a delivery; `once` only if it is not in the log yet. Expires DELIVERY_LOG_DAYS after it was made. */
export function putDeliveryInput(table: string, delivery: Delivery, once: boolean): PutCommandInput {
  const ttl = Math.floor(Date.parse(delivery.createdAt) / 1000) + DELIVERY_LOG_DAYS * 86_400;
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

/** The newest `limit` deliveries of one shard of a subscription's log, older than the sort key `before`. */
export function queryDeliveriesInput(
  table: string,
  subscriptionId: string,
  shard: number,
  page: { limit: number; before?: string | undefined },
): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: page.before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': deliveryPartition(subscriptionId, shard),
      ...(page.before ? { ':before': page.before } : {}),
    },
    ScanIndexForward: false,
    Limit: page.limit,
  };
}
