import type { Channel } from '../domain/envelope.js';
import type { CustomerExport, ErasureReport } from '../domain/privacy.js';
import type { Suggestion } from '../domain/suggestions.js';
import type { Conversation, TimelineItem } from '../domain/timeline.js';
import { type DynamoDb, deleteItem, putItem, queryItems, updateItemIf } from './dynamo-client.js';
import { Keys, suggestionKey } from './keys.js';
import { deleteInput } from './params/common.js';
import {
  forgetMentionInput,
  putTombstoneInput,
  queryMentionersInput,
  queryTimelineItemsInput,
} from './params/privacy.js';
import { type RawProfile, readRawProfile } from './raw-profile.js';

type Deps = {
  customers: { mergedPartitions(customerId: string): Promise<string[]> };
  conversations: { getConversation(conversationId: string): Promise<Conversation | undefined> };
  suggestions: { suggestionsOn(customerId: string): Promise<Suggestion[]> };
  timeline: {
    timeline(
      customerId: string,
      page: { limit: number; cursor?: string | undefined },
    ): Promise<{ items: TimelineItem[]; cursor: string | null }>;
    deleteRawPayloads(customerId: string): Promise<number>;
  };
};

const remove = (db: DynamoDb, key: { pk: string; sk: string }) => deleteItem(db, deleteInput(db.table, key));

async function allTimeline(deps: Deps, customerId: string): Promise<TimelineItem[]> {
  const items: TimelineItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.timeline.timeline(customerId, { limit: 200, cursor });
    items.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return items;
}

/** Everything held about the customer (and the customers merged into them). */
async function exportCustomer(
  db: DynamoDb,
  deps: Deps,
  customerId: string,
  now: string,
): Promise<CustomerExport> {
  await readRawProfile(db, customerId);
  const partitions = await deps.customers.mergedPartitions(customerId);
  const customers: Array<Record<string, unknown>> = [];
  const conversations: Array<Record<string, unknown>> = [];
  const suggestions: Suggestion[] = [];
  for (const id of partitions) {
    const profile = await readRawProfile(db, id);
    const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = profile as Record<string, unknown>;
    customers.push(rest);
    for (const conversationId of profile.conversationIds) {
      const conversation = await deps.conversations.getConversation(conversationId);
      if (conversation) conversations.push(conversation);
    }
    suggestions.push(...(await deps.suggestions.suggestionsOn(id)));
  }
  return {
    exportedAt: now,
    customers,
    timeline: await allTimeline(deps, customerId),
    conversations,
    suggestions,
  };
}

/** Removes every mention of an erased identity, and the token from the mentioners' profiles. */
async function forgetMentions(db: DynamoDb, token: string): Promise<void> {
  const out = await queryItems(db, queryMentionersInput(db.table, token));
  for (const item of out.Items ?? []) {
    if (typeof item.customerId === 'string') {
      await updateItemIf(db, forgetMentionInput(db.table, String(item.customerId), token));
    }
    await remove(db, { pk: String(item.pk), sk: String(item.sk) });
  }
}

/** Deletes a partition's timeline items and the message and thread references that point at them. */
async function deleteTimeline(db: DynamoDb, customerId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, queryTimelineItemsInput(db.table, customerId, startKey));
    for (const item of out.Items ?? []) {
      const channel = typeof item.channel === 'string' ? (item.channel as Channel) : undefined;
      if (channel && typeof item.providerMessageId === 'string') {
        await remove(db, Keys.messageRef(channel, item.providerMessageId));
      }
      const messageId = (item.data as Record<string, unknown> | undefined)?.messageId;
      if (channel && typeof messageId === 'string') {
        await remove(db, Keys.messageRef(channel, messageId));
      }
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
      count += 1;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Erases what one profile holds (not the profile itself), counting it on the report. */
async function eraseProfile(
  db: DynamoDb,
  deps: Deps,
  profile: RawProfile,
  report: ErasureReport,
): Promise<void> {
  for (const token of profile.identities) {
    await remove(db, Keys.identityByToken(token));
    await forgetMentions(db, token);
    report.identities += 1;
  }
  for (const token of profile.mentioned) {
    await remove(db, Keys.mention(token, profile.id));
  }
  for (const conversationId of profile.conversationIds) {
    await remove(db, Keys.conversation(conversationId));
    report.conversations += 1;
  }
  for (const suggestion of await deps.suggestions.suggestionsOn(profile.id)) {
    await remove(db, suggestionKey(suggestion.otherId, profile.id));
    await remove(db, suggestionKey(profile.id, suggestion.otherId));
  }
  report.timelineItems += await deleteTimeline(db, profile.id);
  await deps.timeline.deleteRawPayloads(profile.id);
}

/**
 * Erases the customer and everyone merged with them: identities, timeline items with their raw
 * payloads, message and thread references, conversations, mentions and suggestions. What remains is
 * a tombstone with counts, the time and the agent: nothing that names the person.
 */
async function erase(db: DynamoDb, deps: Deps, customerId: string, agentId: string, now: string) {
  await readRawProfile(db, customerId);
  const partitions = await deps.customers.mergedPartitions(customerId);
  const report: ErasureReport = {
    customerId,
    erasedAt: now,
    erasedBy: agentId,
    customers: partitions.length,
    identities: 0,
    timelineItems: 0,
    conversations: 0,
  };
  const profiles = await Promise.all(partitions.map((id) => readRawProfile(db, id)));
  for (const profile of profiles) await eraseProfile(db, deps, profile, report);
  // Tombstones last: until they are written, a retry of the erasure still finds what to delete.
  for (const profile of profiles) {
    const record = profile.id === customerId ? report : { erasedAt: now, erasedBy: agentId };
    await putItem(db, putTombstoneInput(db.table, profile.id, record));
  }
  return report;
}

/** The customer's rights over their data: export everything held about them, or erase it. */
export function privacyRepository(db: DynamoDb, deps: Deps) {
  return {
    /** Everything held about the customer (and the customers merged into them). */
    export: (customerId: string, now: string): Promise<CustomerExport> =>
      exportCustomer(db, deps, customerId, now),
    /** Erases the customer and everyone merged with them, leaving a tombstone with counts. */
    erase: (customerId: string, agentId: string, now: string): Promise<ErasureReport> =>
      erase(db, deps, customerId, agentId, now),
  };
}

/** The privacy repository's methods. */
export type PrivacyRepository = ReturnType<typeof privacyRepository>;
