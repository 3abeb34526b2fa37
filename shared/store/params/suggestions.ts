import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Identity } from '../../domain/envelope.js';
import { identityToken } from '../../domain/identity.js';
import type { SuggestionEvidence } from '../../domain/suggestions.js';
import { Keys, mentionsPartition, SUGGESTION_PREFIX, suggestionKey } from '../keys.js';

/**
 * How many pieces of evidence a mention or a suggestion keeps: the first ones to arrive. Later ones
 * are only counted (`moreEvidence`), so no item grows with the number of messages.
 */
export const EVIDENCE_MAX = 20;

/**
 * How a piece of evidence joins an item's set: `add` puts it in while the set has room (or holds it
 * already, so a redelivery adds nothing); when that condition fails, `count` only counts it.
 */
export type EvidencePhase = 'add' | 'count';

function evidenceUpdate(
  sets: string,
  evidence: SuggestionEvidence,
  phase: EvidencePhase,
): Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeValues' | 'ConditionExpression'> {
  if (phase === 'count') {
    return {
      UpdateExpression: `SET ${sets} ADD moreEvidence :one`,
      ExpressionAttributeValues: { ':one': 1 },
    };
  }
  const json = JSON.stringify(evidence);
  return {
    UpdateExpression: `SET ${sets} ADD evidence :evidence`,
    ExpressionAttributeValues: { ':evidence': new Set([json]), ':json': json, ':max': EVIDENCE_MAX },
    ConditionExpression:
      'attribute_not_exists(evidence) OR size(evidence) < :max OR contains(evidence, :json)',
  };
}

/** Remembers that a customer mentioned an identity, so whoever claims it later meets the suggestion. */
export function putMentionInput(
  table: string,
  identity: Identity,
  customerId: string,
  evidence: SuggestionEvidence,
  phase: EvidencePhase = 'add',
): UpdateCommandInput {
  const update = evidenceUpdate('entity = :entity, customerId = :customerId', evidence, phase);
  return {
    TableName: table,
    Key: Keys.mention(identityToken(identity), customerId),
    ...update,
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ':entity': 'mention',
      ':customerId': customerId,
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

/**
 * The first `limit` customers who mentioned an identity (strongly consistent: two customers who
 * mention it at once each write their mention before reading, so the later reader finds the other).
 */
export function queryMentionersInput(table: string, identity: Identity, limit: number): QueryCommandInput {
  return { ...queryMentionsInput(table, identity), Limit: limit, ConsistentRead: true };
}

/** Raises a suggestion or adds evidence to it; its status (open, dismissed, accepted) is kept. */
export function putSuggestionInput(
  table: string,
  customerId: string,
  otherId: string,
  evidence: SuggestionEvidence,
  now: string,
  phase: EvidencePhase = 'add',
): UpdateCommandInput {
  const update = evidenceUpdate(
    'entity = :entity, customerId = :customerId, otherId = :otherId, #status = if_not_exists(#status, :open), createdAt = if_not_exists(createdAt, :now)',
    evidence,
    phase,
  );
  return {
    TableName: table,
    Key: suggestionKey(customerId, otherId),
    ...update,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ':entity': 'suggestion',
      ':customerId': customerId,
      ':otherId': otherId,
      ':open': 'open',
      ':now': now,
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

/**
 * Accepts or dismisses the suggestion on `customerId`'s profile; never creates one. `open` takes an
 * accepted one back (its pair unmerged), only while it is accepted: a dismissal stands.
 */
export function setSuggestionStatusInput(
  table: string,
  customerId: string,
  otherId: string,
  status: 'accepted' | 'dismissed' | 'open',
): UpdateCommandInput {
  const reopen = status === 'open';
  return {
    TableName: table,
    Key: suggestionKey(customerId, otherId),
    UpdateExpression: 'SET #status = :status',
    ConditionExpression: reopen ? '#status = :accepted' : 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': status, ...(reopen ? { ':accepted': 'accepted' } : {}) },
  };
}
