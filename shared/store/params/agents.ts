import type {
  DeleteCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AgentProfile } from '../../domain/assignment.js';
import { AGENTS_PARTITION, Keys } from '../keys.js';
import { AGENT_LOAD_ATTRIBUTE, CONVERSATION_LOAD_ATTRIBUTE, LIST_INDEX } from '../table.js';

/** Partition of the removed agents' kept registrations in the list index (gsi1k): what they still hold. */
const REMOVED_AGENTS_PARTITION = 'AGENTS_REMOVED';

/**
 * What a registration write expects: `new`, no registration there, or only a removed agent's kept one (a
 * first `PUT /api/agents/me`, or the first after a restore: the set of what they hold stays);
 * `registered`, the registration read still there and not removed (an update never brings back one a
 * removal retired).
 */
export type AgentWriteExpects = 'new' | 'registered';

/**
 * Registers or updates an agent, indexed under the agents partition so they can all be listed; an
 * update, not a put, so the open conversations counted on the item stay (a removal's kept ones too:
 * `new` takes the removal mark off). With `expects`, conditional.
 */
export function putAgentInput(
  table: string,
  agent: AgentProfile,
  expects?: AgentWriteExpects,
): UpdateCommandInput {
  const fields: Record<string, unknown> = {
    entity: 'agent',
    gsi1pk: AGENTS_PARTITION,
    gsi1sk: agent.id,
    ...agent,
  };
  const names = Object.keys(fields);
  return {
    TableName: table,
    Key: Keys.agent(agent.id),
    UpdateExpression: `SET ${names.map((_name, i) => `#f${i} = :f${i}`).join(', ')}${expects === 'new' ? ' REMOVE removedAt' : ''}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name]])),
    ...(expects && {
      ConditionExpression:
        expects === 'new'
          ? 'attribute_not_exists(pk) OR attribute_exists(removedAt)'
          : 'attribute_exists(pk) AND attribute_not_exists(removedAt)',
    }),
  };
}

/**
 * Retires a removed agent's registration: kept, with the set of the open conversations they hold (so
 * what happens to those is still counted, and a restore finds it), but Away, marked `removedAt` and
 * moved to the removed agents' partition of the list index: no longer listed, routed to or assignable.
 * Not registered, nothing.
 */
export function retireAgentInput(table: string, agentId: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.agent(agentId),
    UpdateExpression: 'SET removedAt = if_not_exists(removedAt, :at), gsi1pk = :removed, #presence = :away',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#presence': 'presence' },
    ExpressionAttributeValues: { ':at': at, ':removed': REMOVED_AGENTS_PARTITION, ':away': 'away' },
  };
}

/**
 * Adds an agent to the removed agents' list, unless the admin removing them is on it (removed, by a
 * removal that won the race): one item, so of two admins removing each other at once one is refused,
 * and the last removal standing was always made by an admin who is not removed. Adding twice, once.
 */
export function listAgentRemovedInput(table: string, agentId: string, by: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.agentRemovals(),
    UpdateExpression: 'SET entity = :entity ADD #removed :agent',
    ConditionExpression: 'NOT contains(#removed, :by)',
    ExpressionAttributeNames: { '#removed': 'removed' },
    ExpressionAttributeValues: { ':entity': 'agent_removals', ':agent': new Set([agentId]), ':by': by },
  };
}

/** The admins' list: one item whose set names the agents noted as admins (the agents list's roles). */
export const AGENT_ROLES_KEY = { pk: 'AGENT_ROLES', sk: 'AGENT_ROLES' } as const;

/**
 * Notes an agent's role, as their own registration update saw it, on the admins' list: one item whose
 * set holds the admins (`ADD` an admin, `DELETE` an agent); repeating it changes nothing.
 */
export function noteAgentRoleInput(table: string, agentId: string, admin: boolean): UpdateCommandInput {
  return {
    TableName: table,
    Key: AGENT_ROLES_KEY,
    UpdateExpression: `SET entity = :entity ${admin ? 'ADD' : 'DELETE'} #admins :agent`,
    ExpressionAttributeNames: { '#admins': 'admins' },
    ExpressionAttributeValues: { ':entity': 'agent_roles', ':agent': new Set([agentId]) },
  };
}

