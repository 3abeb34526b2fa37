import { createHash } from 'node:crypto';
import type { Channel, Identity } from '../domain/envelope.js';
import { identityToken } from '../domain/identity.js';
import { replyItemId } from '../domain/replies.js';
import { auditPartition, auditSortKey } from './audit-keys.js';

function identityKey(token: string): { pk: string; sk: string } {
  return { pk: `IDENTITY#${token}`, sk: 'IDENTITY' };
}

function contactKey(token: string, number?: string): { pk: string; sk: string } {
  return { pk: `CONTACT#${token}`, sk: number === undefined ? 'CONTACT' : `CONTACT#${number}` };
}

/** Sort-key prefix of a customer's timeline items. */
export const TIMELINE_PREFIX = 'TIMELINE#';
/** Upper bound of timeline sort keys: every `TIMELINE#...` key sorts below `TIMELINE$`. */
export const TIMELINE_END = 'TIMELINE$';
/** Sort-key prefix of the raw payloads kept beside their timeline items (outside the timeline's range). */
export const RAW_PREFIX = 'RAW#';
/** Sort-key prefix of the conversations a customer had, one item each under their partition. */
export const MEMBERSHIP_PREFIX = 'CONVERSATION#';
/** Sort-key prefix of the merge suggestions on a customer's profile. */
export const SUGGESTION_PREFIX = 'SUGGESTION#';
/**
 * Sort-key prefix of the notes, under a customer, of the email thread links that name them: written
 * once by the upgrade's `note-thread-links` for replies sent before replies kept their Message-ID.
 */
export const THREAD_NOTE_PREFIX = 'THREADLINK#';
/**
 * Sort-key prefix of the notes, under a customer, of the message references their deletions marked
 * before the message came (`deletedBy`): what their erasure takes, as the mark names them for a week.
 */
