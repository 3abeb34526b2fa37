import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ConversationTouch } from '../domain/resolver-ports.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';

/**
 * A reopen in another language: the touch keeps the language the conversation had (`if_not_exists`),
 * and when the reopening message tells another (`item`, the conversation as the touch left it, has a
 * different one), this write replaces it and keeps the one replaced (`languageBefore`), only while the
 * conversation still has it. Undefined for any other touch, or one in the language the conversation
 * has: a redelivered reopen, or an email taken for the reopen of its thread's open conversation (the
 * profile not yet written by a crashed run), writes nothing, so a crashed run ends as the uncrashed one.
 */
export function reopenLanguageFollowUp(
  table: string,
  touch: ConversationTouch,
  item: Record<string, unknown> | undefined,
): { input: UpdateCommandInput; moves: { language: string; languageBefore: string } } | undefined {
  const before = item?.language;
  const language = touch.language;
  if (!touch.reopen || !language || typeof before !== 'string' || before === language) return undefined;
  return {
    input: {
      TableName: table,
      Key: Keys.conversation(touch.conversationId),
      // `language` is a DynamoDB reserved word.
      UpdateExpression: 'SET languageBefore = :before, #language = :language',
      ConditionExpression: '#language = :before',
      ExpressionAttributeNames: { '#language': 'language' },
      ExpressionAttributeValues: { ':before': before, ':language': language },
    },
    moves: { language, languageBefore: before },
  };
}

/** The conversation as the touch left it (`item`), with a reopen's new language written (`reopenLanguageFollowUp`). */
export async function keepReopenLanguage(
  db: DynamoDb,
  touch: ConversationTouch,
  item: Record<string, unknown> | undefined,
): Promise<Record<string, unknown> | undefined> {
  const next = reopenLanguageFollowUp(db.table, touch, item);
  return next && (await updateItemIf(db, next.input)) ? { ...item, ...next.moves } : item;
}
