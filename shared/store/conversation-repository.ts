import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { KeyedNote } from '../domain/agent-ports.js';
import type { InboxFilter } from '../domain/inbox.js';
import { followMerges } from '../domain/merge-walks.js';
import type { Page } from '../domain/paging.js';
import type { ConversationTouch, TouchedConversation } from '../domain/resolver-ports.js';
import type { ConversationSnapshot } from '../domain/routing/conversation-state.js';
import { conversationOfItem } from '../domain/stored-items.js';
import type { Conversation, TimelineItem } from '../domain/timeline.js';
import type { OwedHandOff } from '../domain/waiting.js';
import { NotFoundError } from '../errors.js';
import { syncAgentLoad } from './agent-load.js';
import type { Timeline } from './assign-conversation.js';
import { assign, assignRouted, type RoutedChange } from './assign-conversation.js';
import { decodeAfterCursor, encodeCursor } from './cursor.js';
import {
  type DynamoDb,
  getItem,
  updateCurrentOrStaleReturning,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { eventItem } from './events.js';
import { fullItems } from './hydrate.js';
import { noteItem, putKeyedNote } from './keyed-notes.js';
import { inboxDuePartitions, inboxPartitions, Keys } from './keys.js';
import { owedHandOffs, reopenedOnFailure } from './late-failure.js';
import { getInput } from './params/common.js';
import { conversationStateOf, earlierInboundSinceInput } from './params/conversation-state.js';
import {
  type AssignTarget,
  claimCsatAnswerInput,
  earlierPreviewInput,
  earlierWaitInput,
  holdOpenConversationInput,
  isOvertaken,
  lateReopenFollowUp,
  laterInboundInput,
  queryInboxInput,
  releaseOpenConversationInput,
  reopenConversationInput,
  resolveConversationInput,
  touchConversationInput,
} from './params/conversations.js';
import { getSurveyHolderInput, voidCsatPendingInput } from './params/customers.js';
import {
  dropAnsweredWaitInput,
  dropUnreachableWaitInput,
  followUpAnswerInput,
  lateFailureReopenInput,
  lateFailureWaitInput,
  listInInboxInput,
  markAnsweredInput,
  startWaitingInput,
} from './params/waiting.js';
import { keepReopenLanguage } from './reopen-language.js';
import { mergeShards } from './sharded-query.js';
import { INDEX_KEYS, LIST_INDEX } from './table.js';

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
  const after = decodeAfterCursor(page.cursor);
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

/** An assignment's conditions, the claims it settles and why Threadline made it (see RouterAdmin's `assign`). */
type AssignOptions = {
  ifUnassigned?: boolean;
  ifAssignee?: string;
  release?: readonly string[];
  reason?: string;
};

/** A status change: the status it reaches, who makes it and when. */
type StatusChange = { to: 'resolved' | 'reopened'; agentId: string; now: string };

/** When and by whom the item says it reached the status (`resolvedAt`/`resolvedBy`, `reopenedAt`/`reopenedBy`). */
function statusStamp(item: Record<string, unknown>, to: StatusChange['to']): { at: unknown; by: unknown } {
  return to === 'resolved'
    ? { at: item.resolvedAt, by: item.resolvedBy }
    : { at: item.reopenedAt, by: item.reopenedBy };
}

/**
 * The conversation item as a conditional write left it (`ALL_NEW`), or, when its condition failed, as
 * it stands now (one strong read), with whether the write applied.
 */
async function writtenOrNow(
  db: DynamoDb,
  input: UpdateCommandInput,
  conversationId: string,
): Promise<{ written: boolean; item: Record<string, unknown> | undefined }> {
  const written = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
  if (written) return { written: true, item: written };
  const now = await getItem(db, getInput(db.table, Keys.conversation(conversationId), true));
  return { written: false, item: now.Item };
}

/**
 * What follows a conversation's status write, from the item as the write left it: its assignee's open
 * conversations, then the profile's open conversation and the event on the timeline (a resolve's event
 * first: a merge asked again completes from the merged-away profile's pointer), at the time and by the
 * author the item keeps (`resolvedAt`/`resolvedBy`, `reopenedAt`/`reopenedBy`). Each write is conditional
 * or keyed, so running it again (a retry after a crash, a second click) completes what was left and
 * repeats nothing. A conversation open with no hand reopen recorded (the customer's message reopened it) gets no event.
 */
export async function followStatus(
  db: DynamoDb,
  timeline: Timeline,
  item: Record<string, unknown>,
  to: StatusChange['to'],
): Promise<void> {
  await syncAgentLoad(db, item);
  const id = String(item.id);
  const customerId = String(item.customerId);
  const { at, by } = statusStamp(item, to);
  const recorded = typeof at === 'string' && typeof by === 'string';
  const event = () => eventItem(customerId, String(at), `${to}:${id}:${at}`, to, { conversationId: id, by });
  if (to === 'resolved') {
    if (recorded) await timeline.putTimelineItem(event(), undefined);
    return void (await updateItemIf(db, releaseOpenConversationInput(db.table, customerId, id, String(at))));
  }
  await updateItemIf(db, holdOpenConversationInput(db.table, customerId, id));
  if (typeof at === 'string') await voidReopenedSurvey(db, customerId, id, at);
  if (recorded) await timeline.putTimelineItem(event(), undefined);
}

/**
 * A reopen voids the pending survey about the conversation at once (a reply then is about the
 * conversation, not a score), also while another conversation is the profile's open one: on the
 * customer's profile and each one it was merged into (the root's is the one the resolver reads; the
 * customer's own is what a retried merge would carry). One strong read per profile; a conditional
 * write only where that survey is pending.
 */
async function voidReopenedSurvey(db: DynamoDb, customerId: string, conversationId: string, at: string) {
  await followMerges(async (id) => {
    const item = (await getItem(db, getSurveyHolderInput(db.table, id))).Item;
    const pending = item?.csatPending as { conversationId?: unknown } | undefined;
    if (pending?.conversationId === conversationId) {
      await updateItemIf(db, voidCsatPendingInput(db.table, id, conversationId, at));
    }
    return { mergedInto: typeof item?.mergedInto === 'string' ? item.mergedInto : undefined };
  }, customerId);
}

/**
 * Resolves or reopens a conversation by hand: the status write (conditional on the status before), then
 * what follows it (`followStatus`). When the conversation has that status already (a second click, two
 * agents at once, a retry after a crash), the item is read and what follows the earlier change is
 * completed from it. Answers the time the status stands at (now, or the earlier change's), or
 * undefined when the conversation does not have it (changed back meanwhile, or reopened by a message).
 */
async function changeStatus(
  db: DynamoDb,
  timeline: Timeline,
  conversationId: string,
  change: StatusChange,
): Promise<string | undefined> {
  const { to, agentId, now } = change;
  const input =
    to === 'resolved'
      ? resolveConversationInput(db.table, conversationId, now, agentId)
      : reopenConversationInput(db.table, conversationId, now, agentId);
  const { item } = await writtenOrNow(db, input, conversationId);
  if (!item || item.status !== (to === 'resolved' ? 'resolved' : 'open')) return undefined;
  await followStatus(db, timeline, item, to);
  const { at } = statusStamp(item, to);
  return typeof at === 'string' ? at : undefined;
}

/** A conversation item read as a conversation and its routing state. */
export function conversationSnapshotOf(item: Record<string, unknown>): ConversationSnapshot {
  return { conversation: conversationOfItem(item), state: conversationStateOf(item) };
}

/** Whether `at` is a time later than `than` (or `than` is none). */
const isLater = (at: unknown, than: unknown): boolean =>
  typeof at === 'string' && (typeof than !== 'string' || at > than);

/** Upserts the conversation an event belongs to, answering it as the write left it when current. */
async function touchConversation(db: DynamoDb, touch: ConversationTouch): Promise<TouchedConversation> {
  const out = await updateCurrentOrStaleReturning(db, {
    // The conversation as this write leaves it, with its routing state: routing reads no more.
    current: { ...touchConversationInput(db.table, touch, 'current'), ReturnValues: 'ALL_NEW' },
    // The stale update answers the item as it left it: the preview's follow-up only when it is later.
    stale: { ...touchConversationInput(db.table, touch, 'stale'), ReturnValues: 'ALL_NEW' },
    followUp: touch.inbound
      ? (stale) =>
          [
            earlierWaitInput(db.table, touch, stale),
            earlierInboundSinceInput(db.table, touch),
            ...(isLater(stale?.previewAt, touch.at) ? [earlierPreviewInput(db.table, touch)] : []),
            ...(isLater(touch.at, stale?.lastInboundAt) ? [laterInboundInput(db.table, touch)] : []),
          ].filter((input) => input !== undefined)
      : undefined,
  });
  const latestInbound = touch.inbound && !isLater(out.attributes?.lastInboundAt, touch.at);
  // A late reopen leaves its last times to a forward-only write (the reopen may be the older).
  const late = out.current ? lateReopenFollowUp(db.table, touch, out.attributes) : undefined;
  if (late) await updateItemIf(db, late.input);
  if (late) out.attributes = { ...out.attributes, ...late.moves };
  if (out.current) out.attributes = await keepReopenLanguage(db, touch, out.attributes);
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
  const overtaken = touch.inbound && isOvertaken(out.attributes, touch) ? { overtaken: true } : {};
  return { current: out.current, snapshot, latestInbound, ...(unlisted ? { unlisted } : {}), ...overtaken };
}

/** The conditional writes that start and end a wait (`params/waiting.ts`; no-ops when their condition fails). */
function waitingWrites(db: DynamoDb, timeline: Timeline) {
  return {
    /** The customer's message starts a wait on the open conversation, unless one runs or it was answered. */
    async startWaiting(
      conversationId: string,
      at: string,
      failed?: string,
      receivedAt?: string,
      handOff?: OwedHandOff,
    ): Promise<boolean> {
      return updateItemIf(db, startWaitingInput(db.table, conversationId, at, failed, receivedAt, handOff));
    },
    /** A message no channel can answer ends the wait its opening touch started (conditional). */
    async dropUnreachableWait(conversationId: string, since: string): Promise<void> {
      await updateItemIf(db, dropUnreachableWaitInput(db.table, conversationId, since));
    },
    /**
     * A reply the provider took failed later: its wait starts again from `at`, if no answer came after
     * it and the conversation is open. True when it did.
     */
    async startWaitingAfterFailure(
      conversationId: string,
      at: string,
      failed: string,
      handOff?: OwedHandOff,
    ): Promise<boolean> {
      const input = lateFailureWaitInput(db.table, conversationId, at, failed, handOff);
      const item = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
      // Reopened for this failure by a run that crashed before the rest (`reopenAfterFailure`): completed.
      if (item && reopenedOnFailure(item, failed)) await followStatus(db, timeline, item, 'reopened');
      return item !== undefined;
    },
    /**
     * A reply the provider took failed later (`failed`, its time as an answer) after its conversation
     * was resolved: reopened as by hand, by `DELIVERY_AUTHOR_ID`, if that resolve came after the reply,
     * no later answer was recorded and the customer has not written since (`lateFailureReopenInput`);
     * then it waits again as an open one does (from `at`, or from the reopen when a later answer was
     * recorded before). True when it reopened. When the write does not apply, one read: reopened for
     * this failure already (a redelivered status after a crash), what follows the reopen is completed.
     */
    async reopenAfterFailure(
      conversationId: string,
      at: string,
      failed: string,
      now: string,
      handOff?: OwedHandOff,
    ): Promise<boolean> {
      const input = lateFailureReopenInput(db.table, conversationId, now, failed);
      const { written, item } = await writtenOrNow(db, input, conversationId);
      // Reopened for this failure already, its wait not moved since (so maybe a crash right after the
      // reopen's write): what follows the reopen is completed, each write repeating nothing.
      if (!item || !reopenedOnFailure(item, failed) || item.waitingSince !== item.reopenedAt) return false;
      await followStatus(db, timeline, item, 'reopened');
      await updateItemIf(db, lateFailureWaitInput(db.table, conversationId, at, failed, handOff));
      return written;
    },
    ...owedHandOffs(db),
    /** Lists an open conversation its opening message left out of the inbox (`listLater`), at its place. */
    async listInInbox(conversationId: string): Promise<void> {
      await updateItemIf(db, listInInboxInput(db.table, conversationId));
    },
    /**
     * An answer reached the customer: the conversation stops waiting, unless they wrote since. One that
     * ended no wait (a follow-up reply) is kept as the latest answer sent, one write more.
     */
    async markAnswered(conversationId: string, at: string): Promise<void> {
      if (await updateItemIf(db, markAnsweredInput(db.table, conversationId, at))) return;
      await updateItemIf(db, followUpAnswerInput(db.table, conversationId, at));
    },
  };
}

/** A conversation, or undefined; read strongly with `consistent`. */
async function readConversation(
  db: DynamoDb,
  conversationId: string,
  options: { consistent?: boolean },
): Promise<Conversation | undefined> {
  const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId), !!options.consistent));
  return out.Item ? conversationOfItem(out.Item) : undefined;
}

