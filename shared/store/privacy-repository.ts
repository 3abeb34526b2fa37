import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { type Channel, ProviderSchema } from '../domain/envelope.js';
import type { CustomerExport, ErasureReport, RawPayload } from '../domain/privacy.js';
import { replyItemId } from '../domain/replies.js';
import type { Suggestion } from '../domain/suggestions.js';
import { type Conversation, readTimelinePages, type TimelineItem } from '../domain/timeline.js';
import { type DynamoDb, putItem, queryItems, sendDynamo, updateItemIf } from './dynamo-client.js';
import { Keys, suggestionKey } from './keys.js';
import { queryAll } from './paging.js';
import {
  deleteErasedInput,
  forgetMentionInput,
  identitySearchTerms,
  putTombstoneInput,
  queryMentionersInput,
  queryProviderEventsNamingInput,
  queryTimelineItemsInput,
  saveErasureProgressInput,
} from './params/privacy.js';
import { queryRawPayloadsInput } from './params/timeline.js';
import { conversationIdsOf, type RawProfile, readRawProfile } from './raw-profile.js';

type Deps = {
  customers: { mergedPartitions(customerId: string): Promise<string[]> };
  conversations: { getConversation(conversationId: string): Promise<Conversation | undefined> };
  suggestions: { suggestionsOn(customerId: string): Promise<Suggestion[]> };
  timeline: {
    timeline(
      customerId: string,
      page: { limit: number; cursor?: string | undefined },
    ): Promise<{ items: TimelineItem[]; cursor: string | null }>;
    rawPayloads(customerId: string): Promise<RawPayload[]>;
  };
};

/** The table, and how many more items this erasure call may delete before it stops. */
type ErasureDb = DynamoDb & { budget: { left: number } };

/** An erasure call spent its deletes: the next call carries on from what is left in the table. */
class ErasurePaused extends Error {
  override name = 'ErasurePaused';
}

/**
 * Deletes one item, spending the budget only when there was an item: deleting what an earlier call
 * already deleted is free, so each call removes `budget` items or finishes.
 */
async function remove(db: ErasureDb, key: { pk: string; sk: string }): Promise<boolean> {
  if (db.budget.left <= 0) throw new ErasurePaused();
  const out = await sendDynamo('DeleteItem', () =>
    db.doc.send(new DeleteCommand(deleteErasedInput(db.table, key))),
  );
  if (out.Attributes) db.budget.left -= 1;
  return out.Attributes !== undefined;
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
    for (const conversationId of await conversationIdsOf(db, profile)) {
      const conversation = await deps.conversations.getConversation(conversationId);
      if (conversation) conversations.push(conversation);
    }
    suggestions.push(...(await deps.suggestions.suggestionsOn(id)));
  }
  return {
    exportedAt: now,
    customers,
    timeline: await readTimelinePages((id, page) => deps.timeline.timeline(id, page), customerId),
    rawPayloads: await deps.timeline.rawPayloads(customerId),
    conversations,
    suggestions,
  };
}

