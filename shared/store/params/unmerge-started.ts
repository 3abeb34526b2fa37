import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { Keys } from '../keys.js';

/**
 * Keeps on the source, while its unmerge is under way, whose each conversation the move has read
 * (`unmergeOwners`): written when the move finds a conversation the source started while merged,
 * before any of its items leaves the target, so an unmerge asked again after a crash still knows it
 * (its first message is no longer there to tell).
 */
export function noteUnmergeOwnersInput(
  table: string,
  merge: { sourceId: string; targetId: string },
  owners: Readonly<Record<string, string>>,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(merge.sourceId),
    UpdateExpression: 'SET unmergeOwners = :owners',
    ConditionExpression: 'unmergingFrom = :target',
    ExpressionAttributeValues: { ':owners': owners, ':target': merge.targetId },
  };
}

/**
 * The returning customer's profile names a resolved conversation given back as its last one (so their
 * next message within the reopen window reopens it), unless one is open there or its last resolve is
 * as new.
 */
export function holdLastGivenBackInput(
  table: string,
  sourceId: string,
  conversationId: string,
  resolvedAt: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(sourceId),
    UpdateExpression: 'SET lastConversationId = :id, lastResolvedAt = :resolvedAt',
    ConditionExpression:
      'attribute_exists(pk) AND attribute_not_exists(openConversationId) AND (attribute_not_exists(lastResolvedAt) OR lastResolvedAt < :resolvedAt)',
    ExpressionAttributeValues: { ':id': conversationId, ':resolvedAt': resolvedAt },
  };
}

/**
 * A write of a profile (`update`) made only while its `attribute` (its open or its last conversation)
 * still names the conversation: what each profile's letting go of one given back is.
 */
export function whileNamingInput(
  table: string,
  customerId: string,
  named: { attribute: 'openConversationId' | 'lastConversationId'; conversationId: string },
  update: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: update,
    ConditionExpression: `${named.attribute} = :id`,
    ExpressionAttributeValues: { ':id': named.conversationId },
  };
}

/**
 * The kept profile lets go of an open conversation given back: no longer open there, and named as its
 * last only for the id of its next one (conversation ids follow from the last one: its next message
 * would otherwise land in the returning customer's), its last resolve forgotten so nothing of it is
 * reopened. Only while it is still its open one.
 */
export const letGoOpenGivenBackInput = (table: string, targetId: string, conversationId: string) =>
  whileNamingInput(
    table,
    targetId,
    { attribute: 'openConversationId', conversationId },
    'SET lastConversationId = :id REMOVE openConversationId, lastResolvedAt',
  );

/**
 * The kept profile lets go of a resolved conversation given back as its last one: its last resolve is
 * forgotten (its next message must not reopen the returning customer's), the id kept for its next
 * one's (see `letGoOpenGivenBackInput`). Only while it is still its last one.
 */
export const letGoLastGivenBackInput = (table: string, targetId: string, conversationId: string) =>
  whileNamingInput(
    table,
    targetId,
    { attribute: 'lastConversationId', conversationId },
    'REMOVE lastResolvedAt',
  );
