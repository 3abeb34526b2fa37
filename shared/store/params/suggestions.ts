import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Identity } from '../../domain/envelope.js';
import { identityToken } from '../../domain/identity.js';
import type { SuggestionEvidence } from '../../domain/resolver-ports.js';
import { Keys, mentionsPartition, SUGGESTION_PREFIX, suggestionKey } from '../keys.js';

/** Remembers that a customer mentioned an identity, so whoever claims it later meets the suggestion. */
export function putMentionInput(
  table: string,
  identity: Identity,
  customerId: string,
  evidence: SuggestionEvidence,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.mention(identityToken(identity), customerId),
    UpdateExpression: 'SET entity = :entity, customerId = :customerId ADD evidence :evidence',
    ExpressionAttributeValues: {
      ':entity': 'mention',
      ':customerId': customerId,
      ':evidence': new Set([JSON.stringify(evidence)]),
    },
  };
}

/** How many customers who mentioned an identity are read (each one item, bounded in size). */
export const MENTIONERS_MAX = 50;

/** Everyone who mentioned an identity. */
export function queryMentionsInput(table: string, identity: Identity): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': mentionsPartition(identityToken(identity)) },
    Limit: MENTIONERS_MAX,
  };
}

/** Raises a suggestion or adds evidence to it; its status (open, dismissed, accepted) is kept. */
export function putSuggestionInput(
  table: string,
  customerId: string,
  otherId: string,
  evidence: SuggestionEvidence,
  now: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: suggestionKey(customerId, otherId),
    UpdateExpression:
      'SET entity = :entity, customerId = :customerId, otherId = :otherId, #status = if_not_exists(#status, :open), createdAt = if_not_exists(createdAt, :now) ADD evidence :evidence',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':entity': 'suggestion',
      ':customerId': customerId,
      ':otherId': otherId,
      ':open': 'open',
      ':now': now,
      ':evidence': new Set([JSON.stringify(evidence)]),
    },
  };
}

/** The suggestion items stored on one profile. */
export function querySuggestionsInput(table: string, customerId: string): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': Keys.customer(customerId).pk, ':prefix': SUGGESTION_PREFIX },
  };
}

/** Accepts or dismisses the suggestion on `customerId`'s profile; never creates one. */
export function setSuggestionStatusInput(
  table: string,
  customerId: string,
  otherId: string,
  status: 'accepted' | 'dismissed',
): UpdateCommandInput {
  return {
    TableName: table,
    Key: suggestionKey(customerId, otherId),
    UpdateExpression: 'SET #status = :status',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': status },
  };
}
