import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type Agent, type AgentProfile, AgentProfileSchema } from '../domain/assignment.js';
import {
  type Channel,
  ChannelSchema,
  type Envelope,
  type Identity,
  IdentityKindSchema,
  type StatusEnvelope,
} from '../domain/envelope.js';
import type { InboxFilter } from '../domain/inbox.js';
import { followMerges } from '../domain/merges.js';
import type { Metrics } from '../domain/metrics.js';
import { type OutboundMessage, OutboundMessageSchema, type SendResult } from '../domain/outbound.js';
import type { Page } from '../domain/paging.js';
import { replyItem, replyItemId } from '../domain/replies.js';
import type {
  ContactState,
  ConversationTouch,
  ProfileState,
  ProfileTouch,
  ResolverStore,
  SuggestionEvidence,
  ThreadLink,
} from '../domain/resolver.js';
import type { DecisionCount } from '../domain/router.js';
import { type Suggestion, SuggestionSchema } from '../domain/suggestions.js';
import {
  type Conversation,
  ConversationSchema,
  type Customer,
  CustomerSchema,
  type TimelineItem,
  TimelineItemSchema,
  withChannelSwitches,
} from '../domain/timeline.js';
import { GoneError, UnavailableError, ValidationError } from '../errors.js';
import { documentClient, isConditionFailure, sendConditional, sendDynamo } from './dynamo-client.js';
import { AGENTS_PARTITION, Keys, SUGGESTION_PREFIX, TIMELINE_PREFIX } from './keys.js';
import { getInput } from './params/common.js';
import { earlierWaitInput, queryInboxInput, touchConversationInput } from './params/conversations.js';
import {
  advanceChannelInboundInput,
  claimIdentityInput,
  getIdentityInput,
  queryCustomersByNameInput,
  setContactStateInput,
  setNameInput,
  touchProfileInput,
} from './params/customers.js';
import { putMentionInput, putSuggestionInput, queryMentionsInput } from './params/suggestions.js';
import {
  advanceMessageRefInput,
  advanceTimelineStatusInput,
  linkMessageRefInput,
  linkThreadInput,
  putTimelineItemInput,
  queryTimelineInput,
} from './params/timeline.js';

const IdentityItemSchema = z.object({ customerId: z.string() });

const MessageRefItemSchema = z.object({
  customerId: z.string().optional(),
  timelineSk: z.string().optional(),
  status: z.string().optional(),
  statusRank: z.number().optional(),
});

const ProfileStateSchema = z.object({
  customerId: z.string(),
  name: z.string().optional(),
  nameAt: z.string().optional(),
  mergedInto: z.string().optional(),
  openConversationId: z.string().optional(),
  lastConversationId: z.string().optional(),
  lastResolvedAt: z.string().optional(),
});

const EvidenceSetSchema = z
  .union([z.set(z.string()), z.array(z.string())])
  .transform((v) => [...v].sort().map((json) => JSON.parse(json) as SuggestionEvidence));

const MentionItemSchema = z.object({ customerId: z.string(), evidence: EvidenceSetSchema });

const SuggestionItemSchema = z
  .looseObject({
    customerId: z.string(),
    otherId: z.string(),
    status: z.enum(['open', 'dismissed', 'accepted']),
    createdAt: z.string(),
    evidence: EvidenceSetSchema,
  })
  .transform((item) =>
    SuggestionSchema.parse({
      customerId: item.customerId,
      otherId: item.otherId,
      status: item.status,
      createdAt: item.createdAt,
      evidence: item.evidence,
    }),
  );

const TimelineCursorSchema = z.object({
  after: z.string().startsWith(TIMELINE_PREFIX).max(2048),
  lastInbound: z.optional(ChannelSchema),
});

