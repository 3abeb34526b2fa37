import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { getInput } from './params/common.js';
import { customersOfLiveEvent, rewriteLivePackInput } from './params/live.js';

/** How often a pack another erasure rewrote meanwhile is read again before giving up (a 503). */
const REWRITE_TRIES = 5;

/** What taking a customer out of one pack did: events removed, and whether the pack was deleted or rewritten. */
export type PackRedaction = { removed: number; write: 'none' | 'delete' | 'rewrite' };

/** The events of a log item as JSON values: a pack (`events`), or one event as written before packing. */
function storedEvents(item: Record<string, unknown>): { field: 'events' | 'event'; events: unknown[] } {
  if (typeof item.events === 'string')
    return { field: 'events', events: JSON.parse(item.events) as unknown[] };
  if (typeof item.event === 'string') return { field: 'event', events: [JSON.parse(item.event)] };
  return { field: 'events', events: [] };
}

/** A span of the log's `seq`, ends included: an unmerged customer's time under another's id. */
export type SeqWindow = { fromSeq: number; toSeq: number };

/** Whether an event of the log is one of the customer's (within `window`, when given). */
function isTheirs(event: Record<string, unknown>, customerId: string, window?: SeqWindow): boolean {
  if (!customersOfLiveEvent(event).includes(customerId)) return false;
  if (!window) return true;
  const seq = typeof event.seq === 'number' ? event.seq : -1;
  return seq >= window.fromSeq && seq <= window.toSeq;
}

/**
 * Takes a customer's events (those within `window`, when given) out of one item of the live log: the item read strongly, then deleted
 * when only their events were in it (by `deletePack`, which the erasure counts), else rewritten with
 * the others' events as they were (conditional on the events read: a pack two erasures rewrite at once
 * is read again). A pack already gone (its `ttl`, an earlier call) or holding none of theirs costs no
 * write: a resumed erasure repeats this freely.
 */
export async function redactLivePack(
  db: DynamoDb,
  key: { pk: string; sk: string },
  customerId: string,
  deletePack: (key: { pk: string; sk: string }) => Promise<unknown>,
  window?: SeqWindow,
): Promise<PackRedaction> {
  for (let tries = 0; tries < REWRITE_TRIES; tries++) {
    const { Item } = await getItem(db, getInput(db.table, key, true));
    if (!Item) return { removed: 0, write: 'none' };
    const { field, events } = storedEvents(Item);
    const kept = events.filter((event) => !isTheirs(event as Record<string, unknown>, customerId, window));
    const removed = events.length - kept.length;
    if (removed === 0) return { removed, write: 'none' };
    if (kept.length === 0 || field === 'event') {
      await deletePack(key);
      return { removed, write: 'delete' };
    }
    const input = rewriteLivePackInput(db.table, key, String(Item.events), JSON.stringify(kept));
    if (await updateItemIf(db, input)) return { removed, write: 'rewrite' };
  }
  throw new Error(`live pack ${key.pk} ${key.sk} kept changing while an erasure rewrote it`);
}
