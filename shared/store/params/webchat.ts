import type {
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { WebchatSession } from '../../domain/webchat/session.js';
import type { WebchatMessageClaim } from '../../domain/webchat-ports.js';
import { Keys } from '../keys.js';
import { queryPrefixInput } from './common.js';

/**
 * Puts a session under its token's hash, with the table's `ttl` at its expiry, unless a live one is
 * there (a start with the same start key made it): the first start's session stays.
 */
export function putWebchatSessionInput(table: string, session: WebchatSession): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.webchatSession(session.tokenHash),
      entity: 'webchat_session',
      ...session,
      ttl: Math.ceil(Date.parse(session.expiresAt) / 1000),
    },
    ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
    ExpressionAttributeValues: { ':now': session.createdAt },
  };
}

/**
 * Puts the link from an identity of the session (`<kind>#<value>`: its visitor, its verified email) to
 * the session, with the session's `ttl`: erasing the identity finds its sessions by one query.
 */
export function putWebchatSessionLinkInput(
  table: string,
  token: string,
  session: WebchatSession,
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.webchatSessionOf(token, session.tokenHash),
      entity: 'webchat_session_link',
      tokenHash: session.tokenHash,
      ttl: Math.ceil(Date.parse(session.expiresAt) / 1000),
    },
  };
}

/**
 * Moves a session link's `ttl` to a renewed expiry, only while the link is there (an erasure that
 * deleted it keeps it deleted).
 */
export function renewWebchatSessionLinkInput(
  table: string,
  token: string,
  tokenHash: string,
  expiresAt: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatSessionOf(token, tokenHash),
    UpdateExpression: 'SET #ttl = :ttl',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':ttl': Math.ceil(Date.parse(expiresAt) / 1000) },
  };
}

/**
 * Moves a session's expiry (and its `ttl`) forward, only while it is stored and expires before the new
 * expiry: an erased session stays erased, and of two renewals at once the later expiry wins.
 */
export function renewWebchatSessionInput(
  table: string,
  tokenHash: string,
  expiresAt: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatSession(tokenHash),
    UpdateExpression: 'SET expiresAt = :at, #ttl = :ttl',
    ConditionExpression: 'attribute_exists(pk) AND expiresAt < :at',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':at': expiresAt, ':ttl': Math.ceil(Date.parse(expiresAt) / 1000) },
  };
}

/** The sessions linked to an identity (`<kind>#<value>`): the links' keys, hashes and expiries. */
export function querySessionLinksInput(table: string, token: string): QueryCommandInput {
  const { pk, sk } = Keys.webchatSessionOf(token, '');
  return {
    ...queryPrefixInput(table, pk, sk),
    ProjectionExpression: 'pk, sk, tokenHash, #ttl',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
  };
}

/**
 * How many of an identity's session links the send path reads to find a live one: an anonymous
 * visitor's identity comes from one start key, so it has one session (a few at most, as tabs raced).
 */
export const LIVE_LINKS_READ = 10;

/** The first LIVE_LINKS_READ session links of an identity, their `ttl` only: one read of one partition. */
export function queryLiveSessionLinksInput(table: string, token: string): QueryCommandInput {
  return { ...querySessionLinksInput(table, token), ProjectionExpression: '#ttl', Limit: LIVE_LINKS_READ };
}

/**
 * Puts an ended session's tombstone in its place (erased, or ended by `DELETE /webchat/sessions`: its
 * token's hash and when it would have expired, nothing personal), answering what was there: the start
 * key that makes its token stays spent (a start with it is refused, see putWebchatSessionInput) until then.
 */
export function endWebchatSessionInput(
  table: string,
  tokenHash: string,
  ttlSeconds: number,
  endedAt: string,
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...Keys.webchatSession(tokenHash),
      entity: ENDED_SESSION,
      endedAt,
      expiresAt: new Date(ttlSeconds * 1000).toISOString(),
      ttl: ttlSeconds,
    },
    ReturnValues: 'ALL_OLD',
  };
}

/** The entity of an ended (or erased) session's tombstone. */
export const ENDED_SESSION = 'ended_webchat_session';

/** Deletes a session's link from one of its identities (its session ended). */
export function deleteWebchatSessionLinkInput(table: string, token: string, tokenHash: string) {
  return { TableName: table, Key: Keys.webchatSessionOf(token, tokenHash) };
}

/** Adds one hit to a rate counter, answering the new count; the counter goes with its `ttl`. */
export function countWebchatHitInput(
  table: string,
  key: string,
  expiresAtSeconds: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatRate(key),
    UpdateExpression: 'ADD hits :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAtSeconds },
    ReturnValues: 'UPDATED_NEW',
  };
}

/** Keeps a visitor message's first claim (its time and text hash) and answers the claim kept: one write. */
export function claimWebchatMessageInput(
  table: string,
  providerMessageId: string,
  claim: WebchatMessageClaim,
  expiresAtSeconds: number,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.webchatMessage(providerMessageId),
    UpdateExpression:
      'SET #at = if_not_exists(#at, :at), textHash = if_not_exists(textHash, :hash), #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#at': 'at', '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':at': claim.at, ':hash': claim.textHash, ':ttl': expiresAtSeconds },
    ReturnValues: 'ALL_NEW',
  };
}

/** Reads a visitor message's reference (the resolver's, once it met the message), its key only. */
export function webchatMessageRefInput(table: string, providerMessageId: string): GetCommandInput {
  return { TableName: table, Key: Keys.messageRef('webchat', providerMessageId), ProjectionExpression: 'pk' };
}
