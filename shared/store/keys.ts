import type { Channel, Identity } from '../domain/envelope.js';
import { identityToken } from '../domain/identity.js';
import { replyItemId } from '../domain/replies.js';

function identityKey(token: string): { pk: string; sk: string } {
  return { pk: `IDENTITY#${token}`, sk: 'IDENTITY' };
}

function contactKey(token: string): { pk: string; sk: string } {
  return { pk: `CONTACT#${token}`, sk: 'CONTACT' };
}

/** Sort-key prefix of a customer's timeline items. */
export const TIMELINE_PREFIX = 'TIMELINE#';
/** Upper bound of timeline sort keys: every `TIMELINE#...` key sorts below `TIMELINE$`. */
export const TIMELINE_END = 'TIMELINE$';
/** Sort-key prefix of the raw payloads kept beside their timeline items (outside the timeline's range). */
export const RAW_PREFIX = 'RAW#';
/** Sort-key prefix of the merge suggestions on a customer's profile. */
export const SUGGESTION_PREFIX = 'SUGGESTION#';
/** Partition of everyone who mentioned the identity of a token (`<kind>#<value>`). */
export const mentionsPartition = (token: string): string => `MENTION#${token}`;

/**
 * Single-table keys. Every access pattern is named here and listed in the README:
 *
 * | pattern                | key                                                              |
 * |------------------------|------------------------------------------------------------------|
 * | identity → customer    | GetItem  pk=IDENTITY#<kind>#<value>, sk=IDENTITY                 |
 * | customer profile       | GetItem  pk=CUSTOMER#<id>, sk=PROFILE                            |
 * | customer timeline      | Query    pk=CUSTOMER#<id>, sk begins_with TIMELINE#               |
 * | recent timeline items  | Query    pk=CUSTOMER#<id>, TIMELINE# range, newest first, Limit    |
 * | large raw payloads     | Put/Query pk=CUSTOMER#<id>, sk=RAW#TIMELINE#<at>#<item id>        |
 * | merge suggestions      | Query    pk=CUSTOMER#<id>, sk begins_with SUGGESTION#             |
 * | customers by name      | Query    gsi1 gsi1pk=CUSTOMER_NAME, gsi1sk begins_with <name>     |
 * | conversation           | GetItem  pk=CONVERSATION#<id>, sk=CONVERSATION                   |
 * | inbox by status        | Query    gsi1 gsi1pk=INBOX#<status>, gsi1sk=<waitingSince>#<id>   |
 * | message by provider id | GetItem  pk=MESSAGE#<channel>#<providerMessageId>, sk=MESSAGE     |
 * | who mentioned identity | Query    pk=MENTION#<kind>#<value>, sk=CUSTOMER#<id>              |
 * | contact state (opt-out)| GetItem  pk=CONTACT#<kind>#<value>, sk=CONTACT                    |
 * | agent                  | GetItem  pk=AGENT#<id>, sk=AGENT                                 |
 * | every agent            | Query    gsi1 gsi1pk=AGENTS, gsi1sk=<id>                         |
 * | reply by id            | GetItem  pk=REPLY#<id>, sk=REPLY                                 |
 * | raw provider event     | PutItem  pk=PROVIDER_EVENT#<provider>, sk=<occurredAt>#<id>      |
 * | overall metrics        | GetItem  pk=METRICS, sk=OVERALL                                  |
 * | audit log, newest first| Query ×8 pk=AUDIT#<0..7>, sk=<at>#<id> descending, merged        |
 */
/** The time in a timeline sort key (`TIMELINE#<at>#<item id>`) of the item `itemId`, or undefined. */
export function timelineAtOf(sk: string, itemId: string): string | undefined {
  const suffix = `#${itemId}`;
  if (!sk.startsWith(TIMELINE_PREFIX) || !sk.endsWith(suffix)) return undefined;
  const at = sk.slice(TIMELINE_PREFIX.length, sk.length - suffix.length);
  return at || undefined;
}

