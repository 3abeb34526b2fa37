import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { Keys } from '../keys.js';
import { NOT_ERASING } from './customers.js';

/**
 * Records that WhatsApp failed a reply written at `at` as outside the customer's 24-hour window
 * (131047): a later one wins. Never on a tombstone; the customer's next message makes it stale.
 */
export function closeWhatsAppWindowInput(table: string, customerId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: 'SET whatsappWindowClosedAt = :at',
    ConditionExpression: `attribute_exists(pk) AND ${NOT_ERASING} AND (attribute_not_exists(whatsappWindowClosedAt) OR whatsappWindowClosedAt < :at)`,
    ExpressionAttributeValues: { ':at': at, ':erased': 'erased_customer' },
  };
}
