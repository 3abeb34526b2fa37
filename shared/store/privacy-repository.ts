import type { CustomerExport, ErasureReport, RawPayload } from '../domain/privacy.js';
import type { Suggestion } from '../domain/suggestions.js';
import { type Conversation, readTimelinePages, type TimelineItem } from '../domain/timeline.js';
import type { DynamoDb } from './dynamo-client.js';
import { type ErasureDeps, eraseCustomer } from './erasure.js';
import { sweepErased } from './erasure-sweep.js';
import { exportExtras } from './export-extras.js';
import { exportedProfile, plainValue } from './export-records.js';
import { conversationIdsOf, RawProfileSchema, readProfileItem, readRawProfile } from './raw-profile.js';

type Deps = ErasureDeps & {
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

/**
 * How many items one erasure call deletes at most: a few seconds of DeleteItem calls, well inside the
 * agent API's timeout.
 */
const DELETES_PER_CALL = 1000;

/**
 * Everything held about the customer (and the customers merged into them), as JSON carries it: every
 * set within it a sorted array, each profile as `exportedProfile` shows it (its conversations named).
 */
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
  const identities = new Set<string>();
  for (const id of partitions) {
    const item = await readProfileItem(db, id);
    for (const token of RawProfileSchema.parse(item).identities) identities.add(token);
    const held: string[] = [];
    for (const conversationId of await conversationIdsOf(db, RawProfileSchema.parse(item))) {
      const conversation = await deps.conversations.getConversation(conversationId);
      if (!conversation) continue;
      conversations.push(conversation);
      held.push(conversationId);
    }
    customers.push(exportedProfile(item, held));
    suggestions.push(...(await deps.suggestions.suggestionsOn(id)));
  }
  const data: CustomerExport = {
    exportedAt: now,
    customers,
    timeline: await readTimelinePages((id, page) => deps.timeline.timeline(id, page), customerId),
    rawPayloads: await deps.timeline.rawPayloads(customerId),
    conversations,
    suggestions,
    ...(await exportExtras(db, [...identities], partitions)),
  };
  return plainValue(data) as CustomerExport;
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
      eraseCustomer(db, deps, { customerId, agentId, now, deletesPerCall }),
    /** Sweeps an erased customer's partitions again, for what a write begun before the erasure left. */
    sweepErased: (customerId: string, now: string) => sweepErased(db, deps, customerId, now),
  };
}

/** The privacy repository's methods. */
export type PrivacyRepository = ReturnType<typeof privacyRepository>;
