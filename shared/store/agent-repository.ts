import type { RemovedAgentHolding, SweptAgent } from '../domain/agent-ports.js';
import {
  type Agent,
  type AgentClaim,
  type AgentProfile,
  AgentProfileSchema,
  type AgentRole,
  type ListedAgent,
} from '../domain/assignment.js';
import { CONSOLE_GRACE_MS, type ConsoleLeases, withConnectedUntil } from '../domain/live/console-presence.js';
import type { Page } from '../domain/paging.js';
import { conversationOfItem } from '../domain/stored-items.js';
import { StringSetSchema } from '../domain/string-set.js';
import type { Conversation } from '../domain/timeline.js';
import { ValidationError } from '../errors.js';
import { listOpenAssignments, syncAgentLoadOf } from './agent-load.js';
import { getItems } from './batch-get.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  type DynamoDb,
  deleteItem,
  deleteItemIf,
  getItem,
  putItem,
  putItemIf,
  updateItem,
  updateItemIf,
} from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryAll } from './paging.js';
import {
  AGENT_ROLES_KEY,
  type AgentWriteExpects,
  agentRemovalInput,
  claimAgentSlotInput,
  clearLeaseLapsedInput,
  consoleLeaseInput,
  consoleLeaseRemovedInput,
  consoleLeaseRestoredInput,
  leaseCarriedInput,
  listAgentRemovedInput,
  noteAgentRoleInput,
  noteLeaseLapsedInput,
  putAgentInput,
  queryAgentsInput,
  retireAgentInput,
  unlistAgentRemovedInput,
} from './params/agents.js';
import { deleteInput, getInput } from './params/common.js';
import { AGENT_LOAD_ATTRIBUTE } from './table.js';

function toAgentProfile(item: Record<string, unknown>): AgentProfile {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    gsi1pk: _g,
    gsi1sk: _s,
    [AGENT_LOAD_ATTRIBUTE]: _load,
    removedAt: _removedAt,
    ...rest
  } = item;
  return AgentProfileSchema.parse(rest);
}

/**
 * Every registered agent, with the open conversations assigned to each now: the set on their item
 * (see syncAgentLoad), projected in the list index with the profile, so one query answers; and for the
 * online ones, until when they are at the console (one BatchGetItem of their leases, none when nobody is online).
 */
async function listAgents(db: DynamoDb): Promise<ListedAgent[]> {
  return withLeases(db, await agentsWithSets(db));
}

/** Every registered agent from the list index (one query), with the conversations their set holds. */
async function agentsWithSets(db: DynamoDb): Promise<Array<Agent & { openConversationIds: string[] }>> {
  return (await queryAll(db, queryAgentsInput(db.table))).map((item) => {
    const openConversationIds = StringSetSchema.parse(item[AGENT_LOAD_ATTRIBUTE]);
    return { ...agentOfItem(item), openConversationIds };
  });
}

/** The agents, each online one with their console lease (`connectedUntil`) when they have one. */
async function withLeases<T extends Agent>(db: DynamoDb, agents: T[]): Promise<T[]> {
  const online = agents.filter((agent) => agent.presence === 'online');
  if (online.length === 0) return agents;
  const leases = await getItems(
    db,
    online.map((agent) => Keys.agentLive(agent.id)),
  );
  const byAgent = new Map(leases.map((item) => [String(item.agentId), item]));
  return agents.map((agent) => withConnectedUntil(agent, byAgent.get(agent.id)?.connectedUntil));
}

/** An agent's item as the agent and the open conversations in their set. */
function agentOfItem(item: Record<string, unknown>): Agent {
  const { updatedAt: _updatedAt, ...profile } = toAgentProfile(item);
  return { ...profile, openConversations: StringSetSchema.parse(item[AGENT_LOAD_ATTRIBUTE]).length };
}

/**
 * Every agent with their set, and the console lease items of those online or holding a conversation
 * (one BatchGetItem per 100 of them): what the absent-agent sweep decides on.
 */
