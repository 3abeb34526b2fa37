import { StringSetSchema } from '../domain/string-set.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { countAgentLoadInput, listLoadAgentsInput } from './params/agents.js';
import { getInput } from './params/common.js';
import { CONVERSATION_LOAD_ATTRIBUTE } from './table.js';

/** The agent whose open conversations a conversation item counts in: its assignee while it is open. */
function counter(item: Record<string, unknown>, gone: boolean): string | undefined {
  if (gone || item.status !== 'open') return undefined;
  return typeof item.assignee === 'string' && item.assignee ? item.assignee : undefined;
}

/**
 * Brings the agents' open-conversation sets in line with a conversation item as a write left it (or
 * as it is read now): its assignee's set holds it while it is open, no other set does (none once it is
 * `gone`, erased). The conversation lists every agent whose set may hold it (`loadAgents`), written
 * before a set gets it and cleared after a set lets it go, so a retry after a crash at any step, or a
 * later change, finds and finishes what was left; every write is a set operation, so a repeat counts
 * nothing twice. A no-op for a conversation no agent has or had.
 */
export async function syncAgentLoad(
  db: DynamoDb,
  item: Record<string, unknown>,
  options: { gone?: boolean } = {},
): Promise<void> {
  const conversationId = String(item.id);
  const listed = StringSetSchema.parse(item[CONVERSATION_LOAD_ATTRIBUTE]);
  const holder = counter(item, options.gone ?? false);
  if (holder) {
    if (!listed.includes(holder)) {
      await updateItemIf(db, listLoadAgentsInput(db.table, conversationId, 'ADD', [holder]));
    }
    await updateItemIf(db, countAgentLoadInput(db.table, holder, conversationId, 'ADD'));
  }
  const released = listed.filter((agentId) => agentId !== holder);
  for (const agentId of released) {
    await updateItemIf(db, countAgentLoadInput(db.table, agentId, conversationId, 'DELETE'));
  }
  if (released.length && !options.gone) {
    await updateItemIf(db, listLoadAgentsInput(db.table, conversationId, 'DELETE', released));
  }
}

/** `syncAgentLoad` on the conversation as it is now (strongly consistent), when no write answered it. */
export async function syncAgentLoadOf(
  db: DynamoDb,
  conversationId: string,
  options: { gone?: boolean } = {},
): Promise<void> {
  const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId), true));
  if (out.Item) await syncAgentLoad(db, out.Item, options);
}