/** Encodes a timeline cursor: the last sort key returned and the last inbound channel seen. */
function encodeTimelineCursor(cursor: z.infer<typeof TimelineCursorSchema>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeTimelineCursor(cursor: string | undefined): { after?: string; lastInbound?: Channel } {
  if (!cursor) return {};
  try {
    if (cursor.length > 4096) throw new Error('too long');
    return TimelineCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new ValidationError('invalid cursor', { cause: error });
  }
}

const ContactStateSchema = z.object({
  blocked: z.boolean(),
  reason: z.string(),
  at: z.string(),
  envelopeId: z.string(),
});

/** The one item of overall counters. */
const METRICS_KEY = { pk: 'METRICS', sk: 'OVERALL' } as const;

const ThreadLinkItemSchema = z.object({ customerId: z.string(), conversationId: z.string() });

/** A DynamoDB string set as the document client reads it (a Set, or an array), sorted. */
export const StringSetSchema = z
  .union([z.set(z.string()), z.array(z.string())])
  .optional()
  .transform((v) => [...(v ?? [])].sort());

const CustomerItemSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  identities: StringSetSchema,
  channels: StringSetSchema,
  createdAt: z.string(),
  lastInboundAt: z.string().optional(),
  lastInboundChannel: z.string().optional(),
  openConversationId: z.string().optional(),
  mergedInto: z.string().optional(),
  mergedFrom: StringSetSchema,
  tags: StringSetSchema,
  lastAgentId: z.string().optional(),
  lastAgentAt: z.string().optional(),
});

/** Encodes a DynamoDB LastEvaluatedKey as an opaque URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

const CursorSchema = z.record(z.string(), z.union([z.string().max(2048), z.number()]));

/** Decodes a cursor; a cursor that was not made by encodeCursor is a ValidationError. */
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    if (cursor.length > 4096) throw new Error('too long');
    return CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new ValidationError('invalid cursor', { cause: error });
  }
}

function parseIdentityToken(token: string): Identity | undefined {
  const hash = token.indexOf('#');
  const kind = IdentityKindSchema.safeParse(token.slice(0, hash));
  return kind.success ? { kind: kind.data, value: token.slice(hash + 1) } : undefined;
}

function toCustomer(item: Record<string, unknown>): Customer {
  const parsed = CustomerItemSchema.parse(item);
  const lastInboundByChannel = Object.fromEntries(
    Object.entries(item)
      .filter(([key, value]) => key.startsWith('lastInbound_') && typeof value === 'string')
      .map(([key, value]) => [key.slice('lastInbound_'.length), value]),
  );
  return CustomerSchema.parse({
    id: parsed.id,
    name: parsed.name,
    identities: parsed.identities.map(parseIdentityToken).filter((i) => i !== undefined),
    channels: parsed.channels,
    createdAt: parsed.createdAt,
    lastInboundAt: parsed.lastInboundAt,
    lastInboundChannel: parsed.lastInboundChannel,
    lastInboundByChannel,
    openConversationId: parsed.openConversationId,
    mergedInto: parsed.mergedInto,
    mergedFrom: parsed.mergedFrom,
    tags: parsed.tags,
    lastAgentId: parsed.lastAgentId,
    lastAgentAt: parsed.lastAgentAt,
  });
}

function toTimelineItem(item: Record<string, unknown>): TimelineItem {
  const { pk: _pk, sk: _sk, entity: _entity, raw: _raw, statusRank: _rank, ...rest } = item;
  return TimelineItemSchema.parse(rest);
}

function toAgentProfile(item: Record<string, unknown>): AgentProfile {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return AgentProfileSchema.parse(rest);
}

function toConversation(item: Record<string, unknown>): Conversation {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g, gsi1sk: _s, channels, ...rest } = item;
  const list = StringSetSchema.parse(channels);
  return ConversationSchema.parse({ ...rest, channels: list, channelSwitch: list.length > 1 });
}

/**
 * The DynamoDB single-table store. Builds every command with the pure builders in keys.ts and only
 * sends them; condition failures that mean "already done" are absorbed here, other SDK errors are
 * rethrown as UnavailableError so callers retry.
 */
