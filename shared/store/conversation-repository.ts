import type { InboxFilter } from '../domain/inbox.js';
import type { Page } from '../domain/paging.js';
import type { ConversationTouch } from '../domain/resolver.js';
import { type Conversation, ConversationSchema } from '../domain/timeline.js';
import { UnavailableError, ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  type DynamoDb,
  getItem,
  isConditionFailure,
  queryItems,
  updateItem,
  updateItemIf,
} from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { earlierWaitInput, queryInboxInput, touchConversationInput } from './params/conversations.js';
import { StringSetSchema } from './string-set.js';

function toConversation(item: Record<string, unknown>): Conversation {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g, gsi1sk: _s, channels, ...rest } = item;
  const list = StringSetSchema.parse(channels);
  return ConversationSchema.parse({ ...rest, channels: list, channelSwitch: list.length > 1 });
}

/** Upserts the conversation an event belongs to; an older event only adds its channel, or moves the wait back. */
async function touchConversation(db: DynamoDb, touch: ConversationTouch): Promise<void> {
  try {
    await updateItem(db, touchConversationInput(db.table, touch, 'current'));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    await updateItem(db, touchConversationInput(db.table, touch, 'stale'));
    if (touch.inbound) await updateItemIf(db, earlierWaitInput(db.table, touch));
  }
}

/** The inbox: conversations of a status, longest waiting first. */
async function inbox(
  db: DynamoDb,
  filter: InboxFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Conversation>> {
  // Decoded before the call, so a cursor we did not make is a 400, not an unavailable store.
  const startKey = decodeCursor(page.cursor);
  let out: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
  try {
    out = await queryItems(db, queryInboxInput(db.table, filter, { limit: page.limit, startKey }));
  } catch (error) {
    // A well-formed cursor that is not a key of this index is DynamoDB's ValidationException.
    if (
      startKey &&
      error instanceof UnavailableError &&
      (error.cause as Error | undefined)?.name === 'ValidationException'
    ) {
      throw new ValidationError('invalid cursor', { cause: error });
    }
    throw error;
  }
  return { items: (out.Items ?? []).map(toConversation), cursor: encodeCursor(out.LastEvaluatedKey) };
}

/**
 * Conversations and the inbox: the resolver's upserts and the reads of agents and routing.
 */
export function conversationRepository(db: DynamoDb) {
  /** A conversation, or undefined. */
  const getConversation = async (conversationId: string): Promise<Conversation | undefined> => {
    const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId)));
    return out.Item ? toConversation(out.Item) : undefined;
  };
  return {
    /** Upserts the conversation an event belongs to. */
    touchConversation: (touch: ConversationTouch) => touchConversation(db, touch),
    getConversation,
    /** The inbox: conversations of a status, longest waiting first. */
    inbox: (filter: InboxFilter, page: { limit: number; cursor?: string | undefined }) =>
      inbox(db, filter, page),
  };
}

/** The conversation repository's methods. */
export type ConversationRepository = ReturnType<typeof conversationRepository>;
