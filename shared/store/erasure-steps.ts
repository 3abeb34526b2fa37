import { ProviderSchema } from '../domain/envelope.js';
import type { ErasureReport, ExportStore } from '../domain/privacy.js';
import type { Suggestion } from '../domain/suggestions.js';
import { syncAgentLoadOrGone } from './agent-load.js';
import { legacyCustomerListKey } from './customer-list.js';
import { forgetDeletionMarks } from './deletion-erasure.js';
import { drainNotes } from './drain-notes.js';
import { getItem, queryItems, sendDynamo, updateItemIf } from './dynamo-client.js';
import {
  type ErasureDb,
  ErasurePaused,
  forgetMessage,
  remove,
  removeIfTheirs,
  spend,
} from './erasure-budget.js';
import { retryKeysOf } from './keyed-notes.js';
import { Keys, providerReferencesOf, suggestionKey } from './keys.js';
import { redactLivePack } from './live-erasure.js';
import { forgetMergedWindows } from './live-window-erasure.js';
import { nameWordKeys } from './name-words.js';
import { queryAll } from './paging.js';
import { getInput } from './params/common.js';
import { queryLiveNotesInput } from './params/live.js';
import {
  forgetMentionInput,
  identitySearchTerms,
  queryMentionersInput,
  queryProviderEventsNamingInput,
  queryReferencingItemsInput,
  queryTimelineItemsInput,
} from './params/privacy.js';
import { queryRawPayloadsInput } from './params/timeline.js';
import { endWebchatSessionInput, querySessionLinksInput } from './params/webchat.js';
import { conversationIdsOf, type RawProfile } from './raw-profile.js';
import { forgetSuppressions, mailAddressTokens } from './suppression-erasure.js';
import { settleContactState, settleContactStates } from './suppression-keep.js';
import { forgetNotedThreadLinks, threadLinksOf } from './thread-link-notes.js';
import { forgetConnectionsUnder } from './webchat-connections.js';
import { forgetDeliveryPayloads } from './webhook-erasure.js';

/** What the steps read besides the table. */
export type StepDeps = {
  suggestions: { suggestionsOn(customerId: string): Promise<Suggestion[]> };
  /** Where exports too large for one response were written (absent: there are none to delete). */
  exports?: Pick<ExportStore, 'removeAllOf'> | undefined;
};

/**
 * One run of the steps over a group of profiles: the erasure's (`first`: the profiles as they were,
 * with their identities and mentions), or its second pass over the tombstones (`sweep`: each
 * partition with no identity, mention or conversation listed, see `sweepErased`), which finds by the
 * partition what a write begun before the erasure left there after the first pass went by.
 */
export type ErasurePass = {
  kind: 'first' | 'sweep';
  db: ErasureDb;
  deps: StepDeps;
  group: readonly RawProfile[];
  /** What the pass deleted (the sweep's are not reported). */
  counts: Pick<ErasureReport, 'timelineItems' | 'conversations' | 'liveEvents'>;
};

/** A step's turn on one profile of the group, with the conversations deleted in it so far. */
type Turn = ErasurePass & { profile: RawProfile; gone: Set<string> };

/**
 * How a pass lets go of a provider reference: the erasure leaves an erased marker in its place (a
 * provider's retry of the message is dropped rather than starting a new customer); the sweep deletes it
 * only while it names the erased customer, with no marker (see removeIfTheirs).
 */
async function forgetReference(pass: ErasurePass, key: { pk: string; sk: string }, customerId: string) {
  if (pass.kind === 'sweep') await removeIfTheirs(pass.db, key, customerId);
  else await forgetMessage(pass.db, key);
}

/** And of an email thread link: the erasure deletes it; the sweep only while it names the erased customer. */
async function forgetLink(pass: ErasurePass, key: { pk: string; sk: string }, customerId: string) {
  if (pass.kind === 'sweep') await removeIfTheirs(pass.db, key, customerId);
  else await remove(pass.db, key);
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
    if (typeof link.tokenHash === 'string') await spendSession(db, link.tokenHash, Number(link.ttl));
    await remove(db, { pk: String(link.pk), sk: String(link.sk) });
  }
}

/**
 * Replaces a session with its tombstone until it would have expired (its link's `ttl`, which a
 * renewal moves first), so its start key cannot make it again; spends the budget when a session was there.
 */
