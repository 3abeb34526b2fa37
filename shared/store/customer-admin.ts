import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Channel } from '../domain/envelope.js';
import { followMerges } from '../domain/merges.js';
import type { CustomerExport, ErasureReport } from '../domain/privacy.js';
import type { Suggestion } from '../domain/suggestions.js';
import type { Conversation, TimelineItem } from '../domain/timeline.js';
import { ConflictError, GoneError, NotFoundError, ValidationError } from '../errors.js';
import { documentClient, sendConditional, sendDynamo } from './dynamo-client.js';
import { inboxPartition, Keys, mentionsPartition, suggestionKey, TIMELINE_PREFIX } from './keys.js';
import { getInput } from './params/common.js';
import { StringSetSchema } from './string-set.js';

const RawProfileSchema = z.looseObject({
  entity: z.string(),
  id: z.string(),
  identities: StringSetSchema,
  channels: StringSetSchema,
  conversationIds: StringSetSchema,
  mentioned: StringSetSchema,
  mergedFrom: StringSetSchema,
  mergedInto: z.string().optional(),
  openConversationId: z.string().optional(),
});
type RawProfile = z.infer<typeof RawProfileSchema>;

/** What the admin reads and writes through the repositories. */
export interface AdminStore {
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  suggestionsOn(customerId: string): Promise<Suggestion[]>;
  mergedPartitions(customerId: string): Promise<string[]>;
  timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: TimelineItem[]; cursor: string | null }>;
}

/**
 * Agent-driven changes to customers: merge, unmerge, resolve, export, erase. Each is a sequence of
 * idempotent conditional writes (no transactions), ordered so a retry of the same request after a
 * crash completes it.
 */
export class CustomerAdmin {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #store: AdminStore;

  constructor(client: DynamoDBClient, table: string, store: AdminStore) {
    this.#doc = documentClient(client);
    this.#table = table;
    this.#store = store;
  }

