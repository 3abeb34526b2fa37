import * as z from 'zod';
import type { KeyedNote } from '../domain/agent-ports.js';
import { KEYED_NOTE_PREFIX } from '../domain/idempotency.js';
import { replyItemId } from '../domain/replies.js';
import type { Conversation, TimelineItem } from '../domain/timeline.js';
import type { Timeline } from './assign-conversation.js';
import { toTimelineItem } from './delivery-status.js';
import { type DynamoDb, getItem, putItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';

/** A note's timeline item: agents see it, customers never do. */
export function noteItem(
  conversation: Pick<Conversation, 'id' | 'customerId'>,
  note: { text: string; agentId: string; now: string; noteId: string; authorKind?: 'agent' | 'ai' },
): TimelineItem {
  return {
    id: `note:${note.noteId}`,
    type: 'note',
    at: note.now,
    customerId: conversation.customerId,
    conversationId: conversation.id,
    text: note.text,
    data: { author: { kind: note.authorKind ?? 'agent', id: note.agentId } },
  };
}

const NoteKeyItemSchema = z.object({ customerId: z.string(), at: z.string(), requestHash: z.string() });

/**
 * Writes an agent's keyed note once (see `AgentAdmin.addKeyedNote`): its `NOTE#<id>` item first (where
 * the note goes and the request's hash, not its text), conditionally, then the timeline item. A retry
 * reads that item strongly, then the first note on the timeline; a first request that stopped between
 * the two writes is completed with this request's text when it is the same request.
 */
export async function putKeyedNote(db: DynamoDb, timeline: Timeline, item: TimelineItem, hash: string) {
  const noteId = item.id.slice('note:'.length);
  const guard = { customerId: item.customerId, at: item.at, requestHash: hash };
  const put = { TableName: db.table, Item: { ...Keys.keyedNote(noteId), entity: 'note_key', ...guard } };
  if (await putItemIf(db, { ...put, ConditionExpression: 'attribute_not_exists(pk)' })) {
    await timeline.putTimelineItem(item, undefined);
    return { item, created: true, requestHash: hash };
  }
  const out = await getItem(db, getInput(db.table, Keys.keyedNote(noteId), true));
  const first = NoteKeyItemSchema.parse(out.Item);
  if (first.requestHash !== hash) return { item, created: false, requestHash: first.requestHash };
  const key = Keys.timelineItem(first.customerId, first.at, item.id);
  const onTimeline = (await getItem(db, getInput(db.table, key, true))).Item;
  if (onTimeline) return { item: toTimelineItem(onTimeline), created: false, requestHash: hash };
  const completed = { ...item, customerId: first.customerId, at: first.at };
  await timeline.putTimelineItem(completed, undefined);
  return { item: completed, created: false, requestHash: hash };
}

const REPLY_ITEM_PREFIX = replyItemId('');
const KEYED_NOTE_ITEM_PREFIX = `note:${KEYED_NOTE_PREFIX}`;

/**
 * The items a timeline item is also kept under for retried requests, which its erasure deletes with it:
 * a reply's `REPLY#` item (the address it went to and its text), a keyed note's `NOTE#` item.
 */
export function retryKeysOf(item: Record<string, unknown>): Array<{ pk: string; sk: string }> {
  const id = typeof item.id === 'string' ? item.id : '';
  if (id.startsWith(REPLY_ITEM_PREFIX)) return [Keys.reply(id.slice(REPLY_ITEM_PREFIX.length))];
  if (id.startsWith(KEYED_NOTE_ITEM_PREFIX)) return [Keys.keyedNote(id.slice('note:'.length))];
  return [];
}
