import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { TrackClock } from '#shared/domain/clock-ports.js';
import type { RefillAgent } from '#shared/domain/refill-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { type AuditDeps, audited } from './audited.js';
import { refillHolder } from './refill-holder.js';

/** Who resolves the merged-away customer's open conversation (its `resolvedBy`): the merge, no agent. */
export const MERGE_AUTHOR_ID = 'merge';

/** Who merges which customer into which: the source's identities and timeline join the target. */
export interface MergeRequest {
  targetId: string;
  sourceId: string;
  agentId: string;
}

/** What a merge needs: the profiles, the merge itself, and the quiet resolve of the source's conversation. */
export type MergeDeps = {
  store: Pick<AgentStore, 'getCustomer' | 'getConversation'>;
  admin: Pick<AgentAdmin, 'merge' | 'resolveConversation' | 'addNote'>;
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
  const kept = await closeMergedConversation(deps, { targetId, sourceId });
  // The kept profile the quiet resolve read, when it is the target's: read after the merge, and the
  // resolve writes only the source's profile and conversation, so it is the answer (one read fewer).
  // When the target was merged into another customer first, the kept one is that root: read the target.
  return kept?.id === targetId ? kept : deps.store.getCustomer(targetId);
}

/**
 * Resolves the merged-away customer's open conversation quietly, when the kept customer's open
 * conversation carries it (below): nothing the customer writes lands in
 * it any more (their identities now resolve to the kept customer), so its own targets, follow-ups,
 * auto-resolve and survey would act on an issue the kept customer's conversation now carries. A note
 * says where it went; the resolve (by `merge`, `csat: false`, `merged`) ends its targets with no outcome (the kept conversation counts the issue) and makes its timers
 * stale. Keyed like any resolve and note, so a merge asked again completes it and repeats nothing. The
 * agent who had it takes waiting work (`refillHolder`), never this one. Answers the kept customer's
 * profile it read (after the merge), if it read one.
 */
async function closeMergedConversation(
  deps: MergeDeps,
  merged: { targetId: string; sourceId: string },
): Promise<Customer | undefined> {
  const source = await deps.store.getCustomer(merged.sourceId);
  const conversationId = source?.openConversationId;
  if (!conversationId || !source.mergedInto) return undefined;
  const kept = await deps.store.getCustomer(source.mergedInto);
  const carried = kept && (await carriedByKept(deps, conversationId, kept));
  if (!carried) return kept;
  const now = deps.clock.now().toISOString();
  const text = `Merged into customer ${source.mergedInto}: this conversation was resolved by the merge; the customer's messages now go to that customer's conversation.`;
  await deps.admin.addNote(conversationId, text, MERGE_AUTHOR_ID, now, `merged:${conversationId}`);
  const at = await deps.admin.resolveConversation(conversationId, MERGE_AUTHOR_ID, now);
  if (at !== undefined) {
    await deps.track?.({ type: 'resolved', conversationId, at, csat: false, merged: true });
    // A resolve keeps the assignee: the agent who had it (as read) has room again.
    await refillHolder(deps, carried.holder, conversationId);
  }
  return kept;
}

/**
 * Whether the kept customer's own open conversation can carry what the merged-away one holds (then who
 * has the merged-away one, as read, else undefined): it must
 * exist (else the merged-away one is the person's only open conversation and stays open), and when the
 * merged-away one waits for an answer, the kept one must wait too, so an unanswered message is never
 * closed away from the inbox's waiting list.
 */
async function carriedByKept(
  deps: MergeDeps,
  conversationId: string,
  kept: Customer,
): Promise<{ holder: string | undefined } | undefined> {
  const keptConversationId = kept.openConversationId;
  if (!keptConversationId || keptConversationId === conversationId) return undefined;
  const [mergedAway, keptConversation] = await Promise.all([
    deps.store.getConversation(conversationId),
    deps.store.getConversation(keptConversationId),
  ]);
  if (keptConversation?.status !== 'open') return undefined;
  const carries = !mergedAway?.waitingSince || keptConversation.waitingSince !== undefined;
  return carries ? { holder: mergedAway?.assignee } : undefined;
}
