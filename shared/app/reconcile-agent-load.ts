import {
  type ConversationLoad,
  goneLoad,
  heldByOf,
  loadSuspects,
  needsLoadFix,
} from '#shared/domain/agent-load.js';
import type { AgentLoadStore } from '#shared/domain/agent-ports.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/** What reconciling the agents' load needs: its store, and take-next for an agent it frees. */
export interface ReconcileAgentLoadDeps extends TakeNextWaitingDeps {
  load: AgentLoadStore;
}

/** What one reconcile found and did (counts only). */
export interface AgentLoadReport {
  /** Open conversations with an assignee, as the index listed them. */
  assigned: number;
  agents: number;
  /** Conversations on which the index and the sets disagreed, each read strongly. */
  suspects: number;
  /** Conversations whose sets were brought in line. */
  fixed: number;
  /** Fixed ones that had changed again by the check after the fix, and were fixed once more. */
  refixed: number;
}

interface Fix {
  load: ConversationLoad;
  heldBy: readonly string[];
}

/**
 * Makes every agent's set of open conversations agree with the conversations themselves, healing what a
 * race between two writes (or an erasure) left, and conversations assigned before the sets existed.
 * Differences between the inbox index and the sets are only suspects: each is read strongly, and only
 * a confirmed one is fixed, with the set writes the assignment paths make (a repeat changes nothing).
 * A fixed conversation is read once more: one that a live write changed meanwhile is fixed again (a
 * later run catches any it changes after). An agent a fix freed takes the next waiting conversation.
 */
export async function reconcileAgentLoad(deps: ReconcileAgentLoadDeps): Promise<AgentLoadReport> {
  const [assignments, sets] = await Promise.all([
    deps.load.listOpenAssignments(),
    deps.load.listAgentLoadSets(),
  ]);
  const registered = new Set(sets.map((set) => set.agentId));
  const heldBy = heldByOf(sets);
  const suspects = loadSuspects(assignments, sets);
  const loads = await deps.load.readConversationLoads(suspects);
  const fixes: Fix[] = suspects.flatMap((id) => {
    const load = loads.get(id) ?? goneLoad(id);
    const held = heldBy.get(id) ?? [];
    return needsLoadFix(load, held, registered) ? [{ load, heldBy: held }] : [];
  });
  for (const fix of fixes) await deps.load.settleConversationLoad(fix.load, fix.heldBy);
  const refixed = await fixChangedAgain(deps.load, fixes);
  const freed = new Set(fixes.flatMap((fix) => fix.heldBy.filter((agentId) => agentId !== fix.load.holder)));
  for (const agentId of [...freed].sort()) await takeNextWaiting(deps, agentId);
  return {
    assigned: assignments.length,
    agents: sets.length,
    suspects: suspects.length,
    fixed: fixes.length,
    refixed,
  };
}

/**
 * Reads the fixed conversations again and settles those whose holder changed since their read, the
 * agents the fix touched included: a fix racing a live assignment or resolve is made right at once.
 */
async function fixChangedAgain(load: AgentLoadStore, fixes: readonly Fix[]): Promise<number> {
  if (!fixes.length) return 0;
  const now = await load.readConversationLoads(fixes.map((fix) => fix.load.conversationId));
  let refixed = 0;
  for (const fix of fixes) {
    const again = now.get(fix.load.conversationId) ?? goneLoad(fix.load.conversationId);
    if (again.holder === fix.load.holder) continue;
    const touched = [...fix.heldBy, ...(fix.load.holder ? [fix.load.holder] : [])];
    await load.settleConversationLoad(again, touched);
    refixed += 1;
  }
  return refixed;
}