export const Keys = {
  identity: (identity: Identity) => identityKey(identityToken(identity)),
  /** The identity item of a token (`<kind>#<value>`), as profiles list their identities. */
  identityByToken: (token: string) => identityKey(token),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  timelineItem: (customerId: string, at: string, itemId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${TIMELINE_PREFIX}${at}#${itemId}`,
  }),
  conversation: (conversationId: string) => ({
    pk: `CONVERSATION#${conversationId}`,
    sk: 'CONVERSATION',
  }),
  agent: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'AGENT' }),
  contactState: (identity: Identity) => contactKey(identityToken(identity)),
  /** The contact state of a token (`<kind>#<value>`), as profiles list their identities. */
  contactStateByToken: (token: string) => contactKey(token),
  messageRef: (channel: Channel, providerMessageId: string) => ({
    pk: `MESSAGE#${channel}#${providerMessageId}`,
    sk: 'MESSAGE',
  }),
  /** That a customer mentioned the identity of a token (`<kind>#<value>`). */
  mention: (token: string, customerId: string) => ({
    pk: mentionsPartition(token),
    sk: `CUSTOMER#${customerId}`,
  }),
  /** A reply as the agent or the AI asked for it, keyed by its id so a retried request finds it. */
  reply: (replyId: string) => ({ pk: `REPLY#${replyId}`, sk: 'REPLY' }),
  /** A raw provider event, kept apart from what timeline queries read. */
  providerEvent: (provider: string, occurredAt: string, envelopeId: string) => ({
    pk: `PROVIDER_EVENT#${provider}`,
    sk: `${occurredAt}#${envelopeId}`,
  }),
  /** An audit record, in the shard its id picks (see `auditShard`). */
  audit: (shard: number, at: string, auditId: string) => ({
    pk: auditPartition(shard),
    sk: `${at}#${auditId}`,
  }),
  /** The one item of overall counters. */
  metrics: () => ({ pk: 'METRICS', sk: 'OVERALL' }),
} as const;

/** Key of the suggestion, on `customerId`'s profile, that `otherId` may be the same person. */
export function suggestionKey(customerId: string, otherId: string): { pk: string; sk: string } {
  return { pk: Keys.customer(customerId).pk, sk: `${SUGGESTION_PREFIX}${otherId}` };
}

/** Key of the raw payload kept aside for a timeline item: its partition, `RAW#` and its sort key. */
export function rawPayloadKey(customerId: string, at: string, itemId: string): { pk: string; sk: string } {
  const key = Keys.timelineItem(customerId, at, itemId);
  return { pk: key.pk, sk: `${RAW_PREFIX}${key.sk}` };
}

/** Key of a reply's item on the timeline, which also holds its send claim and outcome. */
export function replyTimelineKey(reply: { id: string; customerId: string; at: string }): {
  pk: string;
  sk: string;
} {
  return Keys.timelineItem(reply.customerId, reply.at, replyItemId(reply.id));
}

/**
 * How many partitions the audit log is spread over. Records go to a shard picked from their random id,
 * so writes spread evenly and no partition takes the whole log's traffic; a page reads every shard
 * newest first and merges them (a handful of small queries, one page each). A fixed number, so a
 * reader always knows where to look; raising it means reading the old shards too.
 */
export const AUDIT_SHARDS = 8;
/** Partition of one shard of the audit log. */
export const auditPartition = (shard: number): string => `AUDIT#${shard}`;

/** Partition of the agents in the gsi1 index. */
export const AGENTS_PARTITION = 'AGENTS';
/** Partition of the customer-name index. */
export const CUSTOMER_NAME_PARTITION = 'CUSTOMER_NAME';
/** Inbox index partition of a conversation status. */
export const inboxPartition = (status: string): string => `INBOX#${status}`;
/** Inbox index sort key: longest waiting first, the id to break ties. */
export const inboxSortKey = (since: string, conversationId: string): string => `${since}#${conversationId}`;

/** Sort key of the customer-name index: the searchable name, the id to break ties. */
export const nameSortKey = (name: string, customerId: string): string =>
  `${nameSearchKey(name)}#${customerId}`;

/** Lower-cased, accent-free form of a name for prefix search. */
export function nameSearchKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