export const DELETION_NOTE_PREFIX = 'DELETIONMARK#';
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
 * | replies a watermark reads | Query pk=CUSTOMER#<id>, sk between TIMELINE# and TIMELINE#<at>$, newest first, Limit 20 |
 * | large raw payloads     | Put/Query pk=CUSTOMER#<id>, sk=RAW#TIMELINE#<at>#<item id>        |
 * | merge suggestions      | Query    pk=CUSTOMER#<id>, sk begins_with SUGGESTION#             |
 * | customer's conversations| Query   pk=CUSTOMER#<id>, sk begins_with CONVERSATION#           |
 * | noted thread links     | Query    pk=CUSTOMER#<id>, sk begins_with THREADLINK# (erasure)     |
 * | deletion marks of a customer | Query pk=CUSTOMER#<id>, sk begins_with DELETIONMARK# (erasure) |
 * | customers by name      | Query ×N gsi1k gsi1pk=CUSTOMER_NAME#<shard> and CUSTOMER_WORD#<shard> (name-words.ts), gsi1sk begins_with <name> (next page: > <cursor>), merged, BatchGetItem |
 * | conversation           | GetItem  pk=CONVERSATION#<id>, sk=CONVERSATION                   |
 * | inbox by status        | Query ×N gsi1k gsi1pk=INBOX#<status>#<shard>, gsi1sk=<waitingSince>#<id> (answered: answered#<at>#<id>), merged, GetItem each |
 * | inbox by SLA deadline  | Query ×N gsi2 gsi2pk=INBOXDUE#<status>#<shard>, gsi2sk=<due>#<id>, merged, GetItem each |
 * | message by provider id | GetItem  pk=MESSAGE#<channel>#<providerMessageId>, sk=MESSAGE     |
 * | erased message's marker| GetItem  pk=ERASED#<sha256 of MESSAGE#<channel>#<id>>, sk=ERASED (ttl) |
 * | a deletion's message   | Query ×N pk=CUSTOMER#<id>, sk between TIMELINE#<at − 7 days> and TIMELINE$, newest first, filter id, ≤ 1,000 read |
 * | who mentioned identity | Query    pk=MENTION#<kind>#<value>, sk=CUSTOMER#<id>              |
 * | contact state (opt-out)| Query    pk=CONTACT#<kind>#<value>: sk=CONTACT (the address), sk=CONTACT#<our number> (SMS) |
 * | agent                  | GetItem  pk=AGENT#<id>, sk=AGENT                                 |
 * | every agent            | Query    gsi1k gsi1pk=AGENTS (removed ones kept with their sets: AGENTS_REMOVED), gsi1sk=<id> |
 * | agent's console lease  | BatchGetItem pk=AGENT_LIVE#<id>, sk=AGENT_LIVE (the online agents); Update by their sockets (ttl) |
 * | removed agent          | GetItem  pk=AGENT_REMOVED#<id>, sk=AGENT_REMOVED (sign-in check, once a minute per agent and container) |
 * | removed agents' list   | Update   pk=AGENT_REMOVALS, sk=AGENT_REMOVALS (a removal, conditional on its admin not listed; a restore) |
 * | reply by id            | GetItem  pk=REPLY#<id>, sk=REPLY                                 |
 * | note by key            | GetItem  pk=NOTE#<nk_id>, sk=NOTE (where a keyed note is)        |
 * | raw provider event     | PutItem  pk=PROVIDER_EVENT#<provider>, sk=<occurredAt>#<id>      |
 * | metrics by hour        | Query ×N pk=METRICS#<shard>, sk between DAY#<from> and DAY#<to>T23 (UTC hours; day items of before), summed |
 * | audit log, newest first| Query ×8 pk=AUDIT#<0..7>, sk=<at>#<id> descending, merged        |
 * | audit of a customer    | Query    pk=AUDIT#CUSTOMER#<customer id>, sk=<at>#<id> (audit-keys.ts); any filtered page: BatchGetItem (strong) of its records |
 * | audit of an agent      | Query ×8 pk=AUDIT#AGENT#<0..7>#<agent id>, sk=<at>#<id>, merged   |
 * | audit of an action     | Query ×8 pk=AUDIT#ACTION#<0..7>#<action>, sk=<at>#<id>, merged    |
 * | webhook subscription   | GetItem  pk=WEBHOOK#<id>, sk=WEBHOOK                             |
 * | subscription of a URL  | GetItem  pk=WEBHOOK_URL#<sha256 of URL+event>, sk=WEBHOOK_URL (one active each) |
 * | keyed rotation         | Put/GetItem pk=WEBHOOK_ROTATION#<sha256 of admin+key>, sk=WEBHOOK_ROTATION (its webhook) |
 * | every subscription     | Query    gsi1k gsi1pk=WEBHOOKS, gsi1sk=<createdAt>#<id>, GetItem each |
 * | webhook delivery log   | Query ×8 pk=WEBHOOK_DELIVERY#<sub>#<0..7>, sk=<at>#<id>, merged   |
 * | paused deliveries      | Query ×9 pk=WEBHOOK_PAUSED#<sub>[#<0..7>], sk=<delivery id> (enable resumes them) |
 * | deliveries of customer | Query    pk=WEBHOOK_DELIVERY_OF#<customer id>, sk=<sub>#<delivery id> (ttl; erasure) |
 * | live events after seq  | Query ×160 per hour pk=LIVE#<hour>#<0..159>, sk > <seq>, merged   |
 * | live packs of customer | Query    pk=LIVE#OF#<customer id>, sk=<pack pk>|<pack sk>, or MERGED#<kept id>#<at> (an unmerge's window) (ttl; erasure) |
 * | open live sockets      | Query ×8 pk=LIVE_CONN#<0..7>; Put/Update/Delete sk=<connectionId>  |
 * | web-chat session       | GetItem  pk=WEBCHAT_SESSION#<sha256 of token>, sk=SESSION (ttl)   |
 * | web-chat sessions of id| Query    pk=WEBCHAT_SESSIONS#<kind>#<value>, sk=SESSION#<sha256> (ttl; erasure) |
 * | web-chat rate counter  | Update   pk=WEBCHAT_RATE#<limit>#<subject>#<window>, sk=RATE (ttl) |
 * | visitor's message claim| Update   pk=WEBCHAT_MSG#<provider message id>, sk=MSG (ttl)        |
 * | visitor connection     | GetItem  pk=WEBCHAT_CONN#<connection id>, sk=CONN (ttl)            |
 * | a session's sockets    | Update   pk=WEBCHAT_SOCKETS#<sha256 of token>, sk=SOCKETS (ttl; the newest 10) |
 * | visitors of a customer | Query    pk=WEBCHAT_LIVE#<customer id>, sk=CONN#<connection id> (ttl) |
 * | visitors of an identity| Query    pk=WEBCHAT_LIVE_ID#<kind>#<value>, sk=CONN#<connection id> (ttl) |
 */