async function listAgentsWithLeases(db: DynamoDb): Promise<SweptAgent[]> {
  const agents = await agentsWithSets(db);
  const looked = agents.filter((a) => a.presence === 'online' || a.openConversationIds.length > 0);
  if (looked.length === 0) return agents;
  const leases = await getItems(
    db,
    looked.map((agent) => Keys.agentLive(agent.id)),
  );
  const byAgent = new Map(leases.map((item) => [String(item.agentId), item]));
  return agents.map((agent) => {
    const item = byAgent.get(agent.id);
    if (typeof item?.connectedUntil !== 'string') return agent;
    const lapsedAt = typeof item.lapsedAt === 'string' ? item.lapsedAt : undefined;
    return { ...agent, lease: { connectedUntil: item.connectedUntil, lapsedAt } };
  });
}

/** Conversations by id, read strongly (the absent-agent paths write on what they read); missing ones left out. */
async function conversationsNow(db: DynamoDb, ids: readonly string[]): Promise<Conversation[]> {
  if (ids.length === 0) return [];
  const items = await getItems(
    db,
    ids.map((id) => Keys.conversation(id)),
    { consistent: true },
  );
  return items.map(conversationOfItem);
}

/**
 * Registers `agent` (only while not registered) when the open inbox's list index shows them holding
 * conversations, and counts those in their set as an assignment does; none held, nothing written.
 */
async function registerHolding(db: DynamoDb, agent: AgentProfile): Promise<boolean> {
  const held = (await listOpenAssignments(db)).filter((open) => open.agentId === agent.id);
  if (held.length === 0 || !(await updateItemIf(db, putAgentInput(db.table, agent, 'new')))) return false;
  for (const { conversationId } of held) await syncAgentLoadOf(db, conversationId);
  return true;
}

/** An agent's item, read strongly, while they are registered (a removed agent's kept one is not). */
async function registration(db: DynamoDb, agentId: string): Promise<Record<string, unknown> | undefined> {
  const out = await getItem(db, getInput(db.table, Keys.agent(agentId), true));
  return out.Item && out.Item.removedAt === undefined ? out.Item : undefined;
}

/** An agent with their load, read strongly from their own item. */
async function agentNow(db: DynamoDb, agentId: string): Promise<Agent | undefined> {
  const item = await registration(db, agentId);
  return item ? agentOfItem(item) : undefined;
}

/**
 * The removed agents still holding open conversations (their kept registrations, one query of the
 * list index), with the ids of those conversations.
 */
async function removedHolding(db: DynamoDb): Promise<RemovedAgentHolding[]> {
  return (await queryAll(db, queryAgentsInput(db.table, undefined, true))).flatMap((item) => {
    const openConversationIds = StringSetSchema.parse(item[AGENT_LOAD_ATTRIBUTE]);
    if (openConversationIds.length === 0) return [];
    return [{ id: String(item.id), openConversationIds }];
  });
}

/** The agent a removed agents' page continues after (`{agent}`); a cursor not of that shape is a ValidationError. */
function removedAfter(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (typeof key.agent !== 'string') throw new ValidationError('cursor is not valid');
  return key.agent;
}

/**
 * A page of the removed agents: the removed agents' list (one item, read strongly: bounded by an item's
 * size), its ids sorted and those after the cursor's cut to the page, then their kept registrations (one
 * BatchGetItem of at most `limit` keys) for what each still holds.
 */