/** Takes a restored agent off the removed agents' list (not listed, nothing). */
export function unlistAgentRemovedInput(table: string, agentId: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.agentRemovals(),
    UpdateExpression: 'DELETE #removed :agent',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#removed': 'removed' },
    ExpressionAttributeValues: { ':agent': new Set([agentId]) },
  };
}

/**
 * The removed agent's console lease: the lease item replaced by a mark (`removedAt`, no `ttl`) that a
 * socket's connect or ping (`seen`) may not write over, so none of theirs counts them at the console
 * again or brings the lease back; a restore deletes it.
 */
export function consoleLeaseRemovedInput(table: string, agentId: string, at: string): PutCommandInput {
  return {
    TableName: table,
    Item: { ...Keys.agentLive(agentId), entity: 'agent_live', agentId, removedAt: at },
  };
}

/** Deletes a removed agent's lease mark on their restore; a lease of an agent not removed stays. */
export function consoleLeaseRestoredInput(table: string, agentId: string): DeleteCommandInput {
  return {
    TableName: table,
    Key: Keys.agentLive(agentId),
    ConditionExpression: 'attribute_exists(removedAt)',
  };
}

/**
 * The record that an admin removed the agent (`removedAt`, `removedBy`), written once: a second removal
 * keeps the first one's. No `ttl`: it stands until an admin restores the agent.
 */