export const Keys = {
  identity: (identity: Identity) => identityKey(identityToken(identity)),
  /** The identity item of a token (`<kind>#<value>`), as profiles list their identities. */
  identityByToken: (token: string) => identityKey(token),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  timelineItem: (customerId: string, at: string, itemId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${TIMELINE_PREFIX}${at}#${itemId}`,
  }),
  conversation: (conversationId: string) => ({ pk: `CONVERSATION#${conversationId}`, sk: 'CONVERSATION' }),
  /** That a conversation is the customer's: one item per conversation, so no profile set grows. */
  membership: (customerId: string, conversationId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${MEMBERSHIP_PREFIX}${conversationId}`,
  }),
  agent: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'AGENT' }),
  /** Until when the agent counts as at the console: written by their live sockets only, not by the agent API. */
  agentLive: (agentId: string) => ({ pk: `AGENT_LIVE#${agentId}`, sk: 'AGENT_LIVE' }),
  /** That an admin removed the agent: their requests are refused until an admin restores them. */
  agentRemoved: (agentId: string) => ({ pk: `AGENT_REMOVED#${agentId}`, sk: 'AGENT_REMOVED' }),
  /** The agents removed and not restored, one set: a removal is written only while its admin is not in it. */
  agentRemovals: () => ({ pk: 'AGENT_REMOVALS', sk: 'AGENT_REMOVALS' }),
  contactState: (identity: Identity, number?: string) => contactKey(identityToken(identity), number),
  /** The contact state of a token (`<kind>#<value>`), as profiles list their identities. */
  contactStateByToken: (token: string) => contactKey(token),
  messageRef: (channel: Channel, providerMessageId: string) => ({
    pk: `MESSAGE#${channel}#${providerMessageId}`,
    sk: 'MESSAGE',
  }),
  /** The marker an erasure left in place of a message reference (see `erasedMarkerKey`). */
  erasedMessage: (channel: Channel, providerMessageId: string) =>
    erasedMarkerKey(Keys.messageRef(channel, providerMessageId)),
  /** That an email thread link (`messageRef(channel, threadId)`) names the customer: what their erasure deletes. */
  threadNote: (customerId: string, channel: Channel, threadId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${THREAD_NOTE_PREFIX}${channel}#${threadId}`,
  }),
  /** That a customer's deletion marked a message's reference (`messageRef`) before the message came. */
  deletionNote: (customerId: string, channel: Channel, providerMessageId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${DELETION_NOTE_PREFIX}${channel}#${providerMessageId}`,
  }),
  /** That a customer mentioned the identity of a token (`<kind>#<value>`). */
  mention: (token: string, customerId: string) => ({
    pk: mentionsPartition(token),
    sk: `CUSTOMER#${customerId}`,
  }),
  /** A reply as the agent or the AI asked for it, keyed by its id so a retried request finds it. */
  reply: (replyId: string) => ({ pk: `REPLY#${replyId}`, sk: 'REPLY' }),
  /** An agent's note made with an `Idempotency-Key` (`nk_…`): where it is, so a retried request finds it. */
  keyedNote: (noteId: string) => ({ pk: `NOTE#${noteId}`, sk: 'NOTE' }),
  /** A raw provider event, kept apart from what timeline queries read. */
  providerEvent: (provider: string, occurredAt: string, envelopeId: string) => ({
    pk: `PROVIDER_EVENT#${provider}`,
    sk: `${occurredAt}#${envelopeId}`,
  }),
  /** An audit record, in the shard its id picks (see `auditShard`). */
  audit: (shard: number, at: string, auditId: string) => ({
    pk: auditPartition(shard),
    sk: auditSortKey(at, auditId),
  }),
  /** The one item of overall counters, written before the counters were sharded by day (no longer written). */
  metrics: () => ({ pk: 'METRICS', sk: 'OVERALL' }),
  /** A web-chat session, under the hash of its token. */
  webchatSession: (tokenHash: string) => ({ pk: `WEBCHAT_SESSION#${tokenHash}`, sk: 'SESSION' }),
  /** That a web-chat session is of an identity (`<kind>#<value>`): what erasing that identity deletes. */
  webchatSessionOf: (token: string, tokenHash: string) => ({
    pk: `WEBCHAT_SESSIONS#${token}`,
    sk: `SESSION#${tokenHash}`,
  }),
  /** One fixed-window rate counter of one web-chat subject (a session or an address). */
  webchatRate: (key: string) => ({ pk: `WEBCHAT_RATE#${key}`, sk: 'RATE' }),
  /** The first time and text hash of a visitor's message, so a retry answers the same `at` (or 409). */
  webchatMessage: (providerMessageId: string) => ({ pk: `WEBCHAT_MSG#${providerMessageId}`, sk: 'MSG' }),
  /** A visitor's live connection (AWS WebSocket API), with what it follows. */
  webchatConnection: (connectionId: string) => ({ pk: `WEBCHAT_CONN#${connectionId}`, sk: 'CONN' }),
  /** The live sockets a web-chat session holds open (`<opened at> <connection id>`), trimmed to the newest ten. */
  webchatSessionSockets: (tokenHash: string) => ({ pk: `WEBCHAT_SOCKETS#${tokenHash}`, sk: 'SOCKETS' }),
  /** That a connection follows a customer's timeline. */
  webchatFollower: (customerId: string, connectionId: string) => ({
    pk: `WEBCHAT_LIVE#${customerId}`,
    sk: `CONN#${connectionId}`,
  }),
  /** That a connection is of a visitor with an identity token (`<kind>#<value>`). */
  webchatIdentityFollower: (token: string, connectionId: string) => ({
    pk: `WEBCHAT_LIVE_ID#${token}`,
    sk: `CONN#${connectionId}`,
  }),
  /** One shard's counters of one UTC day (`yyyy-mm-dd`). */
  metricsDay: (shard: number, day: string) => ({ pk: metricsPartition(shard), sk: metricsDaySortKey(day) }),
} as const;

