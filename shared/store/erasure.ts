import * as z from 'zod';
import { ProviderSchema } from '../domain/envelope.js';
import type { ErasureReport, ExportStore } from '../domain/privacy.js';
import type { Suggestion } from '../domain/suggestions.js';
import { ConflictError } from '../errors.js';
import { syncAgentLoadOf } from './agent-load.js';
import { legacyCustomerListKey } from './customer-list.js';
import { forgetDeletionMarks } from './deletion-erasure.js';
import { drainNotes } from './drain-notes.js';
import { type DynamoDb, putItem, queryItems, sendDynamo, updateItemIf } from './dynamo-client.js';
import { retryKeysOf } from './keyed-notes.js';
import { Keys, providerReferencesOf, suggestionKey } from './keys.js';
import { redactLivePack } from './live-erasure.js';
import { nameWordKeys } from './name-words.js';
import { queryAll } from './paging.js';
import { queryLiveNotesInput } from './params/live.js';
import {
  deleteErasedInput,
  forgetMentionInput,
  identitySearchTerms,
  markErasedMessageInput,
  markErasingInput,
  putTombstoneInput,
  queryMentionersInput,
  queryProviderEventsNamingInput,
  queryReferencingItemsInput,
  queryTimelineItemsInput,
  saveErasureProgressInput,
} from './params/privacy.js';
import { queryRawPayloadsInput } from './params/timeline.js';
import { querySessionLinksInput } from './params/webchat.js';
import { conversationIdsOf, type RawProfile, readRawProfile } from './raw-profile.js';
import { forgetSuppressions, mailAddressTokens } from './suppression-erasure.js';
import { forgetNotedThreadLinks, threadLinksOf } from './thread-link-notes.js';
import { forgetConnectionsUnder } from './webchat-connections.js';
import { forgetDeliveryPayloads } from './webhook-erasure.js';

/** What an erasure reads besides the table. */
export type ErasureDeps = {
  customers: {
    mergedPartitions(customerId: string, options?: { whileErasing?: boolean }): Promise<string[]>;
  };
  suggestions: { suggestionsOn(customerId: string): Promise<Suggestion[]> };
  /** Where exports too large for one response were written (absent: there are none to delete). */
  exports?: Pick<ExportStore, 'removeAllOf'> | undefined;
};

/** Where, inside a step, a paused erasure stopped: the provider and the page it was reading. */
const CursorSchema = z.object({
  provider: z.number(),
  startKey: z.record(z.string(), z.unknown()).optional(),
});
type Cursor = z.infer<typeof CursorSchema>;

/**
 * The table, how many more items this call may delete before it stops, and where in its step it is
 * (kept on the profile when it stops, so the next call does not read again what it went through).
 */
export type ErasureDb = DynamoDb & { budget: { left: number }; cursor: Cursor | undefined; now: string };

/** An erasure call spent its deletes: the next call carries on from its progress marker. */
export class ErasurePaused extends Error {
  override name = 'ErasurePaused';
}

/**
 * Deletes one item, spending the budget only when there was an item: deleting what an earlier call
 * already deleted is free, so each call removes `budget` items or finishes.
 */
export async function remove(db: ErasureDb, key: { pk: string; sk: string }): Promise<boolean> {
  if (db.budget.left <= 0) throw new ErasurePaused();
  const out = await sendDynamo('DeleteItem', () => db.doc.delete(deleteErasedInput(db.table, key)));
  if (out.Attributes) db.budget.left -= 1;
  return out.Attributes !== undefined;
}

/**
 * Replaces a provider reference with its erased marker (markErasedMessageInput): the marker first, then
 * the reference deleted, spending the budget only when a reference was there (not an earlier marker).
 */
