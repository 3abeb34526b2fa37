import * as z from 'zod';
import type { Identity } from '../domain/envelope.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { getIdentityInput } from './params/customers.js';

const OwnerSchema = z.object({ customerId: z.string(), mergedFrom: z.string().optional() });

/**
 * Who holds an identity (eventually consistent), and whether a merge has it point there from the
 * customer it was claimed for (`mergedFrom`, taken off by the unmerge): see WebchatStore.findIdentityOwner.
 */
export async function findIdentityOwner(
  db: DynamoDb,
  identity: Identity,
): Promise<{ customerId: string; merged: boolean } | undefined> {
  const out = await getItem(db, getIdentityInput(db.table, identity, false));
  if (!out.Item) return undefined;
  const item = OwnerSchema.parse(out.Item);
  return { customerId: item.customerId, merged: item.mergedFrom !== undefined };
}
