import * as z from 'zod';
import { followMerges } from '../domain/merges.js';
import { GoneError, NotFoundError } from '../errors.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { StringSetSchema } from './string-set.js';

const RawProfileSchema = z.looseObject({
  entity: z.string(),
  id: z.string(),
  identities: StringSetSchema,
  channels: StringSetSchema,
  conversationIds: StringSetSchema,
  mentioned: StringSetSchema,
  mergedFrom: StringSetSchema,
  mergedInto: z.string().optional(),
  openConversationId: z.string().optional(),
});
/** A profile item with the sets merges and erasures walk (identity tokens, conversations, mentions). */
export type RawProfile = z.infer<typeof RawProfileSchema>;

/** Reads a profile strongly: NotFoundError when there is none, GoneError when it was erased. */
export async function readRawProfile(db: DynamoDb, customerId: string): Promise<RawProfile> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
  if (!out.Item) throw new NotFoundError(`no customer ${customerId}`);
  if (out.Item.entity === 'erased_customer') throw new GoneError(`customer ${customerId} was erased`);
  return RawProfileSchema.parse(out.Item);
}

/** The customer that stands for this one now (after its merges), and its profile. */
export function readRootProfile(
  db: DynamoDb,
  customerId: string,
): Promise<{ customerId: string; profile: RawProfile }> {
  return followMerges((id) => readRawProfile(db, id), customerId);
}
