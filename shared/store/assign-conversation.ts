import type { Conversation, TimelineItem } from '../domain/timeline.js';
import { syncAgentLoad, syncAgentLoadOf, syncAgentLoadOrGone } from './agent-load.js';
import { type DynamoDb, getItem, updateItem, updateItemIf, updateItemReturningIf } from './dynamo-client.js';
import { eventItem } from './events.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { type AssignTarget, assignConversationInput } from './params/conversations.js';

/** Where an assignment records its event. */
export type Timeline = { putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean> };

/**
 * Routing's assignment on the hand-off of one item (`routed`: `<at>#<item id>`), its event's key and
 * time; `release`: agents whose set held the conversation before (an earlier run's claim).
 */
export type RoutedChange = {
  by: string;
  now: string;
  eventId: string;
  routed: string;
  release?: readonly string[] | undefined;
};

/** Who had the conversation and who has it now: the `assigned` event's fields, to be recorded. */
function assignedEvent(
  conversation: Conversation,
  to: { agentId: unknown; queue: unknown },
  change: { by: string; now: string; eventId: string; reason?: string | undefined },
): TimelineItem {
  return eventItem(conversation.customerId, change.now, change.eventId, 'assigned', {
    conversationId: conversation.id,
    from: { agentId: conversation.assignee ?? null, queue: conversation.queue ?? null },
    to: { agentId: to.agentId ?? null, queue: to.queue ?? null },
    by: change.by,
    ...(change.reason ? { reason: change.reason } : {}),
  });
}

/** Assigns a conversation and records who had it and who has it now on the timeline. */
export async function assign(
  db: DynamoDb,
  timeline: Timeline,
  conversation: Conversation,
  target: AssignTarget,
  change: {
    by: string;
    now: string;
    eventId: string;
    ifUnassigned?: boolean | undefined;
    ifAssignee?: string | undefined;
    /** Agents whose set got the conversation before this write (a claim): released unless it is theirs. */
    release?: readonly string[] | undefined;
    /** Why it moved, when Threadline moved it on its own (`agent_away`, `agent_offline`, `agent_removed`): on the event. */
    reason?: string | undefined;
  },
): Promise<boolean> {
  const input = assignConversationInput(db.table, conversation.id, target, {
    ifUnassigned: change.ifUnassigned,
    ifAssignee: change.ifAssignee,
    at: change.now,
  });
  const sync = { heldBy: change.release };
  if (change.ifUnassigned) {
    const taken = await updateItemIf(db, input);
    // Taken by another (or by this call's crashed first run): their count is made right all the same.
    await syncAgentLoadOf(db, conversation.id, sync);
    if (!taken) return false;
  } else if (change.ifAssignee !== undefined) {
    // Another agent has it now (the caller's view was stale): nothing written, nothing to count.
    const out = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
    if (!out) {
      if (change.release?.length) await syncAgentLoadOf(db, conversation.id, sync);
      return false;
    }
    await syncAgentLoad(db, out, sync);
  } else {
    const out = await updateItem(db, { ...input, ReturnValues: 'ALL_NEW' });
    if (out.Attributes) await syncAgentLoad(db, out.Attributes, sync);
  }
  const to = {
    agentId: target.agentId ?? conversation.assignee,
    queue: target.queue ?? conversation.queue,
  };
  await timeline.putTimelineItem(assignedEvent(conversation, to, change), undefined);
  return true;
}

/**
 * Routing's assignment on the hand-off of one item (`routed`: `<at>#<item id>`): written only when no
 * routing of that item or a later one assigned the conversation (see `assignConversationInput`), so
 * two deliveries of one message at once choose one agent, and a redelivery after a crash keeps the
 * first run's. When the write does not apply, one strong read: the assignment standing for this item
 * is completed (the agents' counts, the event, keyed as every run keys it) and answered; a later
 * item's answers undefined and records nothing. The event's `to` is what the conversation holds.
 * The target agent claimed their slot before (`claimAgentSlotInput`): their set, and those of
 * `release`, let the conversation go unless it is theirs (another delivery or item chose another).
 */
export async function assignRouted(
  db: DynamoDb,
  timeline: Timeline,
  conversation: Conversation,
  target: AssignTarget,
  change: RoutedChange,
): Promise<{ agentId: string | undefined } | undefined> {
  const input = assignConversationInput(db.table, conversation.id, target, {
    routedFor: change.routed,
    at: change.now,
  });
  const written = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
  const item =
    written ?? (await getItem(db, getInput(db.table, Keys.conversation(conversation.id), true))).Item;
  const heldBy = [...(target.agentId ? [target.agentId] : []), ...(change.release ?? [])];
  if (item?.routedFor !== change.routed) {
    if (heldBy.length) await syncAgentLoadOrGone(db, conversation.id, item, { heldBy });
    return undefined;
  }
  await syncAgentLoad(db, item, { heldBy });
  const to = { agentId: item.assignee, queue: item.queue };
  await timeline.putTimelineItem(assignedEvent(conversation, to, change), undefined);
  return { agentId: typeof item.assignee === 'string' ? item.assignee : undefined };
}