async function forgetMessage(db: ErasureDb, key: { pk: string; sk: string }): Promise<void> {
  if (db.budget.left <= 0) throw new ErasurePaused();
  await sendDynamo('PutItem', () => db.doc.put(markErasedMessageInput(db.table, key, db.now)));
  const out = await sendDynamo('DeleteItem', () => db.doc.delete(deleteErasedInput(db.table, key)));
  if (out.Attributes && out.Attributes.erasedAt === undefined) db.budget.left -= 1;
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
 * Deletes the web-chat sessions of an erased identity (its visitor's, or a verified email's) and their
 * links: the old session token stops working, so nothing the visitor typed (a name, an email) comes
 * back on a new message.
 */
async function forgetWebchatSessions(db: ErasureDb, token: string): Promise<void> {
  for (const link of await queryAll(db, querySessionLinksInput(db.table, token))) {
    if (typeof link.tokenHash === 'string') await remove(db, Keys.webchatSession(link.tokenHash));
    await remove(db, { pk: String(link.pk), sk: String(link.sk) });
  }
}

/**
 * Deletes the raw provider events that reached no customer (kept apart, keyed by provider and time)
 * but name one of the erased identities: every page of every provider's partition, filtered. The
 * page being read is the cursor, so a resumed erasure reads on from it.
 */
async function forgetProviderEvents(db: ErasureDb, tokens: readonly string[]): Promise<void> {
  const terms = identitySearchTerms(tokens);
  if (terms.length === 0) return;
  const from = db.cursor ?? { provider: 0 };
  for (let provider = from.provider; provider < ProviderSchema.options.length; provider++) {
    let startKey = provider === from.provider ? from.startKey : undefined;
    do {
      db.cursor = { provider, ...(startKey ? { startKey } : {}) };
      const name = ProviderSchema.options[provider] as (typeof ProviderSchema.options)[number];
      const out = await queryItems(db, queryProviderEventsNamingInput(db.table, name, terms, startKey));
      for (const item of out.Items ?? []) await remove(db, { pk: String(item.pk), sk: String(item.sk) });
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}

/** Notes of the live log read per page by an erasure (each deleted once its pack is redacted). */
const LIVE_NOTES_PAGE = 100;
type LiveCount = Pick<ErasureReport, 'liveEvents'>;

/**
 * Takes the customer's events out of the live event log (kept 26 hours, message text included): the
 * log notes under the customer each pack holding their events, so this reads those notes, redacts each
 * pack (deleted, or rewritten with the others' events) and deletes the note. Deleted notes are not read
 * again, so a resumed call starts from the first note left; a rewrite spends the budget as a delete does.
 */
export async function forgetLiveEvents(db: ErasureDb, customerId: string, report: LiveCount): Promise<void> {
  const remover = (key: { pk: string; sk: string }) => remove(db, key);
  await drainNotes(
    db,
    queryLiveNotesInput(db.table, customerId, LIVE_NOTES_PAGE),
    async (note) => {
      if (db.budget.left <= 0) throw new ErasurePaused();
      const pack = { pk: String(note.packPk), sk: String(note.packSk) };
      const done = await redactLivePack(db, pack, customerId, remover);
      if (done.write === 'rewrite') db.budget.left -= 1;
      report.liveEvents += done.removed;
    },
    remover,
  );
}

/**
 * Deletes a partition's timeline items and the replies' and visitor messages' own items; leaves an
 * erased marker in place of each provider reference (again: the first went with the thread links, see
 * forgetReferences; a reference written since, by a send under way then, is marked here).
 */
async function deleteTimeline(db: ErasureDb, customerId: string, report: ErasureReport): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, queryTimelineItemsInput(db.table, customerId, startKey));
    for (const item of out.Items ?? []) {
      // Marked rather than deleted: a provider's retry of the message must not start a new customer.
      for (const reference of providerReferencesOf(item)) await forgetMessage(db, reference);
      // A visitor's message is also claimed under its id (its time and text hash), for retried sends.
      if (
        item.channel === 'webchat' &&
        item.direction === 'inbound' &&
        typeof item.providerMessageId === 'string'
      ) {
        await remove(db, Keys.webchatMessage(item.providerMessageId));
      }
      // A reply (its address and text) and a keyed note are also kept under their ids, for retries.
      for (const key of retryKeysOf(item)) await remove(db, key);
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
      report.timelineItems += 1;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Deletes the email thread links of every customer of the group before any identity goes, and leaves
 * an erased marker in place of each provider reference of their timelines: from then on the person's
 * mail starts a new customer, so a link still naming one being erased would put a `same_thread`
 * suggestion on them (after their suggestions were deleted), and a provider's redelivery of a message
 * that found no marker yet would start a new customer with it. The links and references are those of
 * their own messages and our replies (both on the timeline, read here once more, the items carrying one
 * only; the partition and page being read are the cursor), then the links the upgrade noted
 * (`note-thread-links`). Each link goes before the marker: an email's own Message-ID is not its
 * provider id, but a marker must never be what a link's delete takes. Each mail's From and Reply-To
 * lose their suppression in the same read (forgetSuppressions).
 */
async function forgetReferences(db: ErasureDb, profiles: readonly RawProfile[]): Promise<void> {
  const customerIds = profiles.map((p) => p.id);
  const identities = new Set(profiles.flatMap((p) => [...p.identities]));
  const group = { ids: new Set(customerIds), identities, seen: new Set<string>() };
  const from = db.cursor ?? { provider: 0 };
  for (let partition = from.provider; partition < customerIds.length; partition++) {
    let startKey = partition === from.provider ? from.startKey : undefined;
    do {
      db.cursor = { provider: partition, ...(startKey ? { startKey } : {}) };
      const input = queryReferencingItemsInput(db.table, String(customerIds[partition]), startKey);
      const out = await queryItems(db, input);
      for (const item of out.Items ?? []) {
        for (const key of threadLinksOf(item)) await remove(db, key);
        for (const reference of providerReferencesOf(item)) await forgetMessage(db, reference);
        await forgetSuppressions(db, mailAddressTokens(item), group, (key) => remove(db, key));
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  db.cursor = { provider: customerIds.length };
  for (const customerId of customerIds) {
    await forgetNotedThreadLinks(db, customerId, (key) => remove(db, key));
    await forgetDeletionMarks(db, customerId, db.now, (key) => remove(db, key));
  }
}

type Step = (
  db: ErasureDb,
  deps: ErasureDeps,
  profile: RawProfile,
  report: ErasureReport,
  group: readonly RawProfile[],
) => Promise<void>;

/**
 * What erasing one profile does, in order; the progress marker counts the steps done. The exports
 * written aside go first (everything held about the person, in one object a presigned URL may still
 * fetch on AWS), then the group's email thread links and provider references (erased markers), then
 * the identities, so a message that arrives mid-erasure no longer finds the customer being erased, by
 * its sender or by the thread it answers, and a redelivery of one of theirs is dropped.
 */
const STEPS: readonly Step[] = [
  async (_db, deps, profile) => {
    await deps.exports?.removeAllOf(profile.id);
  },
  // The group's first profile's turn does it for all: before any of their identities goes.
  async (db, _deps, profile, _report, group) => {
    if (profile.id === group[0]?.id) await forgetReferences(db, group);
  },
  async (db, _deps, profile) => {
    // The visitor's live connections (AWS), by the customer and by each identity: see webchat-connections.
    await forgetConnectionsUnder(db, Keys.webchatFollower(profile.id, '').pk, (key) => remove(db, key));
    for (const token of profile.identities) {
      await forgetConnectionsUnder(db, Keys.webchatIdentityFollower(token, '').pk, (key) => remove(db, key));
      await forgetWebchatSessions(db, token);
      await remove(db, Keys.identityByToken(token));
      await remove(db, Keys.contactStateByToken(token));
      await forgetMentions(db, token);
    }
  },
  async (db, _deps, profile) => {
    for (const token of profile.mentioned) await remove(db, Keys.mention(token, profile.id));
    for (const key of nameWordKeys(profile.id)) await remove(db, key);
    // The list entry is on the profile (the tombstone takes it); a list item of the version before goes.
    await remove(db, legacyCustomerListKey(profile.id));
  },
  async (db, _deps, profile, report) => {
    for (const conversationId of await conversationIdsOf(db, profile)) {
      // Out of its agents' open conversations first, while it still names them.
      await syncAgentLoadOf(db, conversationId, { gone: true });
      // Counted when it goes: an earlier call of a resumed erasure counted those it deleted.
      if (await remove(db, Keys.conversation(conversationId))) report.conversations += 1;
      await remove(db, Keys.membership(profile.id, conversationId));
    }
  },
  async (db, deps, profile) => {
    for (const suggestion of await deps.suggestions.suggestionsOn(profile.id)) {
      await remove(db, suggestionKey(suggestion.otherId, profile.id));
      await remove(db, suggestionKey(profile.id, suggestion.otherId));
    }
  },
  async (db, _deps, profile) => {
    // The raw payloads a partition keeps aside from its timeline (`RAW#...`, see the timeline).
    for (const item of await queryAll(db, queryRawPayloadsInput(db.table, profile.id, 'aside'))) {
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
    }
  },
  (db, _deps, profile, report) => deleteTimeline(db, profile.id, report),
  (db, _deps, profile) => forgetProviderEvents(db, [...profile.identities]),
  // Last: what the change feed publishes of the customer while the steps above run is in the log by now.
  (db, _deps, profile, report) => forgetLiveEvents(db, profile.id, report),
  (db, _deps, profile) =>
    forgetDeliveryPayloads(db, profile.id, {
      spend: () => {
        if (db.budget.left <= 0) throw new ErasurePaused();
        db.budget.left -= 1;
      },
      remove: (key) => remove(db, key),
    }),
];

/**
 * Where the last call stopped: steps done (over every profile, in order), and inside the next one. A
 * marker written by a version with other steps (or before markers named their steps) counts them
 * differently: the erasure starts over from the first step, every step being safe to repeat, so no
 * step added since (the exports, the live log) is skipped.
 */
function progressOf(profile: RawProfile): { step: number; cursor: Cursor | undefined } {
  if (profile.erasureSteps !== STEPS.length) return { step: 0, cursor: undefined };
  const step = typeof profile.erasureStep === 'number' ? profile.erasureStep : 0;
  const cursor =
    typeof profile.erasureCursor === 'string'
      ? CursorSchema.safeParse(JSON.parse(profile.erasureCursor)).data
      : undefined;
  return { step, cursor };
}

/**
 * Marks one profile as being erased, refused with 409 `unmerge_in_progress` while an unmerge of it is
 * under way (it is being given back what it sent while merged, or its group's root notes an unmerge):
 * erasing it then would erase what belongs to the other customer, or leave behind what belongs to it.
 */
async function markErasing(db: DynamoDb, customerId: string, now: string, agentId: string): Promise<void> {
  if (await updateItemIf(db, markErasingInput(db.table, customerId, now, agentId))) return;
  const profile = await readRawProfile(db, customerId, { whileErasing: true }).catch(() => undefined);
  if (profile?.unmergingFrom || (profile?.unmergingSources.length ?? 0) > 0) {
    throw new ConflictError(
      `customer ${customerId} is being unmerged; unmerge again to finish it, then erase`,
      'unmerge_in_progress',
    );
  }
}

const countOf = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * Erases the customer and everyone merged with them: the exports written aside, identities and their contact states (opt-outs,
 * suppressions), web-chat sessions, timeline items with their raw payloads, replies, message and thread references,
 * conversations, every page of mentions, suggestions, and the raw provider events that reached no
 * customer but name one of their identities. What remains is a tombstone with counts, the time and
 * the agent: nothing that names the person.
 *
 * The first call marks every profile as being erased (reads answer 410, the resolver holds events
 * back). One call deletes at most `deletesPerCall` items. A heavy customer takes several calls: the
 * call that stops answers `complete: false` and keeps its counts and a progress marker (steps done,
 * and the page a scan was at) on the profile; the next call starts there, until the tombstone is
 * written and the report is complete.
 */
export async function eraseCustomer(
  db: DynamoDb,
  deps: ErasureDeps,
  request: { customerId: string; agentId: string; now: string; deletesPerCall: number },
): Promise<ErasureReport> {
  const { customerId, agentId, now } = request;
  const asked = await readRawProfile(db, customerId, { whileErasing: true });
  const partitions = await deps.customers.mergedPartitions(customerId, { whileErasing: true });
  // The group's root first: an unmerge's first write is a note on it, so one of the two is refused.
  for (const id of partitions) await markErasing(db, id, now, agentId);
  const profiles = await Promise.all(partitions.map((id) => readRawProfile(db, id, { whileErasing: true })));
  const report: ErasureReport = {
    customerId,
    customerIds: [customerId, ...partitions.filter((id) => id !== customerId)],
    erasedAt: now,
    erasedBy: agentId,
    customers: partitions.length,
    identities: profiles.reduce((sum, profile) => sum + profile.identities.length, 0),
    timelineItems: countOf(asked.erasedTimelineItems),
    conversations: countOf(asked.erasedConversations),
    liveEvents: countOf(asked.erasedLiveEvents),
    complete: true,
  };
  const from = progressOf(asked);
  const erasing: ErasureDb = { ...db, budget: { left: request.deletesPerCall }, cursor: from.cursor, now };
  let step = 0;
  try {
    for (const profile of profiles) {
      for (const run of STEPS) {
        if (step >= from.step) {
          await run(erasing, deps, profile, report, profiles);
          erasing.cursor = undefined;
        }
        step += 1;
      }
    }
  } catch (error) {
    if (!(error instanceof ErasurePaused)) throw error;
    const cursor = erasing.cursor && JSON.stringify(erasing.cursor);
    const progress = { ...report, step, steps: STEPS.length, cursor };
    await updateItemIf(db, saveErasureProgressInput(db.table, customerId, progress));
    return { ...report, complete: false };
  }
  // Tombstones last: until they are written, a retry of the erasure still finds what to delete.
  for (const profile of profiles) {
    const record = profile.id === customerId ? report : { erasedAt: now, erasedBy: agentId };
    await putItem(db, putTombstoneInput(db.table, profile.id, record));
  }
  return report;
}
