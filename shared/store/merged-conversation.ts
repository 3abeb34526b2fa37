import type { Conversation } from '../domain/timeline.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { holdOpenConversationInput } from './params/conversations.js';
import {
  adoptConversationInput,
  joinConversationInput,
  laterChannelInput,
  releaseAdoptedInput,
} from './params/merged-conversation.js';
import { startWaitingInput } from './params/waiting.js';

/**
 * What a merge does to the merged-away customer's open conversation (see `mergeCustomers`): joins it
 * into the kept customer's open one, or gives it to the kept customer when that one has none open.
 * Every write is conditional or grows a set, so a merge asked again after a crash completes them.
 */
export function mergedConversationWrites(db: DynamoDb) {
  return {
    /**
     * The kept open conversation `keptId` takes the channels of `merged` and names it; and when the
     * customer wrote there last (`lastMessageAt`), its channel. One write, two when it takes the channel.
     */
    async joinConversation(keptId: string, merged: Conversation, kept: Conversation): Promise<void> {
      await updateItemIf(db, joinConversationInput(db.table, keptId, merged));
      const at = merged.lastMessageAt;
      if (merged.channel && at && (!kept.lastMessageAt || kept.lastMessageAt < at)) {
        await updateItemIf(db, laterChannelInput(db.table, keptId, merged.channel, at));
      }
    },
    /**
     * The kept customer takes the open conversation: it names them, their profile holds it (unless
     * another is open there now), the merged-away profile lets go of it. True when the kept profile
     * holds it (now or before).
     */
    async adoptConversation(
      conversationId: string,
      customers: { sourceId: string; targetId: string },
    ): Promise<boolean> {
      if (!(await updateItemIf(db, adoptConversationInput(db.table, conversationId, customers))))
        return false;
      const held = await updateItemIf(
        db,
        holdOpenConversationInput(db.table, customers.targetId, conversationId),
      );
      if (held) await updateItemIf(db, releaseAdoptedInput(db.table, customers.sourceId, conversationId));
      return held;
    },
    /** The joined conversation's wait runs on in the kept one (`startWaitingInput`'s conditions); true when it started. */
    waitFromJoined: (keptId: string, at: string): Promise<boolean> =>
      updateItemIf(db, startWaitingInput(db.table, keptId, at)),
    /** The merged-away profile lets go of an open conversation the kept profile holds already (a retry). */
    async releaseAdopted(sourceId: string, conversationId: string): Promise<void> {
      await updateItemIf(db, releaseAdoptedInput(db.table, sourceId, conversationId));
    },
  };
}

/** The writes of a merge to the merged-away customer's open conversation. */
export type MergedConversationWrites = ReturnType<typeof mergedConversationWrites>;
