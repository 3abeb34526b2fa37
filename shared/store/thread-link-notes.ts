import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Channel, ChannelSchema } from '../domain/envelope.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { drainNotes } from './drain-notes.js';
import { type DynamoDb, isConditionFailure, sendDynamo } from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryThreadNotesInput } from './params/privacy.js';
import { isCustomerGone } from './raw-profile.js';

type Item = Record<string, unknown>;

/** One page of a Scan, in the document client's shapes. */
export type ScanPage = { Items?: Item[] | undefined; LastEvaluatedKey?: Item | undefined };
/** Runs one Scan (the repositories never scan: only this one-off command does). */
export type Scanner = (input: ScanCommandInput) => Promise<ScanPage>;

/** What a run of `note-thread-links` did, and where the next run starts (absent: the table is done). */
export type ThreadLinkNotes = { noted: number; deleted: number; pages: number; cursor?: string | undefined };

/**
 * One page of the table's email thread links (`MESSAGE#<channel>#<Message-ID>` naming a customer and a
 * conversation; a provider reference names a timeline item instead): only their keys and customer.
 */
export function scanThreadLinksInput(table: string, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    FilterExpression:
      'begins_with(pk, :message) AND attribute_exists(customerId) AND attribute_exists(conversationId) AND attribute_not_exists(timelineSk)',
    ExpressionAttributeValues: { ':message': 'MESSAGE#' },
    ProjectionExpression: 'pk, sk, customerId',
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** The channel and thread id of a link's key (`MESSAGE#<channel>#<thread id>`), if it is one. */
function threadOf(pk: unknown) {
  const match = typeof pk === 'string' ? /^MESSAGE#([a-z]+)#(.+)$/s.exec(pk) : null;
  const channel = ChannelSchema.safeParse(match?.[1]);
  return channel.success && match?.[2] ? { channel: channel.data, threadId: match[2] } : undefined;
}

/**
 * Whether a customer is gone, erased (a tombstone) or being erased: the link is then deleted rather
 * than noted (an erasure under way may have passed its notes). A missing profile is kept: noted.
 */
async function isErased(db: DynamoDb, customerId: string, seen: Map<string, boolean>): Promise<boolean> {
  const known = seen.get(customerId);
  if (known !== undefined) return known;
  const gone = await isCustomerGone(db, customerId);
  seen.set(customerId, gone);
  return gone;
}

/** Deletes a link while it still names the customer: true when there was one to delete. */
export async function deleteLinkOf(db: DynamoDb, key: { pk: string; sk: string }, customerId: string) {
  try {
    await sendDynamo('DeleteItem', () =>
      db.doc.delete({
        TableName: db.table,
        Key: key,
        ConditionExpression: 'customerId = :customer',
        ExpressionAttributeValues: { ':customer': customerId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Notes one link under its customer (a put of the same note again changes nothing), or deletes it. */
async function noteLink(db: DynamoDb, link: Item, seen: Map<string, boolean>) {
  const thread = threadOf(link.pk);
  const customerId = link.customerId;
  if (!thread || typeof customerId !== 'string') return 'skipped' as const;
  const note = Keys.threadNote(customerId, thread.channel, thread.threadId);
  if (await isErased(db, customerId, seen)) {
    const key = { pk: String(link.pk), sk: String(link.sk) };
    const deleted = await deleteLinkOf(db, key, customerId);
    await sendDynamo('DeleteItem', () => db.doc.delete({ TableName: db.table, Key: note }));
    return deleted ? ('deleted' as const) : ('skipped' as const);
  }
  const item = { ...note, entity: 'thread_note', channel: thread.channel, threadId: thread.threadId };
  const out = await sendDynamo('PutItem', () =>
    db.doc.put({ TableName: db.table, Item: item, ReturnValues: 'ALL_OLD' }),
  );
  return out.Attributes ? ('skipped' as const) : ('noted' as const);
}

/** The Scan's place from the cursor the command printed (the store's opaque cursor of a key). */
export function decodeFrom(cursor: string): Item {
  try {
    const key = decodeCursor(cursor);
    if (typeof key?.pk === 'string') return key;
  } catch {
    // Reported below, in the command's words.
  }
  throw new ValidationError('--from is not a cursor this command printed');
}

/**
 * The upgrade's one-off backfill: replies sent before replies kept the Message-ID we wrote
 * (`messageIdHeader`) left thread links the erasure cannot find (the id is random, and only the link
 * holds it). This reads the whole table once (a Scan, filtered to thread links, `limit` items a page,
 * at most `pages` pages from `from`) and notes each link under the customer it names
 * (`Keys.threadNote`), which their erasure queries; a link of a customer already erased, or being
 * erased, is deleted instead. Idempotent (a note is put whole, a delete of nothing is nothing) and
 * resumable from the cursor it answers.
 */
export async function noteThreadLinks(
  db: DynamoDb,
  scan: Scanner,
  options: { from?: string | undefined; limit: number; pages?: number | undefined },
): Promise<ThreadLinkNotes> {
  const done: ThreadLinkNotes = { noted: 0, deleted: 0, pages: 0 };
  const seen = new Map<string, boolean>();
  let startKey = options.from ? decodeFrom(options.from) : undefined;
  do {
    const out = await sendDynamo('Scan', () => scan(scanThreadLinksInput(db.table, options.limit, startKey)));
    for (const link of out.Items ?? []) {
      const result = await noteLink(db, link, seen);
      if (result !== 'skipped') done[result] += 1;
    }
    done.pages += 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey && (options.pages === undefined || done.pages < options.pages));
  return { ...done, cursor: encodeCursor(startKey) ?? undefined };
}

/** The email thread links a timeline item names: its own mail's Message-ID, and the one our reply wrote. */
export function threadLinksOf(item: Item): Array<{ pk: string; sk: string }> {
  if (typeof item.channel !== 'string') return [];
  const channel = item.channel as Channel;
  const ids = [(item.data as Item | undefined)?.messageId, item.messageIdHeader];
  return ids.filter((id): id is string => typeof id === 'string').map((id) => Keys.messageRef(channel, id));
}

/** Thread-link notes read per page by an erasure (each deleted with its link, so pages are not kept). */
const THREAD_NOTES_PAGE = 100;

/**
 * For an erasure: deletes the email thread links noted under the customer and the notes, each by
 * `remove` (the erasure's delete, which counts it and pauses when its share is spent). Deleted notes
 * are not read again, so a resumed call starts afresh.
 */
export async function forgetNotedThreadLinks(
  db: DynamoDb,
  customerId: string,
  remove: (key: { pk: string; sk: string }) => Promise<unknown>,
): Promise<void> {
  const page = queryThreadNotesInput(db.table, customerId, THREAD_NOTES_PAGE);
  await drainNotes(
    db,
    page,
    async (note) => {
      if (typeof note.channel === 'string' && typeof note.threadId === 'string') {
        await remove(Keys.messageRef(note.channel as Channel, note.threadId));
      }
    },
    remove,
  );
}
