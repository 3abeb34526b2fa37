import type { Escalation } from '../domain/router-ports.js';
import type { ConversationSnapshot } from '../domain/routing/conversation-state.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { markEscalatedInput, markHumanRepliedInput } from './params/conversation-state.js';

/**
 * The routing state kept on conversation items: read with the conversation in one GetItem, and the
 * two facts only agents and hand-offs add (the resolver's touch keeps the rest).
 */
export function conversationStateRepository(
  db: DynamoDb,
  snapshotOf: (item: Record<string, unknown>) => ConversationSnapshot,
) {
  return {
    /**
     * A conversation and its routing state, in one read (strongly consistent with `consistent`: one read
     * unit instead of half); undefined when there is no such conversation.
     */
    async getConversationState(
      conversationId: string,
      options?: { consistent?: boolean },
    ): Promise<ConversationSnapshot | undefined> {
      const input = getInput(db.table, Keys.conversation(conversationId), options?.consistent === true);
      const out = await getItem(db, input);
      return out.Item ? snapshotOf(out.Item) : undefined;
    },
    /** Records an agent's reply in the conversation (the first one of the episode is kept; the agent, the latest). */
    async markHumanReplied(conversationId: string, at: string, agentId?: string): Promise<void> {
      await updateItemIf(db, markHumanRepliedInput(db.table, conversationId, at, agentId));
    },
    /**
     * Hands the conversation to a person for an item, unless another item did since routing read it
     * (`seen`): false then (`markEscalatedInput`).
     */
    markEscalated(conversationId: string, escalation: Escalation): Promise<boolean> {
      return updateItemIf(db, markEscalatedInput(db.table, conversationId, escalation));
    },
  };
}

/** The conversation-state repository's methods. */
export type ConversationStateRepository = ReturnType<typeof conversationStateRepository>;
