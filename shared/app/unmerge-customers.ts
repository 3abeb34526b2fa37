import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { TrackClock } from '#shared/domain/clock-ports.js';
import type { Customer } from '#shared/domain/timeline.js';
import { type AuditDeps, audited } from './audited.js';
import type { MergeRequest } from './merge-customers.js';

/**
 * Undoes a merge as an admin, writes the audit record (`in_progress` for a call that moved part of what
 * a heavy target holds of the source, `ok` for the one that finished), and answers the target as it now
 * stands and whether the unmerge is complete (else: call again to carry on). Once complete, the source's
 * conversation the merge closed on an unanswered message is open again (`reopenAfterUnmerge`), and its
 * clock hears of it as of a message that reopens it (a fresh SLA from the reopen; no automation fires:
 * nobody wrote); every complete call asks, so a retry after a crash completes it, the clock applying
 * the event once. So does the kept customer's open conversation when its wait ran from the
 * returning customer's message (`keptWaitAfterUnmerge`): it waits from their own unanswered message, or
 * no more, and its clock moves the response target with it or ends it with no outcome (`waitLeft`).
 */
export async function unmergeCustomers(
  deps: {
    store: Pick<AgentStore, 'getCustomer'>;
    admin: Pick<AgentAdmin, 'unmerge' | 'reopenAfterUnmerge' | 'keptWaitAfterUnmerge'>;
    track?: TrackClock | undefined;
  } & AuditDeps,
  { targetId, sourceId, agentId }: MergeRequest,
): Promise<{ customer: Customer | undefined; complete: boolean }> {
  const progress = await audited(
    deps,
    { agentId, action: 'unmerge', customerIds: [targetId, sourceId] },
    () => deps.admin.unmerge(targetId, sourceId, agentId, deps.clock.now().toISOString()),
    (done) => (done.complete ? 'ok' : 'in_progress'),
  );
  if (progress.complete) {
    const reopened = await deps.admin.reopenAfterUnmerge?.(sourceId, deps.clock.now().toISOString());
    if (reopened) await deps.track?.({ type: 'inbound', ...reopened, reopened: true, unmerged: true });
    const left = await deps.admin.keptWaitAfterUnmerge?.(targetId, sourceId, deps.clock.now().toISOString());
    if (left) await deps.track?.({ type: 'waitLeft', ...left });
  }
  return { customer: await deps.store.getCustomer(targetId), complete: progress.complete };
}