  async #profile(customerId: string): Promise<RawProfile> {
    const out = await sendDynamo('GetItem', () =>
      this.#doc.send(new GetCommand(getInput(this.#table, Keys.customer(customerId), true))),
    );
    if (!out.Item) throw new NotFoundError(`no customer ${customerId}`);
    if (out.Item.entity === 'erased_customer') throw new GoneError(`customer ${customerId} was erased`);
    return RawProfileSchema.parse(out.Item);
  }

  /** The customer that stands for this one now (after its merges), and its profile. */
  #root(customerId: string): Promise<{ customerId: string; profile: RawProfile }> {
    return followMerges((id) => this.#profile(id), customerId);
  }

  async #event(customerId: string, at: string, id: string, event: string, data: Record<string, unknown>) {
    const item: TimelineItem = { id, type: 'event', event, at, customerId, data };
    await this.#store.putTimelineItem(item, undefined);
  }

  /** Merges `sourceId` into `targetId`: identities re-pointed, a `mergedInto` pointer left behind. */
  async merge(requestedTarget: string, requestedSource: string, agentId: string, now: string): Promise<void> {
    if (requestedTarget === requestedSource)
      throw new ValidationError('a customer cannot be merged into itself');
    // Merges go between the customers that stand for each side now (either may have been merged before).
    const { customerId: targetId, profile: target } = await this.#root(requestedTarget);
    const { customerId: sourceId, profile: source } = await this.#root(requestedSource);
    if (targetId === sourceId) {
      await this.#setSuggestionStatus(requestedTarget, requestedSource, 'accepted');
      return;
    }
    if (target.mergedInto) {
      throw new ConflictError(
        `customer ${targetId} is merged into ${target.mergedInto}; merge into that one`,
      );
    }
    if (source.mergedInto && source.mergedInto !== targetId) {
      throw new ConflictError(`customer ${sourceId} is already merged into ${source.mergedInto}`);
    }
    if (source.mergedFrom.includes(targetId)) {
      throw new ConflictError(`customer ${targetId} is merged into ${sourceId}; unmerge it first`);
    }
    // 1. The target lists the source first, so its timeline reads include it as soon as it points there.
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(targetId),
          UpdateExpression: 'ADD mergedFrom :source',
          ConditionExpression: 'entity = :customer AND attribute_not_exists(mergedInto)',
          ExpressionAttributeValues: { ':source': new Set([sourceId]), ':customer': 'customer' },
        }),
      ),
    );
    // 2. The source points to the target.
    const pointed = await sendConditional('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(sourceId),
          UpdateExpression: 'SET mergedInto = :target, mergedAt = :now, mergedBy = :agent',
          ConditionExpression: 'attribute_not_exists(mergedInto) OR mergedInto = :target',
          ExpressionAttributeValues: { ':target': targetId, ':now': now, ':agent': agentId },
        }),
      ),
    );
    if (!pointed) throw new ConflictError(`customer ${sourceId} was merged elsewhere meanwhile`);
    // 3. The source's identities now resolve to the target.
    for (const token of source.identities) {
      await sendConditional('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: Keys.identityByToken(token),
            UpdateExpression: 'SET customerId = :target, mergedFrom = :source',
            ConditionExpression: 'customerId = :source OR customerId = :target',
            ExpressionAttributeValues: { ':target': targetId, ':source': sourceId },
          }),
        ),
      );
    }
    // 4. The target shows them.
    const adds: string[] = [];
    const values: Record<string, unknown> = {};
    if (source.identities.length) {
      adds.push('identities :identities');
      values[':identities'] = new Set(source.identities);
    }
    if (source.channels.length) {
      adds.push('channels :channels');
      values[':channels'] = new Set(source.channels);
    }
    if (adds.length) {
      await sendDynamo('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: Keys.customer(targetId),
            UpdateExpression: `ADD ${adds.join(', ')}`,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    }
    await this.#setSuggestionStatus(requestedTarget, requestedSource, 'accepted');
    await this.#event(targetId, now, `merge:${sourceId}:${now}`, 'merge', {
      customerId: sourceId,
      by: agentId,
    });
  }

  /** Undoes a merge: the source's own identities resolve to it again. */
  async unmerge(targetId: string, sourceId: string, agentId: string, now: string): Promise<void> {
    const source = await this.#profile(sourceId);
    if (source.mergedInto !== targetId) {
      throw new ConflictError(`customer ${sourceId} is not merged into ${targetId}`);
    }
    for (const token of source.identities) {
      await sendConditional('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: Keys.identityByToken(token),
            UpdateExpression: 'SET customerId = :source REMOVE mergedFrom',
            ConditionExpression: 'customerId = :target',
            ExpressionAttributeValues: { ':target': targetId, ':source': sourceId },
          }),
        ),
      );
    }
    const deletes = ['mergedFrom :source'];
    const values: Record<string, unknown> = { ':source': new Set([sourceId]) };
    if (source.identities.length) {
      deletes.push('identities :identities');
      values[':identities'] = new Set(source.identities);
    }
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(targetId),
          UpdateExpression: `DELETE ${deletes.join(', ')}`,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(sourceId),
          UpdateExpression: 'REMOVE mergedInto, mergedAt, mergedBy',
        }),
      ),
    );
    await this.#event(targetId, now, `unmerge:${sourceId}:${now}`, 'unmerge', {
      customerId: sourceId,
      by: agentId,
    });
    await this.#event(sourceId, now, `unmerge:${targetId}:${now}`, 'unmerge', {
      customerId: targetId,
      by: agentId,
    });
  }

  async #setSuggestionStatus(a: string, b: string, status: 'accepted' | 'dismissed'): Promise<boolean> {
    let any = false;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const done = await sendConditional('UpdateItem', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: suggestionKey(x, y),
            UpdateExpression: 'SET #status = :status',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status },
          }),
        ),
      );
      any ||= done;
    }
    return any;
  }

  /** Dismisses a merge suggestion on both profiles; later evidence does not reopen it. */
  async dismissSuggestion(customerId: string, otherId: string): Promise<void> {
    if (!(await this.#setSuggestionStatus(customerId, otherId, 'dismissed'))) {
      throw new NotFoundError(`no suggestion between ${customerId} and ${otherId}`);
    }
  }

  /** Resolves a conversation; the customer's next message within the window reopens it. */
  async resolveConversation(conversationId: string, agentId: string, now: string): Promise<void> {
    const conversation = await this.#store.getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.conversation(conversationId),
          UpdateExpression:
            'SET #status = :resolved, resolvedAt = :now, resolvedBy = :agent, gsi1pk = :inbox, gsi1sk = :inboxSk REMOVE waitingSince',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':resolved': 'resolved',
            ':now': now,
            ':agent': agentId,
            ':inbox': inboxPartition('resolved'),
            ':inboxSk': `${now}#${conversationId}`,
          },
        }),
      ),
    );
    await sendConditional('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(conversation.customerId),
          UpdateExpression: 'REMOVE openConversationId SET lastConversationId = :id, lastResolvedAt = :now',
          ConditionExpression: 'openConversationId = :id',
          ExpressionAttributeValues: { ':id': conversationId, ':now': now },
        }),
      ),
    );
    await this.#event(conversation.customerId, now, `resolved:${conversationId}:${now}`, 'resolved', {
      conversationId,
      by: agentId,
    });
  }

  /** An internal note on the conversation's timeline; agents see it, customers never do. */
  async addNote(
    conversationId: string,
    text: string,
    agentId: string,
    now: string,
    noteId: string,
    authorKind: 'agent' | 'ai' = 'agent',
  ) {
    const conversation = await this.#store.getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
    const item: TimelineItem = {
      id: `note:${noteId}`,
      type: 'note',
      at: now,
      customerId: conversation.customerId,
      conversationId,
      text,
      data: { author: { kind: authorKind, id: agentId } },
    };
    await this.#store.putTimelineItem(item, undefined);
    return item;
  }

  /** Assigns (or transfers) a conversation to an agent and/or a queue, recorded on the timeline. */
  async assign(
    conversationId: string,
    target: { agentId?: string | undefined; queue?: string | undefined },
    by: string,
    now: string,
    /** The timeline event's id, for a caller that must record one assignment however often it runs. */
    eventId: string = `assigned:${conversationId}:${now}`,
  ): Promise<void> {
    const conversation = await this.#store.getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
    const sets: string[] = [];
    const removes: string[] = [];
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    if (target.agentId !== undefined) {
      if (target.agentId === '') removes.push('assignee');
      else {
        sets.push('assignee = :agent');
        values[':agent'] = target.agentId;
      }
    }
    if (target.queue !== undefined) {
      names['#queue'] = 'queue';
      sets.push('#queue = :queue');
      values[':queue'] = target.queue;
    }
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.conversation(conversationId),
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removes.length ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: 'attribute_exists(pk)',
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
    await this.#event(conversation.customerId, now, eventId, 'assigned', {
      conversationId,
      from: { agentId: conversation.assignee ?? null, queue: conversation.queue ?? null },
      to: {
        agentId: target.agentId ?? conversation.assignee ?? null,
        queue: target.queue ?? conversation.queue ?? null,
      },
      by,
    });
  }

  /** Reopens a resolved conversation by hand, back in the open inbox. */
  async reopenConversation(conversationId: string, agentId: string, now: string): Promise<void> {
    const conversation = await this.#store.getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
    if (conversation.status === 'open') return;
    await sendDynamo('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.conversation(conversationId),
          UpdateExpression:
            'SET #status = :open, gsi1pk = :inbox, gsi1sk = :inboxSk, waitingSince = :now REMOVE resolvedAt, resolvedBy',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':inbox': inboxPartition('open'),
            ':inboxSk': `${now}#${conversationId}`,
            ':now': now,
          },
        }),
      ),
    );
    await sendConditional('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.customer(conversation.customerId),
          UpdateExpression: 'SET openConversationId = :id',
          ConditionExpression: 'attribute_not_exists(openConversationId)',
          ExpressionAttributeValues: { ':id': conversationId },
        }),
      ),
    );
    await this.#event(conversation.customerId, now, `reopened:${conversationId}:${now}`, 'reopened', {
      conversationId,
      by: agentId,
    });
  }

  async #allTimeline(customerId: string): Promise<TimelineItem[]> {
    const items: TimelineItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.timeline(customerId, { limit: 200, cursor });
      items.push(...page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return items;
  }

  /** Everything held about the customer (and the customers merged into them). */
  async export(customerId: string, now: string): Promise<CustomerExport> {
    await this.#profile(customerId);
    const partitions = await this.#store.mergedPartitions(customerId);
    const customers: Array<Record<string, unknown>> = [];
    const conversations: Array<Record<string, unknown>> = [];
    const suggestions: Suggestion[] = [];
    for (const id of partitions) {
      const profile = await this.#profile(id);
      const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = profile as Record<string, unknown>;
      customers.push(rest);
      for (const conversationId of profile.conversationIds) {
        const conversation = await this.#store.getConversation(conversationId);
        if (conversation) conversations.push(conversation);
      }
      suggestions.push(...(await this.#store.suggestionsOn(id)));
    }
    return {
      exportedAt: now,
      customers,
      timeline: await this.#allTimeline(customerId),
      conversations,
      suggestions,
    };
  }

  /**
   * Erases the customer and everyone merged with them: identities, timeline items with their raw
   * payloads, message and thread references, conversations, mentions and suggestions. What remains is
   * a tombstone with counts, the time and the agent: nothing that names the person.
   */
  async erase(customerId: string, agentId: string, now: string): Promise<ErasureReport> {
    await this.#profile(customerId);
    const partitions = await this.#store.mergedPartitions(customerId);
    const report: ErasureReport = {
      customerId,
      erasedAt: now,
      erasedBy: agentId,
      customers: partitions.length,
      identities: 0,
      timelineItems: 0,
      conversations: 0,
    };
    const profiles = await Promise.all(partitions.map((id) => this.#profile(id)));
    for (const profile of profiles) {
      for (const token of profile.identities) {
        await this.#delete(Keys.identityByToken(token));
        await this.#forgetMentions(token);
        report.identities += 1;
      }
      for (const token of profile.mentioned) {
        await this.#delete(Keys.mention(token, profile.id));
      }
      for (const conversationId of profile.conversationIds) {
        await this.#delete(Keys.conversation(conversationId));
        report.conversations += 1;
      }
      for (const suggestion of await this.#store.suggestionsOn(profile.id)) {
        await this.#delete(suggestionKey(suggestion.otherId, profile.id));
        await this.#delete(suggestionKey(profile.id, suggestion.otherId));
      }
      report.timelineItems += await this.#deleteTimeline(profile.id);
    }
    // Tombstones last: until they are written, a retry of the erasure still finds what to delete.
    for (const profile of profiles) {
      await sendDynamo('PutItem', () =>
        this.#doc.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...Keys.customer(profile.id),
              entity: 'erased_customer',
              id: profile.id,
              ...(profile.id === customerId ? report : { erasedAt: now, erasedBy: agentId }),
            },
          }),
        ),
      );
    }
    return report;
  }

  async #delete(key: { pk: string; sk: string }): Promise<void> {
    await sendDynamo('DeleteItem', () =>
      this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: key })),
    );
  }

  /** Removes every mention of an erased identity, and the token from the mentioners' profiles. */
  async #forgetMentions(token: string): Promise<void> {
    const out = await sendDynamo('Query', () =>
      this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': mentionsPartition(token) },
          ProjectionExpression: 'pk, sk, customerId',
        }),
      ),
    );
    for (const item of out.Items ?? []) {
      if (typeof item.customerId === 'string') {
        await sendConditional('UpdateItem', () =>
          this.#doc.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: Keys.customer(String(item.customerId)),
              UpdateExpression: 'DELETE mentioned :token',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':token': new Set([token]) },
            }),
          ),
        );
      }
      await this.#delete({ pk: String(item.pk), sk: String(item.sk) });
    }
  }

  async #deleteTimeline(customerId: string): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await sendDynamo('Query', () =>
        this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': Keys.customer(customerId).pk, ':prefix': TIMELINE_PREFIX },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const channel = typeof item.channel === 'string' ? (item.channel as Channel) : undefined;
        if (channel && typeof item.providerMessageId === 'string') {
          await this.#delete(Keys.messageRef(channel, item.providerMessageId));
        }
        const messageId = (item.data as Record<string, unknown> | undefined)?.messageId;
        if (channel && typeof messageId === 'string') {
          await this.#delete(Keys.messageRef(channel, messageId));
        }
        await this.#delete({ pk: String(item.pk), sk: String(item.sk) });
        count += 1;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return count;
  }
}