/**
 * Conversations and the inbox: the resolver's upserts, reads, and the changes agents (and routing)
 * make, each recorded as an event or a note on the customer's timeline.
 */
export function conversationRepository(db: DynamoDb, timeline: Timeline) {
  /** A conversation, or undefined; with `consistent`, read strongly (it sees every write before it). */
  const getConversation = (conversationId: string, options: { consistent?: boolean } = {}) =>
    readConversation(db, conversationId, options);
  const existing = async (conversationId: string): Promise<Conversation> => {
    const conversation = await getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
    return conversation;
  };
  return {
    /** Upserts the conversation an event belongs to. */
    touchConversation: (touch: ConversationTouch) => touchConversation(db, touch),
    getConversation,
    /** Claims a survey's one score for an answer; false when another answer holds it (see the input). */
    claimCsatAnswer: (claim: { conversationId: string; surveyId: string; source: string }) =>
      updateItemIf(db, claimCsatAnswerInput(db.table, claim)),
    ...waitingWrites(db, timeline),
    /** The inbox: conversations of a status, longest waiting first. */
    inbox: (filter: InboxFilter, page: { limit: number; cursor?: string | undefined }) =>
      inbox(db, filter, page),
    /** Resolves a conversation; the customer's next message within the window reopens it. */
    async resolveConversation(
      conversationId: string,
      agentId: string,
      now: string,
    ): Promise<string | undefined> {
      await existing(conversationId);
      return changeStatus(db, timeline, conversationId, { to: 'resolved', agentId, now });
    },
    /** Reopens a resolved conversation by hand, back in the open inbox. */
    async reopenConversation(conversationId: string, agentId: string, now: string): Promise<void> {
      await existing(conversationId);
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
      const item = noteItem(await existing(conversationId), { text, agentId, now, noteId, authorKind });
      await timeline.putTimelineItem(item, undefined);
      return item;
    },
    /** An agent's note made once for its `Idempotency-Key` (`putKeyedNote`). */
    addKeyedNote: async (note: KeyedNote) =>
      putKeyedNote(db, timeline, noteItem(await existing(note.conversationId), note), note.requestHash),
    /** Assigns (or transfers) a conversation to an agent and/or a queue, recorded on the timeline. */
    async assign(
      conversationId: string,
      target: AssignTarget,
      by: string,
      now: string,
      /** The timeline event's id, for a caller that must record one assignment however often it runs. */
      eventId: string = `assigned:${conversationId}:${now}`,
      options: AssignOptions = {},
    ): Promise<boolean> {
      const conversation = await existing(conversationId);
      const change = { by, now, eventId, ...options };
      return assign(db, timeline, conversation, target, change);
    },
    /** Routing's assignment of one routed item, made once however often it runs (`assignRouted`). */
    assignRouted: async (conversationId: string, target: AssignTarget, change: RoutedChange) =>
      assignRouted(db, timeline, await existing(conversationId), target, change),
  };
}

/** The conversation repository's methods. */
export type ConversationRepository = ReturnType<typeof conversationRepository>;