/**
 * Where an erasure's marker of a provider reference (`MESSAGE#<channel>#<id>`) is kept: under the
 * SHA-256 of the reference's key, so no marker holds the provider's id (a WhatsApp message id decodes
 * to the customer's number). The ids have random parts a hash of them cannot be searched for without.
 */
export function erasedMarkerKey(reference: { pk: string }): { pk: string; sk: string } {
  return { pk: `ERASED#${createHash('sha256').update(reference.pk).digest('hex')}`, sk: 'ERASED' };
}

/** Key of the suggestion, on `customerId`'s profile, that `otherId` may be the same person. */
export function suggestionKey(customerId: string, otherId: string): { pk: string; sk: string } {
  return { pk: Keys.customer(customerId).pk, sk: `${SUGGESTION_PREFIX}${otherId}` };
}

/** Key of the timeline item a message reference names: its customer's partition and its sort key. */
export function referencedItemKey(ref: { customerId: string; timelineSk: string }): {
  pk: string;
  sk: string;
} {
  return { pk: Keys.customer(ref.customerId).pk, sk: ref.timelineSk };
}

/** Key of the raw payload kept aside for a timeline item: its partition, `RAW#` and its sort key. */
export function rawPayloadKey(customerId: string, at: string, itemId: string): { pk: string; sk: string } {
  const key = Keys.timelineItem(customerId, at, itemId);
  return { pk: key.pk, sk: `${RAW_PREFIX}${key.sk}` };
}

