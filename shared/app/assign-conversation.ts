import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { ConflictError, UnprocessableError } from '#shared/errors.js';
import { claimAgent } from './claim-agent.js';
import { oneListing } from './return-held-conversations.js';
import { type TakeNextWaitingDeps, takeNextWaiting } from './take-next-waiting.js';

/** Where a conversation goes: an agent (`me` for the caller, "" for nobody) and/or a queue. */
export interface AssignTarget {
  agentId?: string | undefined;
  queue?: string | undefined;
  /** Who the caller saw holding it (`me`, "" for nobody): another holder now refuses it (409). */
  expectedAssignee?: string | undefined;
}

/**
 * What an assignment needs: the store (the conversation, the agents, the agents list a conversation sent
 * back to its queue is offered on), the admin's write, the policy's queues, and what refilling the agent
 * who handed it away needs.
 */
export interface AssignDeps extends TakeNextWaitingDeps {
  store: Pick<AgentStore, 'getConversation' | 'getAgent' | 'listAgents'> & TakeNextWaitingDeps['store'];
  admin: Pick<AgentAdmin, 'assign'>;
  clock: Clock;
  /** The routing policy's queue names; without them any queue is taken. */
  queueNames?: (() => readonly string[]) | undefined;
}

/**
 * Refuses (422) a target nobody would see: an agent who never registered (`PUT /api/agents/me`) other
 * than the caller, or a queue the routing policy does not have; a typo would hide the conversation.
 */
async function checkTarget(
  deps: AssignDeps,
  assignee: string | undefined,
  target: AssignTarget,
  agentId: string,
) {
  if (assignee && assignee !== agentId && !(await deps.store.getAgent(assignee))) {
    throw new UnprocessableError(`no agent "${assignee}" is registered (GET /api/agents)`, 'unknown_agent');
  }
  if (target.queue !== undefined) refuseUnknownQueues(deps.queueNames, [target.queue]);
}

/**
 * Refuses (422 `unknown_queue`) the queues of `asked` that the routing policy does not name, exactly
 * as routing compares them (case and all), naming each; without the policy's names any queue is taken.
 * An assignment or an agent's queue with a typo would otherwise hide conversations where nobody looks,
 * and an inbox filter with one would look like an empty queue.
 */
export function refuseUnknownQueues(
  queueNames: (() => readonly string[]) | undefined,
  asked: readonly string[],
): void {
  const queues = asked.length > 0 ? queueNames?.() : undefined;
  const unknown = queues ? asked.filter((q) => !queues.includes(q)) : [];
  if (!queues || unknown.length === 0) return;
  const names = unknown.map((q) => `"${q}"`).join(', ');
  throw new UnprocessableError(
    `no queue ${names} in the routing policy (queues: ${queues.join(', ')})`,
    'unknown_queue',
  );
}

/**
 * Assigns or transfers a conversation as the calling agent, and answers it as it now stands. With
 * `expectedAssignee` the write holds only while that agent (or nobody) has it: two agents pressing
 * "Assign to me" on one conversation, each on the view they had, give it to the first, and the second
 * is told who has it (409 `assignee_changed`), nothing written; without it the assignment overrides.
 * The agent who had it (the one `expectedAssignee` names, else who a strong read before the write
 * finds) has room again when it went to another agent or only to a queue: they take the longest-waiting
 * conversations of their queues (`takeNextWaiting`), this one excepted, even when it waits in one of them.
 * Sent to nobody (`agentId: ""`, back to the queue) while it waits on the business, it goes on to an
 * available agent of its queue other than the one it was taken from (`offerToQueue`), as a conversation
 * an agent hands back by going Away does; with nobody available it waits there.
 */
export async function assignConversation(
  deps: AssignDeps,
  { conversationId, target, agentId }: { conversationId: string; target: AssignTarget; agentId: string },
): Promise<Conversation | undefined> {
  const me = (id: string | undefined) => (id === 'me' ? agentId : id);
  const assignee = me(target.agentId);
  await checkTarget(deps, assignee, target, agentId);
  const ifAssignee = me(target.expectedAssignee);
  // Who had it: the write holds only while `ifAssignee` (or nobody) does; without it, read strongly.
  const holder =
    ifAssignee !== undefined
      ? ifAssignee || undefined
      : (await deps.store.getConversation(conversationId, { consistent: true }))?.assignee;
  const write = [conversationId, { agentId: assignee, queue: target.queue }, agentId] as const;
  const now = deps.clock.now().toISOString();
  const done =
    ifAssignee === undefined
      ? await deps.admin.assign(...write, now)
      : await deps.admin.assign(...write, now, undefined, { ifAssignee });
  // Read strongly: an eventually consistent read may miss this write, or the one that beat it.
  const after = await deps.store.getConversation(conversationId, { consistent: true });
  if (done === false) {
    const holder = after?.assignee ? `${after.assignee} has it` : 'nobody has it';
    throw new ConflictError(
      `the conversation changed hands since you saw it: ${holder} now (nothing was changed)`,
      'assignee_changed',
    );
  }
  const offered = assignee === '' && after ? await offerToQueue(deps, after, holder) : false;
  if (holder && after?.assignee !== holder) await takeNextWaiting(deps, holder, { skip: [conversationId] });
  return offered ? await deps.store.getConversation(conversationId, { consistent: true }) : after;
}

/** Whether a conversation waits in a queue for an agent: open, nobody's, not snoozed, the customer unanswered. */
const waitsInQueue = (c: Conversation, now: Date): c is Conversation & { queue: string } =>
  c.status === 'open' &&
  c.assignee === undefined &&
  c.queue !== undefined &&
  c.waitingSince !== undefined &&
  !(c.snoozedUntil !== undefined && Date.parse(c.snoozedUntil) > now.getTime());

/**
 * Offers a conversation sent back to its queue to an available agent of it, chosen and claimed as
 * routing's hand-off is (least loaded with room; no preference for the agent who last helped), never
 * `from`, the agent it was taken from; assigned by routing only while nobody has taken it meanwhile.
 * Cost, when it waits on the business: the agents list (one Query), a claim a try (at most
 * `MAX_AGENT_CLAIMS`), and the assignment. Answers whether it was assigned.
 */
async function offerToQueue(deps: AssignDeps, conversation: Conversation, from: string | undefined) {
  const now = deps.clock.now();
  if (!waitsInQueue(conversation, now)) return false;
  const input = { conversation: { queue: conversation.queue }, stickyDays: 0, now };
  const target = await claimAgent(oneListing(deps.store, from ?? ''), conversation.id, input);
  if (!('agentId' in target.choice)) return false;
  const to = target.choice.agentId;
  const at = now.toISOString();
  const assigned = await deps.admin.assign(
    conversation.id,
    { agentId: to },
    'routing',
    at,
    `offered:${conversation.id}:${at}`,
    {
      ifUnassigned: true,
      release: [to, ...target.holders],
    },
  );
  return assigned !== false;
}
