import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { Keys } from '../keys.js';
import { whileNamingInput } from './unmerge-started.js';

/**
 * A merge joins the merged-away customer's open conversation (`mergedId`) into the kept customer's
 * open one: it shows the channels the customer wrote on there (the inbox's channel filter, the channel
 * switch, SLA policies by channel) and names the joined conversation (`mergedConversationIds`: an email
 * reply continues its thread). Sets only grow, so a merge asked again writes the same item; only while
 * the kept conversation is open.
 */
export function joinConversationInput(
  table: string,
  keptId: string,
  merged: { id: string; channels: readonly string[] },
): UpdateCommandInput {
  const values: Record<string, unknown> = { ':open': 'open', ':merged': new Set([merged.id]) };
  const adds = ['mergedConversationIds :merged'];
  if (merged.channels.length) {
    values[':channels'] = new Set(merged.channels);
    adds.push('channels :channels');
  }
  return {
    TableName: table,
    Key: Keys.conversation(keptId),
    UpdateExpression: `ADD ${adds.join(', ')}`,
    ConditionExpression: '#status = :open',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}

/**
 * The joined conversation's last message (`at`, on `channel`) is the kept one's latest: the kept
 * conversation says the customer last wrote there (a survey after its resolve asks on that channel), as
 * that message's touch would have. Forward only, while open.
 */
export function laterChannelInput(
  table: string,
  keptId: string,
  channel: string,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(keptId),
    UpdateExpression: 'SET channel = :channel, lastMessageAt = :at',
    ConditionExpression: '#status = :open AND (attribute_not_exists(lastMessageAt) OR lastMessageAt < :at)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':open': 'open', ':channel': channel, ':at': at },
  };
}

/**
 * The merged-away customer's open conversation becomes the kept customer's (the kept one has none
 * open): its resolve lets go of the kept profile, its replies and clock read the kept customer. Only
 * while open and still the merged-away customer's (or the kept one's already: a merge asked again).
 */
export function adoptConversationInput(
  table: string,
  conversationId: string,
  customers: { sourceId: string; targetId: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET customerId = :target',
    ConditionExpression: '#status = :open AND customerId IN (:source, :target)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':open': 'open',
      ':source': customers.sourceId,
      ':target': customers.targetId,
    },
  };
}

/**
 * The merged-away profile lets go of the open conversation the kept customer took (kept as its last
 * one, so an unmerge finds it), only while it is still its open one.
 */
export function releaseAdoptedInput(
  table: string,
  sourceId: string,
  conversationId: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(sourceId),
    UpdateExpression: 'REMOVE openConversationId SET lastConversationId = :id',
    ConditionExpression: 'openConversationId = :id',
    ExpressionAttributeValues: { ':id': conversationId },
  };
}

/**
 * An unmerge gives back the conversation the merge gave the kept customer (`adoptConversationInput`):
 * it names the returning customer again, open or resolved since; only while it names the kept one.
 */
export function giveBackAdoptedInput(
  table: string,
  conversationId: string,
  customers: { sourceId: string; targetId: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET customerId = :source',
    ConditionExpression: 'customerId = :target',
    ExpressionAttributeValues: { ':source': customers.sourceId, ':target': customers.targetId },
  };
}

/** The kept profile lets go of the conversation given back, only while it is still its open one. */
export const letGoGivenBackInput = (table: string, targetId: string, conversationId: string) =>
  whileNamingInput(
    table,
    targetId,
    { attribute: 'openConversationId', conversationId },
    'REMOVE openConversationId',
  );
