import * as z from 'zod';
import type { Identity } from '../domain/envelope.js';
import type { ContactState } from '../domain/resolver-ports.js';
import { contactStateFor } from '../domain/sms-opt-out.js';
import { getItems } from './batch-get.js';
import { type DynamoDb, getItem, queryItems } from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryAll } from './paging.js';
import { getInput } from './params/common.js';

// An address's contact states share one partition (Keys.contactState): its own (an email suppression,
// an SMS opt-out that named none of our numbers or was stored before they were kept per number), and
// one per number of ours the customer texted STOP or START to.

const ContactStateSchema = z.object({
  blocked: z.boolean(),
  reason: z.string(),
  at: z.string(),
  envelopeId: z.string(),
  number: z.string().optional(),
});

/**
 * Whether an address may be contacted from our number `from` (`contactStateFor`; undefined: nothing
 * recorded, so yes). A phone number's: one strongly consistent Query of its states, its own and one per
 * number of ours it texted STOP or START to (as few as the business has numbers); another address's
 * (an email's suppression, a WhatsApp number's): one strongly consistent GetItem of its one item.
 */
export async function contactStateToward(
  db: DynamoDb,
  identity: Identity,
  from: string | undefined,
): Promise<ContactState | undefined> {
  // Only a phone number has states per number of ours: any other address's one item is read alone.
  if (identity.kind !== 'phone') {
    const out = await getItem(db, getInput(db.table, Keys.contactState(identity), true));
    return out.Item ? contactStateFor([ContactStateSchema.parse(out.Item)], from) : undefined;
  }
  const items = await contactItems(db, Keys.contactState(identity).pk);
  return contactStateFor(
    items.map((item) => ContactStateSchema.parse(item)),
    from,
  );
}

/**
 * Every contact state of a phone number, at most `limit` (one strongly consistent Query, one page:
 * as many items as the business has numbers the customer texted STOP or START to, and its own);
 * `complete` false when there were more than `limit`.
 */
export async function contactStatesOf(
  db: DynamoDb,
  identity: Identity,
  limit: number,
): Promise<{ states: ContactState[]; complete: boolean }> {
  // One more than asked, to know whether there were more.
  const out = await queryItems(db, {
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': Keys.contactState(identity).pk },
    ConsistentRead: true,
    Limit: limit + 1,
  });
  const items = out.Items ?? [];
  const states = items.slice(0, limit).map((item): ContactState => ContactStateSchema.parse(item));
  return { states, complete: items.length <= limit };
}

/** The items of an address's contact-state partition, strongly consistent. */
const contactItems = (db: DynamoDb, pk: string) =>
  queryAll(db, {
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ConsistentRead: true,
  });

/**
 * Which of the email addresses are suppressed now (their one contact state `blocked`: a permanent
 * bounce's, a complaint's): one strongly consistent BatchGetItem of their items, none for no address.
 */
export async function suppressedEmails(db: DynamoDb, addresses: readonly string[]): Promise<string[]> {
  if (addresses.length === 0) return [];
  const keyed = addresses.map((value) => ({ value, key: Keys.contactState({ kind: 'email', value }) }));
  const items = await getItems(
    db,
    keyed.map((k) => k.key),
    { consistent: true },
  );
  const blocked = new Set(
    items.filter((item) => ContactStateSchema.safeParse(item).data?.blocked === true).map((i) => `${i.pk}`),
  );
  return keyed.filter((k) => blocked.has(k.key.pk)).map((k) => k.value);
}