export class DynamoStore implements ResolverStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, table: string) {
    this.#doc = documentClient(client);
    this.#table = table;
  }

  async findCustomerId(
    identity: Identity,
    options: { consistent?: boolean } = {},
  ): Promise<string | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getIdentityInput(this.#table, identity, options.consistent))),
    );
    return out.Item ? IdentityItemSchema.parse(out.Item).customerId : undefined;
  }

  claimIdentity(identity: Identity, customerId: string, now: string): Promise<boolean> {
    return sendConditional('PutItem', () =>
      this.#doc.send(new PutCommand(claimIdentityInput(this.#table, identity, customerId, now))),
    );
  }

  async touchProfile(touch: ProfileTouch): Promise<void> {
    try {
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchProfileInput(this.#table, touch, 'current'))),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Older than the last event or the last resolution: only the order-independent sets change,
      // and the channel's reply window if this is its latest message.
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchProfileInput(this.#table, touch, 'stale'))),
      );
      if (touch.inbound) {
        await sendConditional('UpdateItem', () =>
          this.#doc.send(new UpdateCommand(advanceChannelInboundInput(this.#table, touch))),
        );
      }
    }
  }

  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean> {
    return sendConditional('PutItem', () =>
      this.#doc.send(new PutCommand(putTimelineItemInput(this.#table, item, raw))),
    );
  }

  async touchConversation(touch: ConversationTouch): Promise<void> {
    try {
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchConversationInput(this.#table, touch, 'current'))),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchConversationInput(this.#table, touch, 'stale'))),
      );
      if (touch.inbound) {
        await sendConditional('UpdateItem', () =>
          this.#doc.send(new UpdateCommand(earlierWaitInput(this.#table, touch))),
        );
      }
    }
  }

  async getProfileState(customerId: string): Promise<ProfileState | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.customer(customerId)))),
    );
    if (out.Item?.entity !== 'customer') return undefined;
    return ProfileStateSchema.parse({ ...out.Item, customerId });
  }

  async setName(customerId: string, name: string, at: string): Promise<void> {
    await sendConditional('UpdateItem', () =>
      this.#doc.send(new UpdateCommand(setNameInput(this.#table, customerId, name, at))),
    );
  }

  async getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.timelineItem(customerId, at, itemId), true))),
    );
    return out.Item ? toTimelineItem(out.Item) : undefined;
  }

  async putMention(identity: Identity, customerId: string, evidence: SuggestionEvidence): Promise<void> {
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(new UpdateCommand(putMentionInput(this.#table, identity, customerId, evidence))),
    );
  }

  async mentionsOf(identity: Identity): Promise<Array<{ customerId: string; evidence: SuggestionEvidence }>> {
    const out = await sendDynamo('Query', () =>
      this.#doc.send(new QueryCommand(queryMentionsInput(this.#table, identity))),
    );
    return (out.Items ?? []).flatMap((item) => {
      const mention = MentionItemSchema.parse(item);
      return mention.evidence.map((evidence) => ({ customerId: mention.customerId, evidence }));
    });
  }

  async putSuggestion(customerId: string, otherId: string, evidence: SuggestionEvidence): Promise<void> {
    const now = new Date().toISOString();
    for (const [a, b] of [
      [customerId, otherId],
      [otherId, customerId],
    ] as const) {
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(putSuggestionInput(this.#table, a, b, evidence, now))),
      );
    }
  }

  async setContactState(identity: Identity, state: ContactState): Promise<void> {
    await sendConditional('PutItem', () =>
      this.#doc.send(new PutCommand(setContactStateInput(this.#table, identity, state))),
    );
  }

  async putReply(message: OutboundMessage): Promise<{ message: OutboundMessage; created: boolean }> {
    const key = { pk: `REPLY#${message.id}`, sk: 'REPLY' };
    try {
      await sendDynamo('PutItem', () =>
        this.#doc.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...key,
              entity: 'reply',
              customerId: message.customerId,
              message: JSON.stringify(message),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return { message, created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, key, true))),
    );
    const stored = z.object({ message: z.string() }).parse(out.Item);
    return { message: OutboundMessageSchema.parse(JSON.parse(stored.message)), created: false };
  }

  async lastInbound(customerId: string, channel: Channel): Promise<TimelineItem | undefined> {
    const out = await sendDynamo('Query', () =>
      this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: 'channel = :channel AND direction = :inbound',
          ExpressionAttributeValues: {
            ':pk': Keys.customer(customerId).pk,
            ':prefix': TIMELINE_PREFIX,
            ':channel': channel,
            ':inbound': 'inbound',
          },
          ScanIndexForward: false,
          Limit: 100,
        }),
      ),
    );
    const [item] = out.Items ?? [];
    return item ? toTimelineItem(item) : undefined;
  }

  /**
   * Claims a reply for sending, for `leaseMs`: only one sender sends it, and a sender that died mid-send
   * leaves it to a redelivery once the lease is over. `sent` when it went out already.
   */
  async claimSend(
    message: OutboundMessage,
    now: Date,
    leaseMs: number,
  ): Promise<'claimed' | 'sent' | 'busy'> {
    const key = Keys.timelineItem(message.customerId, message.at, replyItemId(message.id));
    try {
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: 'SET sendLeaseUntil = :until',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(providerMessageId) AND attribute_not_exists(sendFailedAt) AND (attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now)',
            ExpressionAttributeValues: {
              ':until': new Date(now.getTime() + leaseMs).toISOString(),
              ':now': now.toISOString(),
            },
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, key, true))),
    );
    if (!out.Item) throw new UnavailableError(`reply ${message.id} is not on the timeline yet`);
    return out.Item.providerMessageId || out.Item.sendFailedAt ? 'sent' : 'busy';
  }

  /**
   * Records what the provider said: the reply's provider id (so status callbacks find it, and any status
   * that came first is applied), and for email the Message-ID we sent, so the customer's answer threads.
   */
  async recordSent(message: OutboundMessage, result: SendResult, at: string): Promise<void> {
    const item = replyItem(message);
    const key = Keys.timelineItem(message.customerId, message.at, item.id);
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET providerMessageId = :pmid REMOVE sendLeaseUntil',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':pmid': result.providerMessageId },
        }),
      ),
    );
    await this.#advanceTimeline(key, { status: 'sent', at });
    await this.linkOutbound({ ...item, providerMessageId: result.providerMessageId });
    if (result.messageIdHeader) {
      await this.linkThread(message.channel, result.messageIdHeader, {
        customerId: message.customerId,
        conversationId: message.conversationId,
      });
    }
  }

  /** Marks a reply failed for good, with the provider's reason. */
  async recordSendFailure(message: OutboundMessage, reason: { code: string; message: string }, at: string) {
    const key = Keys.timelineItem(message.customerId, message.at, replyItemId(message.id));
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET sendFailedAt = :at REMOVE sendLeaseUntil',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
    await this.#advanceTimeline(key, { status: 'failed', at, errors: [reason] });
  }

  /** Adds one routing decision to the overall counters (one item: fine at a small desk's volume). */
  async countDecision(decision: DecisionCount): Promise<void> {
    const names: Record<string, string> = { '#reason': `handoff_${decision.reason}` };
    const adds = ['routed :one'];
    if (decision.answeredByAi) adds.push('answeredByAi :one');
    if (decision.channelSwitch) adds.push('channelSwitches :one');
    if (decision.target === 'human') adds.push('#reason :one');
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: METRICS_KEY,
          UpdateExpression: `SET entity = :entity ADD ${adds.join(', ')}`,
          ...(decision.target === 'human' ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
        }),
      ),
    );
  }

  /** Marks a conversation's first reply; the first time only, adds its wait to the overall counters. */
  async recordFirstResponse(conversationId: string, at: string): Promise<void> {
    let waitingSince: string | undefined;
    try {
      const out = await sendDynamo('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: Keys.conversation(conversationId),
            UpdateExpression: 'SET firstResponseAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstResponseAt)',
            ExpressionAttributeValues: { ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      waitingSince =
        typeof out.Attributes?.waitingSince === 'string' ? out.Attributes.waitingSince : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw error;
    }
    if (!waitingSince) return;
    const ms = Math.max(0, Date.parse(at) - Date.parse(waitingSince));
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: METRICS_KEY,
          UpdateExpression: 'SET entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms',
          ExpressionAttributeValues: { ':one': 1, ':ms': ms, ':entity': 'metrics' },
        }),
      ),
    );
  }

  /** The overall counters, as metrics. */
  async overallMetrics(): Promise<Metrics> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, METRICS_KEY))),
    );
    const item = (out.Item ?? {}) as Record<string, unknown>;
    const num = (key: string) => (typeof item[key] === 'number' ? (item[key] as number) : 0);
    const routed = num('routed');
    const handoffReasons = Object.fromEntries(
      Object.entries(item)
        .filter(([key, value]) => key.startsWith('handoff_') && typeof value === 'number')
        .map(([key, value]) => [key.slice('handoff_'.length), value as number]),
    );
    const responses = num('firstResponses');
    return {
      routed,
      aiResolutionRate: routed ? num('answeredByAi') / routed : null,
      handoffReasons,
      firstResponseMs: {
        median: null,
        mean: responses ? num('firstResponseMsTotal') / responses : null,
        conversations: responses,
      },
      channelSwitchRate: routed ? num('channelSwitches') / routed : null,
    };
  }

  /** Replaces the customer's tags (labels agents give them, such as `vip`). */
  async setTags(customerId: string, tags: readonly string[]): Promise<void> {
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(customerId),
          UpdateExpression: tags.length ? 'SET tags = :tags' : 'REMOVE tags',
          ConditionExpression: 'entity = :customer',
          ExpressionAttributeValues: {
            ':customer': 'customer',
            ...(tags.length ? { ':tags': new Set(tags) } : {}),
          },
        }),
      ),
    );
  }

  /** Whether an address may be contacted (undefined: nothing recorded, so yes). */
  async getContactState(identity: Identity): Promise<ContactState | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.contactState(identity), true))),
    );
    return out.Item ? ContactStateSchema.parse(out.Item) : undefined;
  }

  /**
   * The merge suggestions for a customer as agents see them: those on the customer and on everyone
   * merged with them, leaving out suggestions between customers who are already one.
   */
  async suggestions(customerId: string): Promise<Suggestion[]> {
    const partitions = await this.mergedPartitions(customerId);
    const inside = new Set(partitions);
    const all = await Promise.all(partitions.map((id) => this.suggestionsOn(id)));
    return all.flat().filter((s) => !inside.has(s.otherId));
  }

  /** The suggestion items stored on one profile. */
  async suggestionsOn(customerId: string): Promise<Suggestion[]> {
    const out = await sendDynamo('Query', () =>
      this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': Keys.customer(customerId).pk, ':prefix': SUGGESTION_PREFIX },
        }),
      ),
    );
    return (out.Items ?? []).map((item) => SuggestionItemSchema.parse(item));
  }

  async advanceStatus(envelope: StatusEnvelope): Promise<void> {
    const change = { status: envelope.status, at: envelope.occurredAt, errors: envelope.errors };
    let ref: z.infer<typeof MessageRefItemSchema>;
    try {
      const out = await sendDynamo('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand(
            advanceMessageRefInput(this.#table, envelope.channel, envelope.providerMessageId, change),
          ),
        ),
      );
      ref = MessageRefItemSchema.parse(out.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Already at this status or beyond. Re-read so a crash between the two writes is completed.
      const out = await sendDynamo('GetItem', () =>
        this.#doc.send(
          new GetCommand(
            getInput(this.#table, Keys.messageRef(envelope.channel, envelope.providerMessageId), true),
          ),
        ),
      );
      ref = MessageRefItemSchema.parse(out.Item ?? {});
      if (ref.status !== envelope.status) return;
    }
    if (ref.customerId && ref.timelineSk) {
      await this.#advanceTimeline({ pk: Keys.customer(ref.customerId).pk, sk: ref.timelineSk }, change);
    }
  }

  async #advanceTimeline(
    key: { pk: string; sk: string },
    change: Parameters<typeof advanceTimelineStatusInput>[2],
  ): Promise<void> {
    await sendConditional('UpdateItem', () =>
      this.#doc.send(new UpdateCommand(advanceTimelineStatusInput(this.#table, key, change))),
    );
  }

  async linkOutbound(item: TimelineItem): Promise<void> {
    if (!item.providerMessageId || !item.channel) return;
    const key = Keys.timelineItem(item.customerId, item.at, item.id);
    const out = await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand(
          linkMessageRefInput(this.#table, item.channel as Channel, item.providerMessageId as string, {
            customerId: item.customerId,
            timelineSk: key.sk,
          }),
        ),
      ),
    );
    const ref = z
      .object({
        status: TimelineItemSchema.shape.status,
        statusAt: z.string().optional(),
        errors: TimelineItemSchema.shape.errors,
      })
      .parse(out.Attributes);
    // A status that came before the message was parked on the reference; bring it to the timeline.
    if (ref.status) {
      await this.#advanceTimeline(key, {
        status: ref.status,
        at: ref.statusAt ?? item.at,
        errors: ref.errors,
      });
    }
  }

  async putProviderEvent(envelope: Envelope): Promise<void> {
    await sendConditional('PutItem', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: `PROVIDER_EVENT#${envelope.provider}`,
            sk: `${envelope.occurredAt}#${envelope.id}`,
            entity: 'provider_event',
            envelope: JSON.stringify(envelope),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async findThread(channel: Channel, threadIds: readonly string[]): Promise<ThreadLink | undefined> {
    for (const id of threadIds) {
      const out = await sendDynamo('GetItem', () =>
        this.#doc.send(new GetCommand(getInput(this.#table, Keys.messageRef(channel, id), true))),
      );
      const link = ThreadLinkItemSchema.safeParse(out.Item);
      if (link.success) return link.data;
    }
    return undefined;
  }

  async linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void> {
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(new UpdateCommand(linkThreadInput(this.#table, channel, threadId, link))),
    );
  }

  /** The customer's profile, or undefined. */
  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.customer(customerId)))),
    );
    if (!out.Item) return undefined;
    if (out.Item.entity === 'erased_customer') throw new GoneError(`customer ${customerId} was erased`);
    return toCustomer(out.Item);
  }

  /** Customers whose name starts with the prefix. */
  async findCustomersByName(prefix: string, limit: number): Promise<Customer[]> {
    const out = await sendDynamo('Query', () =>
      this.#doc.send(new QueryCommand(queryCustomersByNameInput(this.#table, prefix, limit))),
    );
    return (out.Items ?? []).map(toCustomer);
  }

  /** One page of the customer's timeline, oldest first. */
  async timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<TimelineItem>> {
    const cursor = decodeTimelineCursor(page.cursor);
    const partitions = await this.mergedPartitions(customerId);
    // One sorted page of the union: at most `limit` from each partition, merged, cut to `limit`.
    const pages = await Promise.all(
      partitions.map((id) =>
        sendDynamo('Query', () =>
          this.#doc.send(
            new QueryCommand(
              queryTimelineInput(this.#table, id, { limit: page.limit + 1, after: cursor.after }),
            ),
          ),
        ),
      ),
    );
    const rows = pages
      .flatMap((out) => out.Items ?? [])
      .map((item) => ({ sk: String(item.sk), item: toTimelineItem(item) }))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    const taken = rows.slice(0, page.limit);
    const more = rows.length > page.limit;
    const derived = withChannelSwitches(
      taken.map((r) => r.item),
      cursor.lastInbound,
    );
    const last = taken.at(-1);
    return {
      items: derived.items,
      cursor:
        more && last ? encodeTimelineCursor({ after: last.sk, lastInbound: derived.lastInbound }) : null,
    };
  }

  /** The partitions whose union is this customer's timeline: the root of its merges and all merged in. */
  async mergedPartitions(customerId: string): Promise<string[]> {
    return (await this.mergedCustomers(customerId)).partitions;
  }

  /**
   * The partitions whose union is this customer's timeline (the root of its merges first, then all
   * merged in), and the profiles of those that have one, in the same order.
   */
  async mergedCustomers(customerId: string): Promise<{ partitions: string[]; customers: Customer[] }> {
    // Each profile is read once: those met on the way up to the root are met again on the way down.
    const loaded = new Map<string, Customer | undefined>();
    const read = async (id: string) => {
      if (!loaded.has(id)) loaded.set(id, await this.getCustomer(id));
      return loaded.get(id);
    };
    const { customerId: root } = await followMerges(read, customerId);
    const seen = new Set<string>();
    const queue = [root];
    while (queue.length > 0 && seen.size < 50) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const customer = await read(id);
      queue.push(...(customer?.mergedFrom ?? []));
    }
    const partitions = [...seen];
    const customers = partitions.map((id) => loaded.get(id)).filter((c): c is Customer => c !== undefined);
    return { partitions, customers };
  }

  /** A conversation, or undefined. */
  async getConversation(conversationId: string): Promise<Conversation | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.conversation(conversationId)))),
    );
    return out.Item ? toConversation(out.Item) : undefined;
  }

  /** The inbox: conversations of a status, longest waiting first. */
  async inbox(
    filter: InboxFilter,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Conversation>> {
    // Decoded before the call, so a cursor we did not make is a 400, not an unavailable store.
    const startKey = decodeCursor(page.cursor);
    let out: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
    try {
      out = await sendDynamo('Query', () =>
        this.#doc.send(
          new QueryCommand(queryInboxInput(this.#table, filter, { limit: page.limit, startKey })),
        ),
      );
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

  /** A registered agent, or undefined. */
  async getAgent(agentId: string): Promise<AgentProfile | undefined> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.agent(agentId), true))),
    );
    return out.Item ? toAgentProfile(out.Item) : undefined;
  }

  /** Registers or updates an agent. */
  async putAgent(agent: AgentProfile): Promise<void> {
    await sendDynamo('PutItem', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...Keys.agent(agent.id),
            entity: 'agent',
            gsi1pk: AGENTS_PARTITION,
            gsi1sk: agent.id,
            ...agent,
          },
        }),
      ),
    );
  }

  /** Every registered agent, with the open conversations assigned to each now. */
  async listAgents(): Promise<Agent[]> {
    const profiles: AgentProfile[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await sendDynamo('Query', () =>
        this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': AGENTS_PARTITION },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      profiles.push(...(out.Items ?? []).map(toAgentProfile));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    const open = profiles.length ? await this.#openConversationsByAgent() : new Map<string, number>();
    return profiles.map(({ updatedAt: _updatedAt, ...profile }) => ({
      ...profile,
      openConversations: open.get(profile.id) ?? 0,
    }));
  }

  /** How many open conversations each agent holds: one pass over the open inbox (at most 20 pages of 200). */
  async #openConversationsByAgent(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await sendDynamo('Query', () =>
        this.#doc.send(
          new QueryCommand(queryInboxInput(this.#table, { status: 'open' }, { limit: 200, startKey })),
        ),
      );
      for (const item of out.Items ?? []) {
        if (typeof item.assignee === 'string') {
          counts.set(item.assignee, (counts.get(item.assignee) ?? 0) + 1);
        }
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return counts;
  }

  /** Remembers the agent whose reply was last queued to the customer (the latest wins). */
  async setLastAgent(customerId: string, agentId: string, at: string): Promise<void> {
    await sendConditional('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(customerId),
          UpdateExpression: 'SET lastAgentId = :agent, lastAgentAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastAgentAt) OR lastAgentAt <= :at)',
          ExpressionAttributeValues: { ':agent': agentId, ':at': at },
        }),
      ),
    );
  }
}