export function agentRemovalInput(
  table: string,
  agentId: string,
  removal: { at: string; by: string },
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.agentRemoved(agentId),
      entity: 'agent_removal',
      agentId,
      removedAt: removal.at,
      removedBy: removal.by,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** One page of every registered agent (`removed`: of the removed agents' kept registrations). */
export function queryAgentsInput(
  table: string,
  startKey?: Record<string, unknown>,
  removed = false,
): QueryCommandInput {
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': removed ? REMOVED_AGENTS_PARTITION : AGENTS_PARTITION },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * One partition of the inbox's list index, read for the open conversations' assignees only: the keys
 * and `assignee` are projected there, so no conversation item is read; the unassigned are filtered out.
 */
export function queryOpenAssignmentsInput(table: string, partition: string): QueryCommandInput {
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression: 'gsi1pk = :pk',
    FilterExpression: 'attribute_exists(assignee)',
    ProjectionExpression: 'pk, assignee',
    ExpressionAttributeValues: { ':pk': partition },
  };
}

/** Adds members to (or deletes them from) a string set on an existing item: repeating it changes nothing. */
function setMembersInput(
  table: string,
  key: { pk: string; sk: string },
  set: { attribute: string; op: 'ADD' | 'DELETE'; members: readonly string[] },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: `${set.op} #set :members`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#set': set.attribute },
    ExpressionAttributeValues: { ':members': new Set(set.members) },
  };
}

/**
 * Adds a conversation to (or removes it from) a registered agent's set of open conversations: a set
 * operation, so doing it twice counts once. An agent not registered (yet) has nothing to count.
 */
export function countAgentLoadInput(
  table: string,
  agentId: string,
  conversationId: string,
  op: 'ADD' | 'DELETE',
): UpdateCommandInput {
  return setMembersInput(table, Keys.agent(agentId), {
    attribute: AGENT_LOAD_ATTRIBUTE,
    op,
    members: [conversationId],
  });
}

/**
 * Lists (ADD) the agents whose set may hold the conversation, before their sets get it, or unlists
 * (DELETE) those whose set no longer does, after: so the conversation always names every set it is in.
 */
export function listLoadAgentsInput(
  table: string,
  conversationId: string,
  op: 'ADD' | 'DELETE',
  agentIds: readonly string[],
): UpdateCommandInput {
  const key = Keys.conversation(conversationId);
  return setMembersInput(table, key, { attribute: CONVERSATION_LOAD_ATTRIBUTE, op, members: agentIds });
}

/**
 * Claims a slot for a conversation on an agent's own item: adds it to their set of open conversations
 * only while they are online with room (fewer than `capacity`) and their load is still at most `seen`
 * (the load the caller chose them on: a concurrent claim since fails it, and the caller chooses again
 * on the agent as they are), or when their set already holds it (a retry: nothing changes). Strongly
 * consistent, as every write: the list index an agent is chosen from may lag, this does not.
 */
export function claimAgentSlotInput(
  table: string,
  agentId: string,
  conversationId: string,
  seen: number,
): UpdateCommandInput {
  const room =
    '#presence = :online AND #capacity > :zero AND (attribute_not_exists(#set) OR (size(#set) < #capacity AND size(#set) <= :seen))';
  return {
    TableName: table,
    Key: Keys.agent(agentId),
    UpdateExpression: 'ADD #set :members',
    ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(removedAt) AND (contains(#set, :conversation) OR (${room}))`,
    ExpressionAttributeNames: {
      '#set': AGENT_LOAD_ATTRIBUTE,
      '#presence': 'presence',
      '#capacity': 'capacity',
    },
    ExpressionAttributeValues: {
      ':members': new Set([conversationId]),
      ':conversation': conversationId,
      ':online': 'online',
      ':zero': 0,
      ':seen': seen,
    },
  };
}

/** How long an agent's console lease outlives its `connectedUntil` before DynamoDB's TTL takes it. */
const CONSOLE_LEASE_KEPT_S = 86_400;

/** Which move of an agent's console lease: a socket of theirs open (connect, ping), or their last one closed. */
export type ConsoleLeaseMove = 'seen' | 'left';

/**
 * An update of the agent's own small console item (not the agent's item, which their sockets never
 * write): `seen` sets the lease to `untilMs` and names the socket, unless an admin's removal marked the
 * item (`removedAt`: see `consoleLeaseRemovedInput`); `left` shortens it to
 * `untilMs` only if that socket is the one that last moved it (no later connect or ping of another) and
 * it runs later than that.
 */
export function consoleLeaseInput(
  table: string,
  move: { kind: ConsoleLeaseMove; agentId: string; connectionId: string; untilMs: number },
): UpdateCommandInput {
  const until = new Date(move.untilMs).toISOString();
  const base = { TableName: table, Key: Keys.agentLive(move.agentId) };
  if (move.kind === 'left') {
    return {
      ...base,
      UpdateExpression: 'SET connectedUntil = :until',
      ConditionExpression: 'socket = :socket AND connectedUntil > :until',
      ExpressionAttributeValues: { ':until': until, ':socket': move.connectionId },
    };
  }
  return {
    ...base,
    UpdateExpression:
      'SET entity = :entity, agentId = :agent, connectedUntil = :until, socket = :socket, #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(removedAt)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: {
      ':entity': 'agent_live',
      ':agent': move.agentId,
      ':until': until,
      ':socket': move.connectionId,
      ':ttl': Math.ceil(move.untilMs / 1000) + CONSOLE_LEASE_KEPT_S,
    },
  };
}

/**
 * Carries an agent's console lease over a move of the local rehearsal clock: `connectedUntil` from
 * `was` to `untilMs` (its `ttl` with it), only while it still ends at `was` (a socket that moved it since
 * wins) and an admin's removal has not marked it.
 */
export function leaseCarriedInput(
  table: string,
  agentId: string,
  was: string,
  untilMs: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.agentLive(agentId),
    UpdateExpression: 'SET connectedUntil = :until, #ttl = :ttl',
    ConditionExpression: 'connectedUntil = :was AND attribute_not_exists(removedAt)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: {
      ':was': was,
      ':until': new Date(untilMs).toISOString(),
      ':ttl': Math.ceil(untilMs / 1000) + CONSOLE_LEASE_KEPT_S,
    },
  };
}

/**
 * Marks an agent's console lease as seen lapsed (`lapsedAt`, their return then takes waiting work) and
 * takes its `ttl` off, so the mark outlives a long absence (a weekend); their next socket's `seen` puts
 * a `ttl` back. Only while the lease still ends where it was read: a socket that moved it since wins.
 */
export function noteLeaseLapsedInput(
  table: string,
  agentId: string,
  connectedUntil: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.agentLive(agentId),
    UpdateExpression: 'SET lapsedAt = :until REMOVE #ttl',
    ConditionExpression: 'connectedUntil = :until',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':until': connectedUntil },
  };
}

/** Takes the lapse mark off an agent's console lease, while it is the one read (`lapsedAt`). */
export function clearLeaseLapsedInput(table: string, agentId: string, lapsedAt: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.agentLive(agentId),
    UpdateExpression: 'REMOVE lapsedAt',
    ConditionExpression: 'lapsedAt = :at',
    ExpressionAttributeValues: { ':at': lapsedAt },
  };
}
