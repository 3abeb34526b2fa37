import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type Channel,
  type Envelope,
  type Identity,
  IdentityKindSchema,
  type StatusEnvelope,
} from '../domain/envelope.js';
import type { ResolverStore, ThreadLink } from '../domain/resolver.js';
import {
  type Conversation,
  ConversationSchema,
  type Customer,
  CustomerSchema,
  type TimelineItem,
  TimelineItemSchema,
} from '../domain/timeline.js';
import { UnavailableError, ValidationError } from '../errors.js';
import {
  advanceMessageRefInput,
  advanceTimelineStatusInput,
  type ConversationTouch,
  claimIdentityInput,
  getIdentityInput,
  getInput,
  Keys,
  linkMessageRefInput,
  linkThreadInput,
  type ProfileTouch,
  putTimelineItemInput,
  queryCustomersByNameInput,
  queryInboxInput,
  queryTimelineInput,
  touchConversationInput,
  touchProfileInput,
} from './keys.js';

const IdentityItemSchema = z.object({ customerId: z.string() });

const MessageRefItemSchema = z.object({
  customerId: z.string().optional(),
  timelineSk: z.string().optional(),
  status: z.string().optional(),
  statusRank: z.number().optional(),
});

const ThreadLinkItemSchema = z.object({ customerId: z.string(), conversationId: z.string() });

const StringSetSchema = z
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
});

/** A page of results and the opaque cursor of the next one. */
export interface Page<T> {
  items: T[];
  cursor: string | null;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

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
  return CustomerSchema.parse({
    id: parsed.id,
    name: parsed.name,
    identities: parsed.identities.map(parseIdentityToken).filter((i) => i !== undefined),
    channels: parsed.channels,
    createdAt: parsed.createdAt,
    lastInboundAt: parsed.lastInboundAt,
    lastInboundChannel: parsed.lastInboundChannel,
    openConversationId: parsed.openConversationId,
  });
}

function toTimelineItem(item: Record<string, unknown>): TimelineItem {
  const { pk: _pk, sk: _sk, entity: _entity, raw: _raw, statusRank: _rank, ...rest } = item;
  return TimelineItemSchema.parse(rest);
}

function toConversation(item: Record<string, unknown>): Conversation {
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return ConversationSchema.parse(rest);
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
    this.#doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.#table = table;
  }

  async #send<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      throw new UnavailableError(`DynamoDB ${operation} failed`, { cause: error });
    }
  }

  async findCustomerId(identity: Identity): Promise<string | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#doc.send(new GetCommand(getIdentityInput(this.#table, identity))),
    );
    return out.Item ? IdentityItemSchema.parse(out.Item).customerId : undefined;
  }

  async claimIdentity(identity: Identity, customerId: string, now: string): Promise<boolean> {
    try {
      await this.#send('PutItem', () =>
        this.#doc.send(new PutCommand(claimIdentityInput(this.#table, identity, customerId, now))),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async touchProfile(touch: ProfileTouch): Promise<{ openConversationId: string }> {
    let out: { Attributes?: Record<string, unknown> };
    try {
      out = await this.#send('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchProfileInput(this.#table, touch, true))),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // An older event than the last one seen: update everything but the lastInbound* fields.
      out = await this.#send('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchProfileInput(this.#table, touch, false))),
      );
    }
    const open = z.object({ openConversationId: z.string() }).parse(out.Attributes);
    return { openConversationId: open.openConversationId };
  }

  async putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean> {
    try {
      await this.#send('PutItem', () =>
        this.#doc.send(new PutCommand(putTimelineItemInput(this.#table, item, raw))),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async touchConversation(touch: ConversationTouch): Promise<void> {
    try {
      await this.#send('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(touchConversationInput(this.#table, touch))),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A newer message already moved the conversation on; nothing to change.
    }
  }

  async advanceStatus(envelope: StatusEnvelope): Promise<void> {
    const change = { status: envelope.status, at: envelope.occurredAt, errors: envelope.errors };
    let ref: z.infer<typeof MessageRefItemSchema>;
    try {
      const out = await this.#send('UpdateItem', () =>
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
      const out = await this.#send('GetItem', () =>
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
    try {
      await this.#send('UpdateItem', () =>
        this.#doc.send(new UpdateCommand(advanceTimelineStatusInput(this.#table, key, change))),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async linkOutbound(item: TimelineItem): Promise<void> {
    if (!item.providerMessageId || !item.channel) return;
    const key = Keys.timelineItem(item.customerId, item.at, item.id);
    const out = await this.#send('UpdateItem', () =>
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
    try {
      await this.#send('PutItem', () =>
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
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async findThread(channel: Channel, threadIds: readonly string[]): Promise<ThreadLink | undefined> {
    for (const id of threadIds) {
      const out = await this.#send('GetItem', () =>
        this.#doc.send(new GetCommand(getInput(this.#table, Keys.messageRef(channel, id), true))),
      );
      const link = ThreadLinkItemSchema.safeParse(out.Item);
      if (link.success) return link.data;
    }
    return undefined;
  }

  async linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void> {
    await this.#send('UpdateItem', () =>
      this.#doc.send(new UpdateCommand(linkThreadInput(this.#table, channel, threadId, link))),
    );
  }

  /** The customer's profile, or undefined. */
  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.customer(customerId)))),
    );
    return out.Item ? toCustomer(out.Item) : undefined;
  }

  /** Customers whose name starts with the prefix. */
  async findCustomersByName(prefix: string, limit: number): Promise<Customer[]> {
    const out = await this.#send('Query', () =>
      this.#doc.send(new QueryCommand(queryCustomersByNameInput(this.#table, prefix, limit))),
    );
    return (out.Items ?? []).map(toCustomer);
  }

  /** One page of the customer's timeline, oldest first. */
  async timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<TimelineItem>> {
    const out = await this.#send('Query', () =>
      this.#doc.send(
        new QueryCommand(
          queryTimelineInput(this.#table, customerId, {
            limit: page.limit,
            startKey: decodeCursor(page.cursor),
          }),
        ),
      ),
    );
    return { items: (out.Items ?? []).map(toTimelineItem), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** A conversation, or undefined. */
  async getConversation(conversationId: string): Promise<Conversation | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.conversation(conversationId)))),
    );
    return out.Item ? toConversation(out.Item) : undefined;
  }

  /** The inbox: conversations of a status, longest waiting first. */
  async inbox(
    filter: { status: string; assignee?: string | undefined; queue?: string | undefined },
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Conversation>> {
    const out = await this.#send('Query', () =>
      this.#doc.send(
        new QueryCommand(
          queryInboxInput(this.#table, filter, { limit: page.limit, startKey: decodeCursor(page.cursor) }),
        ),
      ),
    );
    return { items: (out.Items ?? []).map(toConversation), cursor: encodeCursor(out.LastEvaluatedKey) };
  }
}
