import { type DynamoDb, queryItems } from './dynamo-client.js';
import { customerDeliveryKey, webhookKey } from './keys.js';

/** At most this many webhook subscriptions listed as a customer's recipients. */
const RECIPIENTS_PER_CUSTOMER = 50;

/** A webhook subscription that was sent (or was due to be sent) an event about the person. */
export interface WebhookRecipient {
  subscriptionId: string;
  /** The host (and port) of its URL, never its path or query (they may hold a token); null once deleted. */
  urlHost: string | null;
  description?: string;
  /** It was deleted since: only its id is left. */
  deleted?: true;
}

/** The host of a subscription's URL, or null for one that does not parse. */
function hostOf(url: unknown): string | null {
  try {
    return typeof url === 'string' ? new URL(url).host : null;
  } catch {
    return null;
  }
}

/**
 * The subscriptions a customer's deliveries are noted under them for (`WEBHOOK_DELIVERY_OF#<customer>`,
 * sorted `<subscription>#<delivery id>`), one Query of one item per subscription: each skips past the
 * last one's notes (`<subscription>$` sorts after every `<subscription>#…`), so a customer with
 * thousands of deliveries costs as many reads as they have recipients. At most `limit`; `more` when
 * there were others.
 */
async function notedSubscriptions(db: DynamoDb, customerId: string, limit: number) {
  const pk = customerDeliveryKey(customerId, '', '').pk;
  const ids: string[] = [];
  for (;;) {
    const after = ids.at(-1);
    const out = await queryItems(db, {
      TableName: db.table,
      KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': pk, ...(after === undefined ? {} : { ':after': `${after}$` }) },
      ProjectionExpression: 'sk',
      Limit: 1,
    });
    const sk = out.Items?.[0]?.sk;
    const id = typeof sk === 'string' ? sk.split('#')[0] : undefined;
    if (!id) return { ids, more: false };
    if (ids.length === limit) return { ids, more: true };
    ids.push(id);
  }
}

/**
 * The webhook recipients of a group's customers (GDPR Art. 15(1)(c)): every subscription a delivery
 * noted under one of them went to (a delivery whose payload held their words, their address or a
 * message id: see `carriesWords`; notes live as long as their deliveries, 30 days), with its URL's host
 * and description (one Query of its partition each: the subscription, or the mark its delete left).
 * Up to RECIPIENTS_PER_CUSTOMER a customer; `truncated` when one had more.
 */
export async function webhookRecipients(
  db: DynamoDb,
  customerIds: readonly string[],
): Promise<{ recipients: WebhookRecipient[]; truncated: boolean }> {
  const found = new Set<string>();
  let truncated = false;
  for (const customerId of customerIds) {
    const { ids, more } = await notedSubscriptions(db, customerId, RECIPIENTS_PER_CUSTOMER);
    for (const id of ids) found.add(id);
    truncated ||= more;
  }
  const recipients: WebhookRecipient[] = [];
  for (const subscriptionId of [...found].sort()) {
    const out = await queryItems(db, {
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': webhookKey(subscriptionId).pk },
    });
    const live = out.Items?.find((item) => item.sk === 'WEBHOOK');
    if (!live) {
      recipients.push({ subscriptionId, urlHost: null, deleted: true });
      continue;
    }
    const description = typeof live.description === 'string' ? { description: live.description } : {};
    recipients.push({ subscriptionId, urlHost: hostOf(live.url), ...description });
  }
  return { recipients, truncated };
}