/** Key of a reply's item on the timeline, which also holds its send claim and outcome. */
export function replyTimelineKey(reply: {
  id: string;
  customerId: string;
  at: string;
  placedAt?: string | undefined;
}): {
  pk: string;
  sk: string;
} {
  return Keys.timelineItem(reply.customerId, reply.placedAt ?? reply.at, replyItemId(reply.id));
}

/** Partition of the agents in the list index (gsi1k). */
export const AGENTS_PARTITION = 'AGENTS';
/** Partition of the customer-name index before it was sharded: still read, never written. */
export const CUSTOMER_NAME_PARTITION = 'CUSTOMER_NAME';
/** Inbox index partition of a conversation status before it was sharded: still read, never written. */
export const inboxPartition = (status: string): string => `INBOX#${status}`;

/**
 * Shards of the write-sharded keys every customer would otherwise share: each message's writes land
 * in one shard, picked by a hash of the customer, conversation or message id. A message writes its
 * profile (the name index) once, its conversation (the inbox index) about 2.33 times and the metrics
 * at most twice, so these give each shard at most 1 write in 55 messages (README, Data). Reads query
 * every shard (and the partition written before sharding) and merge, so no more shards than that.
 * Fixed numbers: a reader must know where to look; changing one means reading the old shards too.
 */
export const SHARDS = { metrics: 128, inbox: 128, names: 64, csatAnswers: 16 } as const;

/** The shard (0..n-1) of an id: FNV-1a over its UTF-16 code units, so the same id always lands alike. */
export function shardOf(id: string, n: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return hash % n;
}

/** Inbox index partition of a status's shard: the conversation's id picks the shard. */
export const inboxShardPartition = (status: string, conversationId: string): string =>
  `INBOX#${status}#${shardOf(conversationId, SHARDS.inbox)}`;
/** Every partition the inbox of a status is read from: its shards, then the legacy partition. */
export const inboxPartitions = (status: string): string[] => [
  ...Array.from({ length: SHARDS.inbox }, (_, shard) => `INBOX#${status}#${shard}`),
  inboxPartition(status),
];
/**
 * Deadline index (gsi2) partition of a status's shard, the same shard as the inbox's. Written with
 * every status move; a conversation is in the index only while it also has `gsi2sk` (a pending deadline).
 */
export const inboxDueShardPartition = (status: string, conversationId: string): string =>
  `INBOXDUE#${status}#${shardOf(conversationId, SHARDS.inbox)}`;
/** Every partition the deadline index of a status is read from (it was sharded from the start). */
export const inboxDuePartitions = (status: string): string[] =>
  Array.from({ length: SHARDS.inbox }, (_, shard) => `INBOXDUE#${status}#${shard}`);
/** Customer-name index partition of a customer: its id picks the shard. */
export const nameShardPartition = (customerId: string): string =>
  `${CUSTOMER_NAME_PARTITION}#${shardOf(customerId, SHARDS.names)}`;
/** Every partition the name index is read from: its shards, then the legacy partition. */
export const namePartitions = (): string[] => [
  ...Array.from({ length: SHARDS.names }, (_, shard) => `${CUSTOMER_NAME_PARTITION}#${shard}`),
  CUSTOMER_NAME_PARTITION,
];
/** Partition of one shard of the daily metrics counters. */
export const metricsPartition = (shard: number): string => `METRICS#${shard}`;
/** Sort key of one UTC day (`yyyy-mm-dd`) in a metrics shard. */
export const metricsDaySortKey = (day: string): string => `DAY#${day}`;
/** Inbox index sort key: longest waiting first, the id to break ties. */
export const inboxSortKey = (since: string, conversationId: string): string => `${since}#${conversationId}`;
/**
 * Inbox index sort key of an open conversation that is answered (nobody waits): after every waiting
 * one (`a` sorts after the digits a time starts with), the longest answered first.
 */
