import type { InboxFilter } from '../domain/inbox.js';
import type { Page } from '../domain/paging.js';
import type { ConversationTouch, TouchedConversation } from '../domain/resolver-ports.js';
import type { ConversationSnapshot } from '../domain/routing/conversation-state.js';
import { conversationOfItem } from '../domain/stored-items.js';
import type { Conversation, TimelineItem } from '../domain/timeline.js';
import { DELIVERY_AUTHOR_ID } from '../domain/waiting.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { syncAgentLoad, syncAgentLoadOf } from './agent-load.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  type DynamoDb,
  getItem,
  updateCurrentOrStaleReturning,
  updateItem,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { eventItem } from './events.js';
import { fullItems } from './hydrate.js';
import { inboxDuePartitions, inboxPartitions, Keys } from './keys.js';
import { getInput } from './params/common.js';
import { conversationStateOf, earlierInboundSinceInput } from './params/conversation-state.js';
import {
  type AssignTarget,
  assignConversationInput,
  earlierWaitInput,
  holdOpenConversationInput,
  queryInboxInput,
  releaseOpenConversationInput,
  reopenConversationInput,
  resolveConversationInput,
  touchConversationInput,
} from './params/conversations.js';
import {
  dropAnsweredWaitInput,
  lateFailureReopenInput,
  lateFailureWaitInput,
  listInInboxInput,
  markAnsweredInput,
  startWaitingInput,
} from './params/waiting.js';
import { mergeShards } from './sharded-query.js';
import { INDEX_KEYS, LIST_INDEX } from './table.js';

type Timeline = { putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean> };

/** The sort key a cursor continues after; a cursor we did not make is a ValidationError. */
function inboxAfter(cursor: string | undefined): string | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded === undefined) return undefined;
  if (typeof decoded.after !== 'string' || Object.keys(decoded).length !== 1) {
    throw new ValidationError('invalid cursor');
  }
  return decoded.after;
}

/**
 * The inbox: conversations of a status, longest waiting first, merged from the list index's shards
 * (and the partition written before sharding); or, sorted by due, those with a pending SLA deadline,
 * soonest first, merged from the deadline index's shards; then the page's conversations read by key
 * (both indexes hold keys and filters only). The cursor is the sort key of the last conversation
 * answered, so every shard resumes after it and pages stay stable.
 */