/** Removes every mention of an erased identity, page by page, and the token from the mentioners' profiles. */
async function forgetMentions(db: ErasureDb, token: string): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, queryMentionersInput(db.table, token, startKey));
    for (const item of out.Items ?? []) {
      if (typeof item.customerId === 'string') {
        await updateItemIf(db, forgetMentionInput(db.table, String(item.customerId), token));
      }
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Deletes the raw provider events that reached no customer (kept apart, keyed by provider and time)
 * but name one of the erased identities: every page of every provider's partition, filtered.
 */
async function forgetProviderEvents(db: ErasureDb, tokens: readonly string[]): Promise<void> {
  const terms = identitySearchTerms(tokens);
  if (terms.length === 0) return;
  for (const provider of ProviderSchema.options) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await queryItems(db, queryProviderEventsNamingInput(db.table, provider, terms, startKey));
      for (const item of out.Items ?? []) await remove(db, { pk: String(item.pk), sk: String(item.sk) });
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}

const REPLY_ITEM_PREFIX = replyItemId('');

/**
 * How many items one erasure call deletes at most: a few seconds of DeleteItem calls, well inside the
 * agent API's timeout.
 */
const DELETES_PER_CALL = 1000;

/**
 * Deletes a partition's timeline items, the message and thread references that point at them, and the
 * replies' own items.
 */
async function deleteTimeline(db: ErasureDb, customerId: string, report: ErasureReport): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, queryTimelineItemsInput(db.table, customerId, startKey));
    for (const item of out.Items ?? []) {
      const channel = typeof item.channel === 'string' ? (item.channel as Channel) : undefined;
      if (channel && typeof item.providerMessageId === 'string') {
        await remove(db, Keys.messageRef(channel, item.providerMessageId));
        // An event other than a message is written once under its own id (a call has several events).
        if (item.type !== 'message' && typeof item.id === 'string') {
          await remove(db, Keys.messageRef(channel, item.id));
        }
      }
      const messageId = (item.data as Record<string, unknown> | undefined)?.messageId;
      if (channel && typeof messageId === 'string') {
        await remove(db, Keys.messageRef(channel, messageId));
      }
      // A reply is also kept under its id (the address it went to and its text), for retried requests.
      if (typeof item.id === 'string' && item.id.startsWith(REPLY_ITEM_PREFIX)) {
        await remove(db, Keys.reply(item.id.slice(REPLY_ITEM_PREFIX.length)));
      }
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
      report.timelineItems += 1;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/** Deletes the raw payloads a partition keeps aside from its timeline (`RAW#...`, see the timeline). */
async function deleteRawPayloads(db: ErasureDb, customerId: string): Promise<void> {
  for (const item of await queryAll(db, queryRawPayloadsInput(db.table, customerId, 'aside'))) {
    await remove(db, { pk: String(item.pk), sk: String(item.sk) });
  }
}

/** Erases what one profile holds (not the profile itself), counting it on the report. */
async function eraseProfile(
  db: ErasureDb,
  deps: Deps,
  profile: RawProfile,
  report: ErasureReport,
): Promise<void> {
  for (const token of profile.identities) {
    await remove(db, Keys.identityByToken(token));
    await remove(db, Keys.contactStateByToken(token));
    await forgetMentions(db, token);
    report.identities += 1;
  }
  for (const token of profile.mentioned) {
    await remove(db, Keys.mention(token, profile.id));
  }
  for (const conversationId of await conversationIdsOf(db, profile)) {
    // Counted when it goes: an earlier call of a resumed erasure counted those it deleted.
    if (await remove(db, Keys.conversation(conversationId))) report.conversations += 1;
    await remove(db, Keys.membership(profile.id, conversationId));
  }
  for (const suggestion of await deps.suggestions.suggestionsOn(profile.id)) {
    await remove(db, suggestionKey(suggestion.otherId, profile.id));
    await remove(db, suggestionKey(profile.id, suggestion.otherId));
  }
  await deleteRawPayloads(db, profile.id);
  await deleteTimeline(db, profile.id, report);
  await forgetProviderEvents(db, [...profile.identities]);
}

/**
 * Erases the customer and everyone merged with them: identities and their contact states (opt-outs,
 * suppressions), timeline items with their raw payloads, replies, message and thread references,
 * conversations, every page of mentions, suggestions, and the raw provider events that reached no
 * customer but name one of their identities. What remains is a tombstone with counts, the time and
 * the agent: nothing that names the person.
 *
 * One call deletes at most `deletesPerCall` items. A heavy customer takes several calls: the call that
 * stops answers `complete: false` and keeps the count of timeline items so far on the profile; the
 * next call carries on from what is left in the table (what is deleted stays deleted) until the
 * tombstone is written and the report is complete.
 */
async function erase(
  db: DynamoDb,
  deps: Deps,
  request: { customerId: string; agentId: string; now: string; deletesPerCall: number },
): Promise<ErasureReport> {
  const { customerId, agentId, now } = request;
  const asked = await readRawProfile(db, customerId);
  const partitions = await deps.customers.mergedPartitions(customerId);
  const report: ErasureReport = {
    customerId,
    erasedAt: now,
    erasedBy: agentId,
    customers: partitions.length,
    identities: 0,
    timelineItems: typeof asked.erasedTimelineItems === 'number' ? asked.erasedTimelineItems : 0,
    conversations: typeof asked.erasedConversations === 'number' ? asked.erasedConversations : 0,
    complete: true,
  };
  const profiles = await Promise.all(partitions.map((id) => readRawProfile(db, id)));
  const erasing: ErasureDb = { ...db, budget: { left: request.deletesPerCall } };
  try {
    for (const profile of profiles) await eraseProfile(erasing, deps, profile, report);
  } catch (error) {
    if (!(error instanceof ErasurePaused)) throw error;
    await updateItemIf(db, saveErasureProgressInput(db.table, customerId, report));
    return { ...report, complete: false };
  }
  // Tombstones last: until they are written, a retry of the erasure still finds what to delete.
  for (const profile of profiles) {
    const record = profile.id === customerId ? report : { erasedAt: now, erasedBy: agentId };
    await putItem(db, putTombstoneInput(db.table, profile.id, record));
  }
  return report;
}

/** The customer's rights over their data: export everything held about them, or erase it. */
export function privacyRepository(db: DynamoDb, deps: Deps, options: { deletesPerCall?: number } = {}) {
  const deletesPerCall = options.deletesPerCall ?? DELETES_PER_CALL;
  return {
    /** Everything held about the customer (and the customers merged into them). */
    export: (customerId: string, now: string): Promise<CustomerExport> =>
      exportCustomer(db, deps, customerId, now),
    /**
     * Erases the customer and everyone merged with them, leaving a tombstone with counts; a heavy
     * customer over several calls (`complete: false` until the last).
     */
    erase: (customerId: string, agentId: string, now: string): Promise<ErasureReport> =>
      erase(db, deps, { customerId, agentId, now, deletesPerCall }),
  };
}

/** The privacy repository's methods. */
export type PrivacyRepository = ReturnType<typeof privacyRepository>;
