import type { AgentStore } from '#shared/domain/agent-ports.js';
import {
  type AgentProfile,
  type AgentRole,
  type AgentUpdate,
  applyAgentUpdate,
} from '#shared/domain/assignment.js';
import type { Clock } from '#shared/domain/ports.js';
import { ForbiddenError } from '#shared/errors.js';
import { type RequestRefillDeps, requestRefill } from './agent-refill.js';
import { refuseUnknownQueues } from './assign-conversation.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';
import { type ReturnHeldDeps, returnHeldConversations } from './return-held-conversations.js';

/**
 * Registers or updates the calling agent, audited (`agent_update`, their registration before and
 * after; a refused call too) (only the fields given change; `role`, theirs as they call,
 * noted on the admins' list for the agents list). Setting Away hands
 * the conversations of theirs that wait on the business back to their queue (`returnHeldConversations`);
 * otherwise they take the longest waiting conversations of their queues, up to their room, when they can
 * take any, after the answer (`requestRefill`: a refill timer, coalesced per agent; `takeNextWaiting`
 * reads nothing more when they cannot). Queues the routing policy does not
 * name are refused (422 `unknown_queue`, nothing saved): an online agent in a mistyped queue gets no hand-off.
 * An agent an admin removes as this runs is refused (403 `agent_removed`) and nothing of theirs is
 * written back (see `saveRegistration`).
 */
export async function updateAgent(
  deps: RequestRefillDeps &
    AuditDeps & {
      store: Pick<
        AgentStore,
        'getAgent' | 'putAgent' | 'heldConversations' | 'isAgentRemoved' | 'removeAgent' | 'noteAgentRole'
      > &
        ReturnHeldDeps['store'];
      queueNames?: (() => readonly string[]) | undefined;
    },
  agentId: string,
  update: AgentUpdate,
  role?: AgentRole,
): Promise<AgentProfile> {
  if (update.queues) refuseUnknownQueues(deps.queueNames, update.queues);
  const entry: AuditEntry = { agentId, action: 'agent_update', customerIds: [], subjectAgentId: agentId };
  const save = async () => {
    const saved = await saveRegistration(deps, agentId, update);
    entry.change = { before: saved.before ? changeSide(saved.before) : {}, after: changeSide(saved.agent) };
    return saved.agent;
  };
  const agent = Object.keys(update).length
    ? await audited(deps, entry, save)
    : await saveIfNew(deps, entry, save);
  if (role) await deps.store.noteAgentRole(agentId, role);
  // Said in this call (a retry completes what a crash left), never on a profile edit while away.
  if (update.presence === 'away') {
    const held = await deps.store.heldConversations(agentId);
    await returnHeldConversations(deps, agentId, 'agent_away', held);
  } else await requestRefill(deps, agentId);
  return agent;
}

/**
 * A call that sets nothing (`{}`, the console's call at sign-in): recorded when it makes the first
 * registration (a new agent's, or a restored one's again: `before` empty) or is refused as removed,
 * not when it finds the registration there, which it leaves as it was.
 */
async function saveIfNew(deps: AuditDeps, entry: AuditEntry, save: () => Promise<AgentProfile>) {
  const agent = await save().catch((error: unknown) =>
    error instanceof ForbiddenError
      ? audited(deps, entry, () => Promise.reject(error))
      : Promise.reject(error),
  );
  const before = entry.change?.before;
  return before && Object.keys(before).length === 0 ? audited(deps, entry, async () => agent) : agent;
}

/** What an agent's audit record keeps of their registration: what they set, not when. */
const changeSide = ({ presence, queues, languages, capacity }: AgentProfile) => ({
  presence,
  queues,
  languages,
  capacity,
});

const removedMeanwhile = () =>
  new ForbiddenError('an admin removed this agent: ask an admin to restore you', 'agent_removed');

/**
 * Writes the agent's registration without bringing back one a removal retired: an update only while
 * the registration read is there (a removal retires it), a first registration only while none is, or
 * a retired one (two at once: the second updates the first's), then the removal record looked at (one
 * strong GetItem, first registrations only): a removal recorded since finds the registration and retires it, or this
 * look finds the removal and retires it, whatever their order. Either way refused, 403 `agent_removed`.
 */
async function saveRegistration(
  deps: { store: Pick<AgentStore, 'getAgent' | 'putAgent' | 'isAgentRemoved' | 'removeAgent'>; clock: Clock },
  agentId: string,
  update: AgentUpdate,
): Promise<{ agent: AgentProfile; before: AgentProfile | undefined }> {
  for (let attempt = 0; ; attempt++) {
    const registered = await deps.store.getAgent(agentId);
    const agent = applyAgentUpdate(agentId, registered, update, deps.clock.now().toISOString());
    if (!(await deps.store.putAgent(agent, registered ? 'registered' : 'new'))) {
      if (registered || attempt > 0) throw removedMeanwhile();
      continue;
    }
    if (!registered && (await deps.store.isAgentRemoved(agentId))) {
      await deps.store.removeAgent(agentId, deps.clock.now().toISOString());
      throw removedMeanwhile();
    }
    return { agent, before: registered };
  }
}