async function inbox(
  db: DynamoDb,
  filter: InboxFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Conversation>> {
  const after = inboxAfter(page.cursor);
  const index = filter.sort === 'due' ? 'gsi2' : LIST_INDEX;
  const partitions = index === 'gsi2' ? inboxDuePartitions(filter.status) : inboxPartitions(filter.status);
  const inputs = partitions.map((partition) =>
    queryInboxInput(db.table, filter, { limit: page.limit, partition, after, index }),
  );
  const sortKey = (item: Record<string, unknown>) => String(item[INDEX_KEYS[index].sk]);
  const out = await mergeShards(db, inputs, { limit: page.limit, sortKey });
  const last = out.items.at(-1);
  const items = await fullItems(db, out.items);
  return {
    items: items.map(conversationOfItem),
    cursor: out.more && last ? encodeCursor({ after: sortKey(last) }) : null,
  };
}

/** Assigns a conversation and records who had it and who has it now on the timeline. */
async function assign(
  db: DynamoDb,
  timeline: Timeline,
  conversation: Conversation,
  target: AssignTarget,
  change: { by: string; now: string; eventId: string; ifUnassigned?: boolean | undefined },
): Promise<boolean> {
  const input = assignConversationInput(db.table, conversation.id, target, {
    ifUnassigned: change.ifUnassigned,
  });
  if (change.ifUnassigned) {
    const taken = await updateItemIf(db, input);
    // Taken by another (or by this call's crashed first run): their count is made right all the same.
    await syncAgentLoadOf(db, conversation.id);
    if (!taken) return false;
  } else {
    const out = await updateItem(db, { ...input, ReturnValues: 'ALL_NEW' });
    if (out.Attributes) await syncAgentLoad(db, out.Attributes);
  }
  const event = eventItem(conversation.customerId, change.now, change.eventId, 'assigned', {
    conversationId: conversation.id,
    from: { agentId: conversation.assignee ?? null, queue: conversation.queue ?? null },
    to: {
      agentId: target.agentId ?? conversation.assignee ?? null,
      queue: target.queue ?? conversation.queue ?? null,
    },
    by: change.by,
  });
  await timeline.putTimelineItem(event, undefined);
  return true;
}

/**
 * Resolves or reopens a conversation: the inbox first, then its assignee's open conversations, then
 * the profile's open conversation, then the event on the timeline, so a retry after a crash completes it.
 * `failed` reopens it only as a reply's late failure may (`lateFailureReopenInput`): false, and nothing
 * more written, when that condition fails.
 */
async function changeStatus(
  db: DynamoDb,
  timeline: Timeline,
  conversationId: string,
  change: { to: 'resolved' | 'reopened'; agentId: string; now: string; failed?: string },
): Promise<boolean> {
  const id = conversationId;
  const { to, agentId, now, failed } = change;
  const input =
    to === 'resolved'
      ? resolveConversationInput(db.table, id, now, agentId)
      : failed !== undefined
        ? lateFailureReopenInput(db.table, id, now, failed)
        : reopenConversationInput(db.table, id, now);
  const item = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
  if (!item) return false;
  await syncAgentLoad(db, item);
  const customerId = String(item.customerId);
  if (to === 'resolved') {
    await updateItemIf(db, releaseOpenConversationInput(db.table, customerId, id, now));
  } else {
    await updateItemIf(db, holdOpenConversationInput(db.table, customerId, id));
  }
  const event = eventItem(customerId, now, `${to}:${id}:${now}`, to, { conversationId: id, by: agentId });
  await timeline.putTimelineItem(event, undefined);
  return true;
}

/** A conversation item read as a conversation and its routing state. */
export function conversationSnapshotOf(item: Record<string, unknown>): ConversationSnapshot {
  return { conversation: conversationOfItem(item), state: conversationStateOf(item) };
}

/** Upserts the conversation an event belongs to, answering it as the write left it when current. */
async function touchConversation(db: DynamoDb, touch: ConversationTouch): Promise<TouchedConversation> {
  const out = await updateCurrentOrStaleReturning(db, {
    // The conversation as this write leaves it, with its routing state: routing reads no more.
    current: { ...touchConversationInput(db.table, touch, 'current'), ReturnValues: 'ALL_NEW' },
    stale: touchConversationInput(db.table, touch, 'stale'),
    followUp: touch.inbound
      ? [earlierWaitInput(db.table, touch), earlierInboundSinceInput(db.table, touch)]
      : undefined,
  });
  // The customer reopened a conversation an agent has: it counts in their open ones again.
  if (touch.reopen && out.current && out.attributes?.assignee) await syncAgentLoad(db, out.attributes);
  const since = out.attributes?.waitingSince;
  const answered = out.attributes?.answeredAt;
  if (out.current && typeof since === 'string' && typeof answered === 'string' && answered >= since) {
    // A redelivered opening message after its answer: no wait (see `dropAnsweredWaitInput`).
    if (await updateItemIf(db, dropAnsweredWaitInput(db.table, touch.conversationId, since))) {
      delete out.attributes?.waitingSince;
    }
  }
  // After a late message the follow-ups changed the item again: routing reads it afresh then.
  const snapshot = out.current && out.attributes ? conversationSnapshotOf(out.attributes) : undefined;
  const unlisted = snapshot !== undefined && out.attributes?.gsi1pk === undefined;
  return { current: out.current, snapshot, ...(unlisted ? { unlisted } : {}) };
}

/**
 * The conditional writes that start and end a conversation's wait (`params/waiting.ts`), each a no-op
 * when its condition fails (a redelivery, a race it lost); and the reopen a late failure makes.
 */
function waitingWrites(db: DynamoDb, timeline: Timeline) {
  return {
    /** The customer's message starts a wait on the open conversation, unless one runs or it was answered. */
    async startWaiting(conversationId: string, at: string, failed?: string): Promise<void> {
      await updateItemIf(db, startWaitingInput(db.table, conversationId, at, failed));
    },
    /**
     * A reply the provider took failed later: its wait starts again from `at`, if no answer came after
     * it and the conversation is open. True when it did.
     */
    startWaitingAfterFailure(conversationId: string, at: string, failed: string): Promise<boolean> {
      return updateItemIf(db, lateFailureWaitInput(db.table, conversationId, at, failed));
    },
    /**
     * A reply the provider took failed later (`failed`, its time as an answer) after its conversation
     * was resolved: reopened as by hand, by `DELIVERY_AUTHOR_ID`, if that resolve came after the reply,
     * no later answer was recorded and the customer has not written since (one conditional write,
     * no read). True when it did; then the wait starts as on an open one (`startWaitingAfterFailure`).
     */
    reopenAfterFailure(conversationId: string, failed: string, now: string): Promise<boolean> {
      return changeStatus(db, timeline, conversationId, {
        to: 'reopened',
        agentId: DELIVERY_AUTHOR_ID,
        now,
        failed,
      });
    },
    /** Lists an open conversation its opening message left out of the inbox (`listLater`), at its place. */
    async listInInbox(conversationId: string): Promise<void> {
      await updateItemIf(db, listInInboxInput(db.table, conversationId));
    },
    /** An answer reached the customer: the conversation stops waiting, unless they wrote since. */
    async markAnswered(conversationId: string, at: string): Promise<void> {
      await updateItemIf(db, markAnsweredInput(db.table, conversationId, at));
    },
  };
}

/**
 * Conversations and the inbox: the resolver's upserts, reads, and the changes agents (and routing)
 * make, each recorded as an event or a note on the customer's timeline.
 */
export function conversationRepository(db: DynamoDb, timeline: Timeline) {
  /** A conversation, or undefined. */
  const getConversation = async (conversationId: string): Promise<Conversation | undefined> => {
    const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId)));
    return out.Item ? conversationOfItem(out.Item) : undefined;
  };
  const existing = async (conversationId: string): Promise<Conversation> => {
    const conversation = await getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
    return conversation;
  };
  return {
    /** Upserts the conversation an event belongs to. */
    touchConversation: (touch: ConversationTouch) => touchConversation(db, touch),
    getConversation,
    ...waitingWrites(db, timeline),
    /** The inbox: conversations of a status, longest waiting first. */
    inbox: (filter: InboxFilter, page: { limit: number; cursor?: string | undefined }) =>
      inbox(db, filter, page),
    /** Resolves a conversation; the customer's next message within the window reopens it. */
    async resolveConversation(conversationId: string, agentId: string, now: string): Promise<void> {
      await existing(conversationId);
      await changeStatus(db, timeline, conversationId, { to: 'resolved', agentId, now });
    },
    /** Reopens a resolved conversation by hand, back in the open inbox. */
    async reopenConversation(conversationId: string, agentId: string, now: string): Promise<void> {
      const conversation = await existing(conversationId);
      // Open already (a retry after a crash, perhaps): only its assignee's count may be left to do.
      if (conversation.status === 'open') return syncAgentLoadOf(db, conversationId);
      await changeStatus(db, timeline, conversationId, { to: 'reopened', agentId, now });
    },
    /** An internal note on the conversation's timeline; agents see it, customers never do. */
    async addNote(
      conversationId: string,
      text: string,
      agentId: string,
      now: string,
      noteId: string,
      authorKind: 'agent' | 'ai' = 'agent',
    ) {
      const { customerId } = await existing(conversationId);
      const item: TimelineItem = {
        id: `note:${noteId}`,
        type: 'note',
        at: now,
        customerId,
        conversationId,
        text,
        data: { author: { kind: authorKind, id: agentId } },
      };
      await timeline.putTimelineItem(item, undefined);
      return item;
    },
    /** Assigns (or transfers) a conversation to an agent and/or a queue, recorded on the timeline. */
    async assign(
      conversationId: string,
      target: AssignTarget,
      by: string,
      now: string,
      /** The timeline event's id, for a caller that must record one assignment however often it runs. */
      eventId: string = `assigned:${conversationId}:${now}`,
      options: { ifUnassigned?: boolean } = {},
    ): Promise<boolean> {
      const conversation = await existing(conversationId);
      const change = { by, now, eventId, ifUnassigned: options.ifUnassigned };
      return assign(db, timeline, conversation, target, change);
    },
  };
}

/** The conversation repository's methods. */
export type ConversationRepository = ReturnType<typeof conversationRepository>;
