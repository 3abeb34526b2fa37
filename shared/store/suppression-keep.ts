import { getItem, putItemIf } from './dynamo-client.js';
import { type ErasureDb, remove, spend } from './erasure-budget.js';
import { Keys } from './keys.js';
import { queryAll } from './paging.js';
import { getInput } from './params/common.js';

/** What a kept suppression's `envelopeId` says: the message it came by was erased with its customer. */
export const ERASED_ENVELOPE = 'erased';

/**
 * What an erasure does with one contact state of an erased person's address: a block (an SMS STOP
 * toward a number of ours, an email bounce or complaint) is kept as a minimal suppression record, the
 * address, our number, the reason and its time, with no customer, name or text (the message it came
 * by, `envelopeId`, becomes `erased`): the law keeps the objection (TCPA/CTIA opt-outs, GDPR Art.
 * 17(3)(b) and 21), so the address writing again makes a new customer who is still blocked until a
 * START. A state that blocks nothing (a START) is deleted. The rewrite spends the budget as a delete
 * does, once: a kept record is left as it is; it is written only while the state is the one read (a
 * START that came meanwhile wins).
 */
async function settle(db: ErasureDb, item: Record<string, unknown>): Promise<void> {
  const key = { pk: String(item.pk), sk: String(item.sk) };
  if (item.blocked !== true) {
    await remove(db, key);
    return;
  }
  if (item.envelopeId === ERASED_ENVELOPE) return;
  spend(db);
  const kept: Record<string, unknown> = { ...key, entity: 'contact_state', blocked: true };
  for (const field of ['kind', 'value', 'reason', 'at', 'number']) {
    if (item[field] !== undefined) kept[field] = item[field];
  }
  await putItemIf(db, {
    TableName: db.table,
    Item: { ...kept, envelopeId: ERASED_ENVELOPE, erasedAt: db.now },
    ConditionExpression: '#at = :at AND blocked = :blocked',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':at': item.at, ':blocked': true },
  });
}

/**
 * Settles every contact state of an address (`<kind>#<value>`): its own, and one per number of ours it
 * texted STOP or START to. One strongly consistent Query of its partition (as few items as we have numbers).
 */
export async function settleContactStates(db: ErasureDb, token: string): Promise<void> {
  const items = await queryAll(db, {
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': Keys.contactStateByToken(token).pk },
    ConsistentRead: true,
  });
  for (const item of items) await settle(db, item);
}

/** Settles one contact state by its key (an address a mail of the person used: one strong GetItem). */
export async function settleContactState(db: ErasureDb, key: { pk: string; sk: string }): Promise<void> {
  const out = await getItem(db, getInput(db.table, key, true));
  if (out.Item) await settle(db, out.Item);
}
