import { type ConversationLoad, goneLoad } from '../domain/agent-load.js';
import type { AgentLoadStore } from '../domain/agent-ports.js';
import { StringSetSchema } from '../domain/string-set.js';
import { getItems } from './batch-get.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { inboxPartitions, Keys } from './keys.js';
import { queryAll } from './paging.js';
import {
  countAgentLoadInput,
  listLoadAgentsInput,
  queryAgentsInput,
  queryOpenAssignmentsInput,
} from './params/agents.js';
import { SNOOZED_STATUS } from './params/clock.js';
import { getInput } from './params/common.js';
import { AGENT_LOAD_ATTRIBUTE, CONVERSATION_LOAD_ATTRIBUTE } from './table.js';

/** The agent whose open conversations a conversation item counts in: its assignee while it is open. */
function counter(item: Record<string, unknown>, gone: boolean): string | undefined {
  if (gone || item.status !== 'open') return undefined;
  return typeof item.assignee === 'string' && item.assignee ? item.assignee : undefined;
}

/** A conversation item's load: the agent it counts for and the agents it lists. */
function loadOf(item: Record<string, unknown>, gone = false): ConversationLoad {
  return {
    conversationId: String(item.id),
    holder: counter(item, gone),
    listed: StringSetSchema.parse(item[CONVERSATION_LOAD_ATTRIBUTE]),
  };
}

/**
 * The sets in line with a conversation's load: the holder listed, then its set gets it; every other
 * listed agent's set (and each of `heldBy`'s, which the conversation may no longer list) lets it go,
 * then the listed ones are unlisted (unless `gone`: the item is about to be deleted).
 */
async function settleLoad(
  db: DynamoDb,
  load: ConversationLoad,
  options: { gone?: boolean | undefined; heldBy?: readonly string[] | undefined } = {},
): Promise<void> {
  const { conversationId, holder, listed } = load;
  if (holder) {
    if (!listed.includes(holder)) {
      await updateItemIf(db, listLoadAgentsInput(db.table, conversationId, 'ADD', [holder]));
    }
    await updateItemIf(db, countAgentLoadInput(db.table, holder, conversationId, 'ADD'));
  }
  const released = listed.filter((agentId) => agentId !== holder);
  const unlisted = (options.heldBy ?? []).filter(
    (agentId) => agentId !== holder && !listed.includes(agentId),
  );
  for (const agentId of [...released, ...new Set(unlisted)]) {
    await updateItemIf(db, countAgentLoadInput(db.table, agentId, conversationId, 'DELETE'));
  }
  if (released.length && !options.gone) {
    await updateItemIf(db, listLoadAgentsInput(db.table, conversationId, 'DELETE', released));
  }
}

/** How a sync reads the item: `gone` (about to be deleted), and `heldBy`, sets that may hold it unlisted. */
type SyncOptions = { gone?: boolean; heldBy?: readonly string[] | undefined };

/**
 * Brings the agents' open-conversation sets in line with a conversation item as a write left it (or
 * as it is read now): its assignee's set holds it while it is open, no other set does (none once it is
 * `gone`, erased). The conversation lists every agent whose set may hold it (`loadAgents`), written
 * before a set gets it and cleared after a set lets it go, so a retry after a crash at any step, or a
 * later change, finds and finishes what was left; every write is a set operation, so a repeat counts
 * nothing twice. A no-op for a conversation no agent has or had. `heldBy`: agents whose set got it
 * before the conversation listed them (a routing claim), released unless it is theirs.
 */
export async function syncAgentLoad(
  db: DynamoDb,
  item: Record<string, unknown>,
  options: SyncOptions = {},
): Promise<void> {
  await settleLoad(db, loadOf(item, options.gone), options);
}

/**
 * `syncAgentLoad` on the conversation as it is now (strongly consistent), when no write answered it;
 * a conversation no more (erased) releases `heldBy` only.
 */
export async function syncAgentLoadOf(
  db: DynamoDb,
  conversationId: string,
  options: SyncOptions = {},
): Promise<void> {
  const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId), true));
  await syncAgentLoadOrGone(db, conversationId, out.Item, options);
}

/** `syncAgentLoad` on an item read, or, for a conversation no more (erased), `heldBy` released. */
export async function syncAgentLoadOrGone(
  db: DynamoDb,
  conversationId: string,
  item: Record<string, unknown> | undefined,
  options: SyncOptions = {},
): Promise<void> {
  if (item) await syncAgentLoad(db, item, options);
  else if (options.heldBy?.length) await settleLoad(db, goneLoad(conversationId), options);
}

/** Open conversations' partitions of the list index: the open inbox's and the snoozed one's (still open). */
const OPEN_PARTITIONS = [...inboxPartitions('open'), ...inboxPartitions(SNOOZED_STATUS)];
const CONVERSATION_PK_PREFIX = Keys.conversation('').pk;

/** Every open conversation with an assignee, one query per partition of the list index, shards at once. */
export async function listOpenAssignments(db: DynamoDb) {
  const pages = await Promise.all(
    OPEN_PARTITIONS.map((partition) => queryAll(db, queryOpenAssignmentsInput(db.table, partition))),
  );
  return pages.flat().flatMap((item) => {
    const pk = String(item.pk);
    if (!pk.startsWith(CONVERSATION_PK_PREFIX) || typeof item.assignee !== 'string') return [];
    return [{ conversationId: pk.slice(CONVERSATION_PK_PREFIX.length), agentId: item.assignee }];
  });
}

/**
 * The reconcile's store: the inbox's open partitions and the agents list (both from the list index,
 * eventually consistent), the suspects' conversations read strongly in batches of 100, and the fixes
 * made with the same set writes every assignment path makes.
 */
export function agentLoadStore(db: DynamoDb): AgentLoadStore {
  return {
    listOpenAssignments: () => listOpenAssignments(db),
    async listAgentLoadSets() {
      return (await queryAll(db, queryAgentsInput(db.table))).map((item) => ({
        agentId: String(item.id),
        conversationIds: StringSetSchema.parse(item[AGENT_LOAD_ATTRIBUTE]),
      }));
    },
    async readConversationLoads(conversationIds) {
      const keys = conversationIds.map((id) => Keys.conversation(id));
      const items = await getItems(db, keys, { consistent: true });
      return new Map(items.map((item) => [String(item.id), loadOf(item)]));
    },
    async settleConversationLoad(load, heldBy) {
      await settleLoad(db, load, { heldBy });
    },
  };
}