async function spendSession(db: ErasureDb, tokenHash: string, ttlSeconds: number): Promise<void> {
  if (!(ttlSeconds * 1000 > Date.parse(db.now))) {
    await remove(db, Keys.webchatSession(tokenHash));
    return;
  }
  spend(db);
  const input = endWebchatSessionInput(db.table, tokenHash, ttlSeconds, db.now);
  const out = await sendDynamo('PutItem', () => db.doc.put(input));
  if (out.Attributes?.entity !== 'webchat_session') db.budget.left += 1;
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

/**
 * Takes the customer's events out of the live event log (kept 26 hours, message text included): the
 * log notes under the customer each pack holding their events, so this reads those notes, redacts each
 * pack (deleted, or rewritten with the others' events) and deletes the note. Deleted notes are not read
 * again, so a resumed call starts from the first note left; a rewrite spends the budget as a delete does.
 */
async function forgetLiveEvents(db: ErasureDb, customerId: string, counts: ErasurePass['counts']) {
  const remover = (key: { pk: string; sk: string }) => remove(db, key);
  await drainNotes(
    db,
    queryLiveNotesInput(db.table, customerId, LIVE_NOTES_PAGE),
    async (note) => {
      if (db.budget.left <= 0) throw new ErasurePaused();
      const pack = { pk: String(note.packPk), sk: String(note.packSk) };
      const done = await redactLivePack(db, pack, customerId, remover);
      if (done.write === 'rewrite') db.budget.left -= 1;
      counts.liveEvents += done.removed;
    },
    remover,
  );
}

/**
 * Deletes a conversation (out of its agents' open conversations first, while it still names them) and
 * its membership, once a turn. One only a timeline item names (`named`: opened by a message under way,
 * its membership not written yet) is deleted only while it is the group's: an item an unmerge gave
 * back names the other customer's conversation, which stays theirs; one already gone is nothing to do.
 */
async function forgetConversation(turn: Turn, conversationId: string, named = false): Promise<void> {
  if (turn.gone.has(conversationId)) return;
  turn.gone.add(conversationId);
  const { db } = turn;
  const conversation = (await getItem(db, getInput(db.table, Keys.conversation(conversationId), true))).Item;
  if (named) {
    const owner = conversation?.customerId;
    if (!conversation || (typeof owner === 'string' && !turn.group.some((p) => p.id === owner))) return;
  }
  await syncAgentLoadOrGone(db, conversationId, conversation, { gone: true });
  // Counted when it goes: an earlier call of a resumed erasure counted those it deleted.
  if (await remove(db, Keys.conversation(conversationId))) turn.counts.conversations += 1;
  await remove(db, Keys.membership(turn.profile.id, conversationId));
}

/**
 * Deletes a partition's timeline items and the replies' and visitor messages' own items; lets go of
 * each provider reference again (the first went with the thread links, see forgetReferences; a
 * reference written since, by a send under way then, goes here). A conversation an item names goes
 * before the item: one the message opened may have no membership yet, so a pass stopped after the
 * item would not find it again.
 */
async function deleteTimeline(turn: Turn): Promise<void> {
  const { db, profile } = turn;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, queryTimelineItemsInput(db.table, profile.id, startKey));
    for (const item of out.Items ?? []) {
      // On the erasure, marked rather than deleted: a provider's retry must not start a new customer.
      for (const reference of providerReferencesOf(item)) await forgetReference(turn, reference, profile.id);
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
      if (typeof item.conversationId === 'string') await forgetConversation(turn, item.conversationId, true);
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
      turn.counts.timelineItems += 1;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Deletes the email thread links of every customer of the group before any identity goes, and lets go
 * of each provider reference of their timelines (forgetReference): from then on the person's mail
 * starts a new customer, so a link still naming one being erased would put a `same_thread` suggestion
 * on them (after their suggestions were deleted), and a provider's redelivery of a message that found
 * no marker yet would start a new customer with it. The links and references are those of their own
 * messages and our replies (both on the timeline, read here once more, the items carrying one only;
 * the partition and page being read are the cursor), then the links the upgrade noted
 * (`note-thread-links`) and the marks their deletions left. Each link goes before the marker: an
 * email's own Message-ID is not its provider id, but a marker must never be what a link's delete
 * takes. Each mail's From and Reply-To lose their suppression in the same read (forgetSuppressions).
 */
async function forgetReferences(pass: ErasurePass): Promise<void> {
  const { db, group: profiles } = pass;
  const customerIds = profiles.map((p) => p.id);
  const identities = new Set(profiles.flatMap((p) => [...p.identities]));
  const group = { ids: new Set(customerIds), identities, seen: new Set<string>() };
  const from = db.cursor ?? { provider: 0 };
  for (let partition = from.provider; partition < customerIds.length; partition++) {
    const customerId = String(customerIds[partition]);
    let startKey = partition === from.provider ? from.startKey : undefined;
    do {
      db.cursor = { provider: partition, ...(startKey ? { startKey } : {}) };
      const out = await queryItems(db, queryReferencingItemsInput(db.table, customerId, startKey));
      for (const item of out.Items ?? []) {
        for (const key of threadLinksOf(item)) await forgetLink(pass, key, customerId);
        for (const reference of providerReferencesOf(item))
          await forgetReference(pass, reference, customerId);
        await forgetSuppressions(db, mailAddressTokens(item), group, (key) => settleContactState(db, key));
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

/**
 * What erasing one profile does, in order, on both passes; the erasure's progress marker counts the
 * steps done, so a step goes in at its place and the count changes (a marker of another count starts
 * over). The exports written aside go first (everything held about the person, in one object a
 * presigned URL may still fetch on AWS), then the group's email thread links and provider references,
 * then the identities, so a message that arrives mid-erasure no longer finds the customer being
 * erased, by its sender or by the thread it answers, and a redelivery of one of theirs is dropped.
 */
const STEPS: ReadonlyArray<(turn: Turn) => Promise<void>> = [
  async ({ deps, profile }) => {
    await deps.exports?.removeAllOf(profile.id);
  },
  // The group's first profile's turn does it for all: before any of their identities goes.
  async (turn) => {
    if (turn.profile.id === turn.group[0]?.id) await forgetReferences(turn);
  },
  async ({ db, profile }) => {
    // The visitor's live connections (AWS), by the customer and by each identity: see webchat-connections.
    await forgetConnectionsUnder(db, Keys.webchatFollower(profile.id, '').pk, (key) => remove(db, key));
    for (const token of profile.identities) {
      await forgetConnectionsUnder(db, Keys.webchatIdentityFollower(token, '').pk, (key) => remove(db, key));
      await forgetWebchatSessions(db, token);
      await remove(db, Keys.identityByToken(token));
      // Its opt-outs: the address's own, and those toward each number of ours (SMS); a block is kept,
      // detached from the customer (see settleContactStates).
      await settleContactStates(db, token);
      await forgetMentions(db, token);
    }
  },
  async ({ db, profile }) => {
    for (const token of profile.mentioned) await remove(db, Keys.mention(token, profile.id));
    for (const key of nameWordKeys(profile.id)) await remove(db, key);
    // The list entry is on the profile (the tombstone takes it); a list item of the version before goes.
    await remove(db, legacyCustomerListKey(profile.id));
  },
  async (turn) => {
    for (const conversationId of await conversationIdsOf(turn.db, turn.profile)) {
      await forgetConversation(turn, conversationId);
    }
  },
  async ({ db, deps, profile }) => {
    for (const suggestion of await deps.suggestions.suggestionsOn(profile.id)) {
      await remove(db, suggestionKey(suggestion.otherId, profile.id));
      await remove(db, suggestionKey(profile.id, suggestion.otherId));
    }
  },
  async ({ db, profile }) => {
    // The raw payloads a partition keeps aside from its timeline (`RAW#...`, see the timeline).
    for (const item of await queryAll(db, queryRawPayloadsInput(db.table, profile.id, 'aside'))) {
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
    }
  },
  deleteTimeline,
  ({ db, profile }) => forgetProviderEvents(db, [...profile.identities]),
  // Last: what the change feed publishes of the customer while the steps above run is in the log by now.
  async ({ db, profile, counts, kind }) => {
    await forgetLiveEvents(db, profile.id, counts);
    // And what their time merged into another wrote under that other's id.
    await forgetMergedWindows(db, profile.id, { sweep: kind === 'sweep', counts });
  },
  ({ db, profile }) =>
    forgetDeliveryPayloads(db, profile.id, { spend: () => spend(db), remove: (key) => remove(db, key) }),
];

/** How many steps erasing one profile takes (what a progress marker counts against). */
export const STEP_COUNT = STEPS.length;

/**
 * Runs the steps over every profile of the group, in order, from step `from` (counted over every
 * profile); `at.step` is the step under way, so a call that pauses knows where it stopped. The
 * cursor belongs to the step that set it: it is cleared once that step is done.
 */
export async function runSteps(pass: ErasurePass, from: number, at: { step: number }): Promise<void> {
  at.step = 0;
  for (const profile of pass.group) {
    const turn: Turn = { ...pass, profile, gone: new Set() };
    for (const run of STEPS) {
      if (at.step >= from) {
        await run(turn);
        pass.db.cursor = undefined;
      }
      at.step += 1;
    }
  }
}