async function removedAgents(
  db: DynamoDb,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<RemovedAgentHolding>> {
  const after = removedAfter(page.cursor);
  const out = await getItem(db, getInput(db.table, Keys.agentRemovals(), true));
  const ids = StringSetSchema.parse(out.Item?.removed).filter((id) => after === undefined || id > after);
  const shown = ids.slice(0, page.limit);
  const kept = shown.length
    ? await getItems(
        db,
        shown.map((id) => Keys.agent(id)),
      )
    : [];
  const held = new Map(
    kept.map((item) => [String(item.id), StringSetSchema.parse(item[AGENT_LOAD_ATTRIBUTE])]),
  );
  return {
    items: shown.map((id) => ({ id, openConversationIds: held.get(id) ?? [] })),
    cursor: ids.length > shown.length ? encodeCursor({ agent: shown.at(-1) }) : null,
  };
}

/**
 * An admin's removals of agents: the record each request looks at, the removed agents' list a removal
 * is conditional on, and the mark on a removed agent's console lease.
 */
function agentRemovals(db: DynamoDb) {
  return {
    /** Registers an agent holding conversations unregistered, and counts them (see `registerHolding`). */
    registerHolding: (agent: AgentProfile) => registerHolding(db, agent),
    /** Records that an admin removed the agent (see `agentRemovalInput`); recorded already, nothing. */
    async markAgentRemoved(agentId: string, removal: { at: string; by: string }): Promise<void> {
      await putItemIf(db, agentRemovalInput(db.table, agentId, removal));
    },
    /** Whether an admin removed the agent and nobody restored them: one strong GetItem of the record. */
    async isAgentRemoved(agentId: string): Promise<boolean> {
      const out = await getItem(db, getInput(db.table, Keys.agentRemoved(agentId), true));
      return out.Item !== undefined;
    },
    /** Notes the agent's role on the admins' list (see `noteAgentRoleInput`). */
    async noteAgentRole(agentId: string, role: AgentRole): Promise<void> {
      await updateItem(db, noteAgentRoleInput(db.table, agentId, role === 'admin'));
    },
    /** The agents noted as admins: one GetItem of the admins' list. */
    async adminIds(): Promise<Set<string>> {
      const out = await getItem(db, getInput(db.table, AGENT_ROLES_KEY));
      return new Set(StringSetSchema.parse(out.Item?.admins));
    },
    /** A page of every removed agent, with what each still holds. */
    listRemovedAgents: (page: { limit: number; cursor?: string | undefined }) => removedAgents(db, page),
    /** Adds the agent to the removed agents' list (see `listAgentRemovedInput`); false when `by` is on it. */
    listAgentRemoved: (agentId: string, by: string): Promise<boolean> =>
      updateItemIf(db, listAgentRemovedInput(db.table, agentId, by)),
    /**
     * Takes the agent's removal back, in the order that keeps every agent with a record on the list: the
     * lease's mark, the record, then the list. None, nothing.
     */
    async restoreAgent(agentId: string): Promise<void> {
      await deleteItemIf(db, consoleLeaseRestoredInput(db.table, agentId));
      await deleteItem(db, deleteInput(db.table, Keys.agentRemoved(agentId)));
      await updateItemIf(db, unlistAgentRemovedInput(db.table, agentId));
    },
    /** Marks the agent's console lease removed (see `consoleLeaseRemovedInput`): no socket of theirs writes it again. */
    async removeConsoleLease(agentId: string, at: string): Promise<void> {
      await putItem(db, consoleLeaseRemovedInput(db.table, agentId, at));
    },
  };
}

/** Agents: their profiles (skills, capacity, presence) and the load each carries now. */
export function agentRepository(db: DynamoDb) {
  return {
    /** A registered agent, or undefined. */
    async getAgent(agentId: string): Promise<AgentProfile | undefined> {
      const item = await registration(db, agentId);
      return item ? toAgentProfile(item) : undefined;
    },
    /**
     * An agent with their load, read strongly from their item: take-next runs right after the agent's own
     * resolve, which the list index (eventually consistent) may not show yet; when online, their console lease too.
     */
    async getAgentNow(agentId: string): Promise<Agent | undefined> {
      const agent = await agentNow(db, agentId);
      if (agent?.presence !== 'online') return agent;
      const lease = await getItem(db, getInput(db.table, Keys.agentLive(agentId), true));
      return withConnectedUntil(agent, lease.Item?.connectedUntil);
    },
    /**
     * Claims a slot for a conversation on the agent's item (`claimAgentSlotInput`): one conditional
     * write; refused, one strong read of the agent as they are now, to choose again on (their console
     * lease is the caller's, from the list: the claim does not read it again).
     */
    async claimAgentSlot(agentId: string, conversationId: string, seen: number): Promise<AgentClaim> {
      if (await updateItemIf(db, claimAgentSlotInput(db.table, agentId, conversationId, seen))) {
        return { claimed: true };
      }
      return { claimed: false, agent: await agentNow(db, agentId) };
    },
    /** The open conversations the agent's set holds, read strongly (their item, then the conversations). */
    async heldConversations(agentId: string): Promise<Conversation[]> {
      const out = await getItem(db, getInput(db.table, Keys.agent(agentId), true));
      return conversationsNow(db, StringSetSchema.parse(out.Item?.[AGENT_LOAD_ATTRIBUTE]));
    },
    /** Conversations by id, read strongly; missing ones left out. */
    readConversations: (ids: readonly string[]) => conversationsNow(db, ids),
    /** Every agent with their set and, when online or holding any, their console lease item. */
    listAgentsWithLeases: () => listAgentsWithLeases(db),
    /**
     * The local rehearsal clock moves `byMs` ahead from `fromMs`: every console lease a console still
     * pings (running more than the grace ahead: a ping sets it 12 minutes ahead, every 5; a closed one's
     * grace is 2) runs on by the move (`leaseCarriedInput`), so pings it could not send inside the jump
     * do not count as absence; a closed console's grace is not carried, so its agent is gone in the move
     * as in real time. Local runtime only; answers how many leases were carried.
     */
    async carryConsoleLeases(fromMs: number, byMs: number): Promise<number> {
      let carried = 0;
      for (const agent of await listAgentsWithLeases(db)) {
        const was = agent.lease?.connectedUntil;
        if (!was || Date.parse(was) <= fromMs + CONSOLE_GRACE_MS) continue;
        const input = leaseCarriedInput(db.table, agent.id, was, Date.parse(was) + byMs);
        if (await updateItemIf(db, input)) carried += 1;
      }
      return carried;
    },
    /** Marks an agent's lapsed lease as seen (see `noteLeaseLapsedInput`); moved since, nothing. */
    async noteLeaseLapsed(agentId: string, connectedUntil: string): Promise<void> {
      await updateItemIf(db, noteLeaseLapsedInput(db.table, agentId, connectedUntil));
    },
    /** Takes the lapse mark off (see `clearLeaseLapsedInput`); taken off already, nothing. */
    async clearLeaseLapsed(agentId: string, lapsedAt: string): Promise<void> {
      await updateItemIf(db, clearLeaseLapsedInput(db.table, agentId, lapsedAt));
    },
    /**
     * Registers or updates an agent; with `expects`, only while their registration is (`registered`) or
     * is not (`new`) there: false when it is not so (a removal deleted it, or another call made it).
     */
    async putAgent(agent: AgentProfile, expects?: AgentWriteExpects): Promise<boolean> {
      return updateItemIf(db, putAgentInput(db.table, agent, expects));
    },
    /** Retires a removed agent's registration, their set kept (see `retireAgentInput`); none, nothing. */
    async removeAgent(agentId: string, at: string): Promise<void> {
      await updateItemIf(db, retireAgentInput(db.table, agentId, at));
    },
    /** The removed agents still holding open conversations, with those conversations' ids. */
    listRemovedHolding: () => removedHolding(db),
    ...agentRemovals(db),
    /** Every registered agent, with the open conversations assigned to each now. */
    listAgents: () => listAgents(db),
  };
}

/**
 * The registered presence of each of these agents (`online`, `away`), read eventually consistent: a
 * GetItem each, at once (the live socket function's role reads single items only; the same read units
 * as a BatchGetItem).
 */
export async function agentPresences(db: DynamoDb, agentIds: readonly string[]) {
  const items = await Promise.all(
    agentIds.map(async (id) => (await getItem(db, getInput(db.table, Keys.agent(id)))).Item),
  );
  return new Map(
    items.flatMap(
      (item): Array<[string, 'online' | 'away']> =>
        item && item.removedAt === undefined && (item.presence === 'online' || item.presence === 'away')
          ? [[String(item.id), item.presence]]
          : [],
    ),
  );
}

/** The agents' console leases, moved by their live sockets (see `shared/domain/live/console-presence.ts`). */
export function consoleLeaseRepository(db: DynamoDb): ConsoleLeases {
  return {
    // A failed condition: an admin removed the agent (the lease is marked so).
    seen: (agentId, connectionId, untilMs) =>
      updateItemIf(db, consoleLeaseInput(db.table, { kind: 'seen', agentId, connectionId, untilMs })),
    async left(agentId, connectionId, untilMs) {
      // A failed condition: another socket moved the lease since, or it ends sooner already.
      await updateItemIf(db, consoleLeaseInput(db.table, { kind: 'left', agentId, connectionId, untilMs }));
    },
  };
}

/** The agent repository's methods. */
export type AgentRepository = ReturnType<typeof agentRepository>;
