import type { AgentAdmin, AgentStore, MergedConversationAdmin } from '#shared/domain/agent-ports.js';
import type { TrackClock } from '#shared/domain/clock-ports.js';
import type { RefillAgent } from '#shared/domain/refill-ports.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { type AuditDeps, audited } from './audited.js';
import { refillHolder } from './refill-holder.js';

/** Who resolves the merged-away customer's open conversation joined into the kept one (its `resolvedBy`): the merge, no agent. */
export const MERGE_AUTHOR_ID = 'merge';

/** Who merges which customer into which: the source's identities and timeline join the target. */
export interface MergeRequest {
  targetId: string;
  sourceId: string;
  agentId: string;
}

/** What a merge needs: the profiles, the merge itself, and what becomes of the source's open conversation. */
export type MergeDeps = {
  store: Pick<AgentStore, 'getCustomer' | 'getConversation'>;
  admin: Pick<AgentAdmin, 'merge' | 'resolveConversation' | 'addNote'> & MergedConversationAdmin;
  track?: TrackClock | undefined;
  /** Gives the agent who had the merged-away conversation the waiting conversations of their queues. */
  refill?: RefillAgent | undefined;
} & AuditDeps;

/** Merges one customer into another as an admin, writes the audit record, and answers the target. */
export async function mergeCustomers(
  deps: MergeDeps,
  { targetId, sourceId, agentId }: MergeRequest,
): Promise<Customer | undefined> {
  // The record names the customers asked for and those the merge went between (a customer merged
  // before stands for the one it was merged into), so the kept customer's audit shows how data came to it.
  await audited(
    deps,
    { agentId, action: 'merge', customerIds: [targetId, sourceId] },
    () => deps.admin.merge(targetId, sourceId, agentId, deps.clock.now().toISOString()),
    () => 'ok',
    (roots) => [...new Set([targetId, sourceId, roots.targetId, roots.sourceId])],
  );
  const kept = await settleMergedConversation(deps, { targetId, sourceId });
  // The kept profile the settling read, when it is the target's: read after the merge, and the settling
  // writes only the source's profile and the conversations (and, taking the source's open conversation,
  // the kept profile's pointer, which it answers), so it is the answer (one read fewer).
  // When the target was merged into another customer first, the kept one is that root: read the target.
  return kept?.id === targetId ? kept : deps.store.getCustomer(targetId);
}

/**
 * What becomes of the merged-away customer's open conversation, as a help desk does it: joined into the
 * kept customer's open one (`joinMergedConversation`), or, when the kept customer has none open, theirs
 * from now on (it names them, their profile holds it: their next message, reply and resolve go there).
 * Every step is conditional or keyed, so a merge asked again completes it and repeats nothing; one that
 * finds the kept profile holding it already only has the merged-away profile let go. Answers the kept
 * customer's profile it read (after the merge), if it read one.
 */
async function settleMergedConversation(
  deps: MergeDeps,
  merged: { targetId: string; sourceId: string },
  retried = false,
): Promise<Customer | undefined> {
  const source = await deps.store.getCustomer(merged.sourceId);
  const conversationId = source?.openConversationId;
  if (!conversationId || !source.mergedInto) return undefined;
  const kept = await deps.store.getCustomer(source.mergedInto);
  if (!kept) return kept;
  if (kept.openConversationId === conversationId) {
    await deps.admin.releaseAdopted(source.id, conversationId);
    return kept;
  }
  const keptConversationId = kept.openConversationId;
  const [mergedAway, keptConversation] = await Promise.all([
    deps.store.getConversation(conversationId),
    keptConversationId ? deps.store.getConversation(keptConversationId) : undefined,
  ]);
  if (!mergedAway) return kept;
  // Also when it is resolved already, by a join that stopped before the profile let go of it: the join
  // asked again completes that resolve (it repeats nothing).
  if (keptConversation?.status === 'open') {
    const joining = { sourceId: source.id, keptId: kept.id, mergedAway, kept: keptConversation };
    await joinMergedConversation(deps, joining);
    return kept;
  }
  // A pointer left by a resolve that has not finished: that resolve's retry settles it; nothing here.
  if (keptConversationId || mergedAway.status !== 'open') return kept;
  const customers = { sourceId: source.id, targetId: kept.id };
  if (await deps.admin.adoptConversation(conversationId, customers)) {
    return { ...kept, openConversationId: conversationId };
  }
  // The kept customer wrote meanwhile (a conversation of theirs opened): join into it, once.
  return retried ? kept : settleMergedConversation(deps, merged, true);
}

/**
 * Joins the merged-away customer's open conversation into the kept one: the kept conversation shows its
 * channels (the inbox's channel filter finds it there) and names it (an email reply continues its mail
 * thread), takes its channel when the customer wrote there last (the survey asks on it), and, when it
 * waited for an answer, waits from then (unless an answer as new was given in the kept one): its clock
 * hears of it as of the customer's message, so the answer in the kept conversation counts. Then the
 * merged-away one is resolved quietly: a note says where it went; the resolve (by `merge`, `csat:
 * false`, `merged`) ends its targets with no outcome and makes its timers stale. The agent who had it
 * takes waiting work (`refillHolder`), never this one.
 */
async function joinMergedConversation(
  deps: MergeDeps,
  joining: { sourceId: string; keptId: string; mergedAway: Conversation; kept: Conversation },
): Promise<void> {
  const { mergedAway, kept } = joining;
  const conversationId = mergedAway.id;
  await deps.admin.joinConversation(kept.id, mergedAway, kept);
  const waiting = mergedAway.waitingSince;
  // A retry finds the wait started already (`kept` as read): its clock is told again, as a redelivery is.
  if (waiting && ((await deps.admin.waitFromJoined(kept.id, waiting)) || kept.waitingSince === waiting)) {
    await deps.track?.({ type: 'inbound', conversationId: kept.id, at: waiting });
  }
  const now = deps.clock.now().toISOString();
  const text = `Merged into customer ${joining.keptId}: this conversation was joined into ${kept.id} and resolved by the merge; the customer's messages now go there.`;
  await deps.admin.addNote(conversationId, text, MERGE_AUTHOR_ID, now, `merged:${conversationId}`);
  const at = await deps.admin.resolveConversation(conversationId, MERGE_AUTHOR_ID, now);
  if (at !== undefined) {
    await deps.track?.({ type: 'resolved', conversationId, at, csat: false, merged: true });
    // A resolve keeps the assignee: the agent who had it (as read) has room again.
    await refillHolder(deps, mergedAway.assignee, conversationId);
  }
  // Taken by the kept customer before another of theirs opened: the resolve let go of their profile only.
  if (mergedAway.customerId !== joining.sourceId)
    await deps.admin.releaseAdopted(joining.sourceId, conversationId);
}