export const inboxAnsweredSortKey = (answeredAt: string, conversationId: string): string =>
  `answered#${answeredAt}#${conversationId}`;

/** Deadline index sort key: the soonest pending SLA deadline first, the id to break ties. */
export const inboxDueSortKey = (due: string, conversationId: string): string => `${due}#${conversationId}`;

export { AUDIT_SHARDS, auditPartition } from './audit-keys.js';
export { nameSearchKey, nameSortKey } from './name-key.js';
export {
  customerDeliveryKey,
  DELIVERY_SHARDS,
  deliveryKey,
  deliveryPartition,
  pausedDeliveryKey,
  pausedPartitions,
  unshardedPausedKey,
  WEBHOOKS_PARTITION,
  webhookKey,
  webhookRotationKey,
  webhookUrlKey,
} from './webhook-keys.js';

/**
 * Partitions of one hour's live events (`GET /api/events`): a message makes about 3.2 events (bench 9),
 * packed by the batch into items, so the log is spread over this many shards (a pack's first event id
 * picks one) and bucketed by hour (a catch-up queries the shards of the hours since `since` and merges
 * them): even at one item an event each shard takes 1 write in 50 messages, about 200 a second at
 * 10,000 messages a second. A fixed number: a reader must know where to look.
 */
export const LIVE_SHARDS = 160;
/** The hour bucket (`yyyy-mm-ddThh`, UTC) of a moment in ms. */
export const liveHour = (ms: number): string => new Date(ms).toISOString().slice(0, 13);
/** Partition of one shard of one hour of the live event log. */
export const liveEventPartition = (hour: string, shard: number): string => `LIVE#${hour}#${shard}`;

/**
 * Where the live log notes which of its items hold a customer's events (one item per pack and
 * customer, with the pack's `ttl`), so an erasure finds them without reading everyone's events. Under
 * `LIVE#` like the log itself: the change feed passes it by, as it does the log.
 */
export const liveOfCustomerPartition = (customerId: string): string => `LIVE#OF#${customerId}`;
/** Whether `pk` is a partition of the live event log (no other partition starts `LIVE#`). */
export const isLiveEventPartition = (pk: string): boolean => pk.startsWith('LIVE#');
/** Sort key of a live event: its `seq` (zero-padded, so the order of keys is the order of seqs), its id. */
export const liveEventSortKey = (seq: number, id: string): string => `${String(seq).padStart(20, '0')}#${id}`;
/** Shards of the open live sockets (written on connect, disconnect and viewing, never per message). */
export const LIVE_CONNECTION_SHARDS = 8;
/** Partition of one shard of the open live sockets. */
export const liveConnectionPartition = (shard: number): string => `LIVE_CONN#${shard}`;
/** An open live socket, in the shard its id picks. */
export const liveConnectionKey = (connectionId: string): { pk: string; sk: string } => ({
  pk: liveConnectionPartition(shardOf(connectionId, LIVE_CONNECTION_SHARDS)),
  sk: connectionId,
});

/**
 * The provider references of a stored timeline item that may name its partition (see `onceReference`):
 * its provider message id's, and for an event other than a message (a call has several) its own id's.
 */
export function providerReferencesOf(stored: Record<string, unknown>): Array<{ pk: string; sk: string }> {
  const channel = typeof stored.channel === 'string' ? (stored.channel as Channel) : undefined;
  if (!channel || typeof stored.providerMessageId !== 'string') return [];
  const keys = [Keys.messageRef(channel, stored.providerMessageId)];
  if (stored.type !== 'message' && typeof stored.id === 'string')
    keys.push(Keys.messageRef(channel, stored.id));
  return keys;
}
