import * as z from 'zod';
import type { MergedPair } from '../domain/agent-ports.js';
import { CsatPendingSchema, csatOvertaken } from '../domain/csat/survey.js';
import {
  carriedNumbers,
  mergedTagEntries,
  numbersOf,
  tagsToCarry,
  tagsToTakeBack,
  targetAtMerge,
  type UnmergeProgress,
} from '../domain/merges.js';
import type { TimelineItem } from '../domain/timeline.js';
import { ConflictError, ValidationError } from '../errors.js';
import { type DynamoDb, updateItem, updateItemIf, updateItemReturningIf } from './dynamo-client.js';
import { eventItem, mergeEvent } from './events.js';
import { carryLastInbound, carryLastNumbers } from './merge-carry.js';
import { closesRing, withdrawPointer } from './merge-ring.js';
import { mergedConversationWrites } from './merged-conversation.js';
import { deleteNameWords, putNameWords, settleNameWords } from './name-word-writes.js';
import { liveName, nameOf, nameVersion, sameName } from './name-words.js';
import { setCsatPendingInput } from './params/customers.js';
import {
  addMergedFromInput,
  addMergedIdentitiesInput,
  clearMergedIntoInput,
  dropAddressInput,
  dropCarriedCsatPendingInput,
  finishUnmergeInput,
  pointIdentityInput,
  pointMergedIntoInput,
  removeMergedFromInput,
  saveUnmergeProgressInput,
} from './params/merges.js';
import { type RawProfile, readRawProfile, readRootProfile } from './raw-profile.js';
import { giveBackAdopted } from './unmerge-adopted.js';
import { claimUnmerge, readForUnmerge, releaseUnmerge, rootOfTarget } from './unmerge-claim.js';
import { keepTargetInbound } from './unmerge-inbound.js';
import { closeMergedWindows, openMergedWindow } from './unmerge-live.js';
import { type ConversationOwners, moveBack, type Pair } from './unmerge-move.js';
import { giveBackStartedConversations } from './unmerge-started.js';

type Deps = {
  suggestions: {
    acceptSuggestion(customerId: string, otherId: string): Promise<void>;
    reopenSuggestion(customerId: string, otherId: string): Promise<void>;
  };
  timeline: { putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean> };
};

/** Why the source cannot be merged into the target as they stand now, or undefined when it can. */
function mergeConflict(targetId: string, target: RawProfile, sourceId: string, source: RawProfile) {
  if (target.mergedInto) {
    return `customer ${targetId} is merged into ${target.mergedInto}; merge into that one`;
  }
  if (source.mergedInto && source.mergedInto !== targetId) {
    return `customer ${sourceId} is already merged into ${source.mergedInto}`;
  }
  for (const [id, profile] of [
    [targetId, target],
    [sourceId, source],
  ] as const) {
    if (profile.unmergingFrom) {
      return `customer ${id} is being unmerged from ${profile.unmergingFrom}; unmerge again to finish it first`;
    }
  }
  for (const [id, profile] of [
    [targetId, target],
    [sourceId, source],
  ] as const) {
    if (profile.unmergingSources.length > 0) {
      return `customer ${id} has an unmerge under way in its group; unmerge again to finish it first`;
    }
  }
  if (source.mergedFrom.includes(targetId)) {
    return `customer ${targetId} is merged into ${sourceId}; unmerge it first`;
  }
  return undefined;
}

/**
 * The writes of a merge, in the order a retry completes; false when the source pointed to this target
 * already (the same merge asked at once: completed from the time that one wrote, not `now`). A source
 * merged elsewhere meanwhile, or a pointer that closed a ring of merges: what steps 1 and 2 wrote is
 * taken back, and 409.
 */
async function applyMerge(
  db: DynamoDb,
  deps: Deps,
  { targetId, sourceId }: Pair,
  profiles: { source: RawProfile; target: RawProfile },
  by: { agentId: string; now: string },
): Promise<boolean> {
  const { source, target } = profiles;
  const carried = tagsToCarry(source, target);
  // 1. The target lists the source first, so its timeline reads include it as soon as it points there,
  // and takes the source's tags it lacks.
  await updateItem(db, addMergedFromInput(db.table, targetId, sourceId, carried));
  // 2. The source points to the target.
  const pointed = await updateItemReturningIf(
    db,
    pointMergedIntoInput(db.table, sourceId, targetId, by, targetAtMerge(target)),
  );
  const taken = {
    tags: [...target.tags, ...carried],
    mergedTags: [...target.mergedTags, ...mergedTagEntries(sourceId, carried)],
  };
  if (!pointed) {
    if (await completeMerge(db, deps, sourceId, targetId)) return false;
    await updateItem(
      db,
      removeMergedFromInput(db.table, targetId, sourceId, [], tagsToTakeBack(taken, sourceId)),
    );
    throw new ConflictError(`customer ${sourceId} was merged elsewhere meanwhile`);
  }
  // Merges asked at once around a ring (A into B, B into C, C into A): the one that closed it yields.
  if (await closesRing(db, { targetId, sourceId }, pointed)) {
    await withdrawPointer(db, { targetId, sourceId }, by);
    await updateItem(
      db,
      removeMergedFromInput(db.table, targetId, sourceId, [], tagsToTakeBack(taken, sourceId)),
    );
    throw new ConflictError(
      `customer ${targetId} was merged into ${sourceId} meanwhile (through other merges)`,
    );
  }
  await pointSourceAtTarget(db, { targetId, sourceId, mergedAt: by.now }, profiles.source);
  await carryLastNumbers(db, targetId, profiles);
  await carryLastInbound(db, targetId, profiles.source, profiles.target);
  return true;
}

/** Steps 3-5 of a merge, each conditional or idempotent, so a merge asked again completes them. */
async function pointSourceAtTarget(
  db: DynamoDb,
  { targetId, sourceId, mergedAt }: { targetId: string; sourceId: string; mergedAt: string },
  source: RawProfile,
) {
  // 3. The source's identities now resolve to the target.
  for (const token of source.identities) {
    await updateItemIf(db, pointIdentityInput(db.table, token, { sourceId, targetId }, 'target'));
  }
  // 4. The target shows them.
  const shown = addMergedIdentitiesInput(db.table, targetId, source);
  if (shown) await updateItem(db, shown);
  // 5. The source's survey still awaits its answer, now on the profile the resolver reads.
  await carryCsatPending(db, targetId, source, mergedAt);
  // 6. Search finds the kept customer by their words, not the one merged away (back with an unmerge):
  // every slot, whatever name a rename racing the merge wrote (it settles against the pointer too).
  await deleteNameWords(db, sourceId);
}

/**
 * Puts the source's pending survey on the target, unless the target's is newer: the source's
 * identities now resolve to the target, whose profile is the one the resolver reads for an answer.
 * It carries the merge's time (`carriedAt`), so only the kept customer's resolves after the merge
 * void it, as any later resolve of one customer does; a survey the source's own reopen or later
 * resolve has voided stays behind. Conditional on the survey's time (a newer one wins), so a retried
 * merge writes it again harmlessly.
 */
async function carryCsatPending(
  db: DynamoDb,
  targetId: string,
  source: RawProfile,
  mergedAt: string,
): Promise<void> {
  const pending = CsatPendingSchema.safeParse(source.csatPending);
  if (!pending.success) return;
  const lastResolvedAt = typeof source.lastResolvedAt === 'string' ? source.lastResolvedAt : undefined;
  if (csatOvertaken(pending.data, { openConversationId: source.openConversationId, lastResolvedAt })) return;
  const carried = { ...pending.data, carriedAt: pending.data.carriedAt ?? mergedAt };
  await updateItemIf(db, setCsatPendingInput(db.table, targetId, carried));
}

/**
 * A merge asked again once the source points to the target: a first call that crashed after its step 2
 * left the identities, the target's shown identities, the survey and the timeline's `merge` event
 * undone, and the source's root is now the target, so the merge would otherwise answer as done. Steps
 * 3-5 are conditional and repeat nothing; the event is keyed on the time the source was merged at, as
 * the first call wrote it. One strong read of the source; nothing when it was merged through another.
 */
async function completeMerge(db: DynamoDb, deps: Deps, sourceId: string, targetId: string): Promise<boolean> {
  if (sourceId === targetId) return true;
  const source = await readRawProfile(db, sourceId);
  const { mergedAt, mergedBy } = source as { mergedAt?: unknown; mergedBy?: unknown };
  if (source.mergedInto !== targetId || typeof mergedAt !== 'string') return source.mergedInto === targetId;
  await pointSourceAtTarget(db, { targetId, sourceId, mergedAt }, source);
  // The target is read only when there is a number to carry (one more strong read, on a retry).
  if (carriedNumbers({ source, target: { identities: [] } }).length > 0) {
    await carryLastNumbers(db, targetId, { source, target: await readRawProfile(db, targetId) });
  }
  await carryLastInbound(db, targetId, source);
  const by = typeof mergedBy === 'string' ? mergedBy : 'unknown';
  await deps.timeline.putTimelineItem(mergeEvent(targetId, sourceId, mergedAt, by), undefined);
  return true;
}

/** Merges `sourceId` into `targetId`: identities re-pointed, a `mergedInto` pointer left behind. */
async function merge(
  db: DynamoDb,
  deps: Deps,
  requested: { target: string; source: string },
  agentId: string,
  now: string,
): Promise<MergedPair> {
  if (requested.target === requested.source)
    throw new ValidationError('a customer cannot be merged into itself');
  // Merges go between the customers that stand for each side now (either may have been merged before).
  const { customerId: targetId, profile: target } = await readRootProfile(db, requested.target);
  const { customerId: sourceId, profile: source } = await readRootProfile(db, requested.source);
  if (targetId === sourceId) {
    // The kept customer asked to be merged into one merged into it: nothing to merge, not a repeat.
    if (requested.source === sourceId) {
      throw new ConflictError(`customer ${requested.target} is already merged into ${requested.source}`);
    }
    // A merge asked again (or one of the group into the group): completes what a crash left.
    await completeMerge(db, deps, requested.source, targetId);
    await deps.suggestions.acceptSuggestion(requested.target, requested.source);
    return { targetId, sourceId };
  }
  const conflict = mergeConflict(targetId, target, sourceId, source);
  if (conflict) throw new ConflictError(conflict);
  const applied = await applyMerge(db, deps, { targetId, sourceId }, { source, target }, { agentId, now });
  await deps.suggestions.acceptSuggestion(requested.target, requested.source);
  if (applied) await deps.timeline.putTimelineItem(mergeEvent(targetId, sourceId, now, agentId), undefined);
  return { targetId, sourceId };
}

/**
 * How much one unmerge call reads and writes at most, in items: each item of the target's timeline
 * read costs 1, each moved back 4 more (its copy, its references, its deletion). A few seconds of
 * calls, well inside the agent API's timeout; a heavy target takes several calls.
 */
const UNMERGE_WORK_PER_CALL = 4000;

/**
 * The source's conversations its profile names (its pending survey's, its open and its last one): a
 * survey the merge carried to the target asks about one of them. No read: the unmerge holds the profile.
 */
function sourceConversationIds(source: RawProfile): string[] {
  const pending = CsatPendingSchema.safeParse(source.csatPending);
  const ids = [
    pending.success ? pending.data.conversationId : undefined,
    source.openConversationId,
    source.lastConversationId,
  ];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

const OwnersSchema = z.record(z.string(), z.enum(['s', 'n', 'x', 't']));

/**
 * Whose the conversations of the target's timeline are, as the move starts: the source's that its
 * profile names (a thread of one of them answered while merged is the source's: see `threadLinkOf`),
 * and, for a call carrying on an unmerge (paused, or crashed after the move noted a conversation the
 * source started), what the calls before it read.
 */
function conversationOwners(source: RawProfile, resuming: boolean): ConversationOwners {
  const kept = resuming ? OwnersSchema.safeParse(source.unmergeOwners) : undefined;
  const owners: ConversationOwners = kept?.success ? { ...kept.data } : {};
  // One the source started while merged stays `n` once given back (its profile names it then): a retry completes it.
  for (const id of sourceConversationIds(source)) if (owners[id] !== 'n') owners[id] = 's';
  return owners;
}

/**
 * Re-points the source's identities, takes them, the source and the tags the merge gave off the target
 * (as read before the claim: a retry reads the record without them and takes no tag again), and clears
 * the source's `mergedInto` (marking it `unmergingFrom`). Answers the time the unmerge stands recorded
 * at: now, or that of another unmerge of the same pair that cleared it first.
 */
async function undoMerge(
  db: DynamoDb,
  pair: Pair,
  { source, target }: { source: RawProfile; target: RawProfile },
  agentId: string,
  now: string,
) {
  for (const token of source.identities) {
    await updateItemIf(db, pointIdentityInput(db.table, token, pair, 'source'));
  }
  const takeBack = tagsToTakeBack(target, pair.sourceId);
  await updateItem(
    db,
    removeMergedFromInput(db.table, pair.targetId, pair.sourceId, source.identities, takeBack),
  );
  // Its reply addresses on the source's numbers go: none of them is the target's to answer on now.
  for (const [attribute, addresses] of Object.entries(numbersOf(source.identities))) {
    const dropped = dropAddressInput(db.table, pair.targetId, attribute as 'smsAddress', addresses);
    if (dropped) await updateItemIf(db, dropped);
  }
  const survey = dropCarriedCsatPendingInput(db.table, pair.targetId, sourceConversationIds(source));
  if (survey) await updateItemIf(db, survey);
  // The conversation the merge gave the target is the source's again; before the pointer goes, so a retry completes it.
  await giveBackAdopted(db, pair, { source, target });
  // Before the pointer goes (with the time it was merged at), so a retry writes it again.
  await openMergedWindow(db, pair, (source as { mergedAt?: unknown }).mergedAt);
  // Before the pointer goes, so a retry writes them again: the search leaves them out until it has.
  const name = nameOf(source);
  const written = name === undefined ? undefined : { name, version: nameVersion(source) };
  if (written) await putNameWords(db, pair.sourceId, written);
  const cleared = await updateItemReturningIf(db, clearMergedIntoInput(db.table, pair, agentId, now));
  if (cleared) {
    // Renamed while merged away (no words then): the name the source has now gets them.
    if (!sameName(liveName(cleared), written)) await settleNameWords(db, pair.sourceId, written);
    return now;
  }
  const again = await readRawProfile(db, pair.sourceId);
  if (again.unmergingFrom !== pair.targetId || !again.unmergedAt) {
    throw new ConflictError(`customer ${pair.sourceId} is not merged into ${pair.targetId}`);
  }
  return again.unmergedAt;
}

/**
 * Undoes a merge: the source's own identities resolve to it again, and what came through them while
 * merged (their messages, reactions, calls, with raw payloads and references) goes back to its
 * partition, so its export and its erasure find it and the target's no longer do. The first call
 * clears the merge and records it on both timelines; the move may take several calls (each one bounded
 * and starting where the last stopped), `complete: false` until the last.
 */
async function unmerge(
  db: DynamoDb,
  deps: Deps,
  request: Pair & { agentId: string; now: string },
  workPerCall: number,
): Promise<UnmergeProgress> {
  const { targetId, sourceId, agentId } = request;
  const pair = { sourceId, targetId };
  const source = await readForUnmerge(db, sourceId);
  const under = source.mergedInto === targetId || (source.unmergingFrom === targetId && source.unmergedAt);
  if (!under && !source.mergedInto && source.unmergedFrom === targetId) {
    // Done; a crash after its last write may have left its note on the root.
    await releaseUnmerge(db, (await rootOfTarget(db, targetId)).root, sourceId).catch(() => undefined);
    return { complete: true, moved: 0 };
  }
  if (!under) throw new ConflictError(`customer ${sourceId} is not merged into ${targetId}`);
  const { root, target } = await claimUnmerge(db, pair);
  const at =
    source.mergedInto === targetId
      ? await undoMerge(db, pair, { source, target }, agentId, request.now)
      : String(source.unmergedAt);
  const data = (customerId: string) => ({ customerId, by: agentId });
  await deps.timeline.putTimelineItem(
    eventItem(targetId, at, `unmerge:${sourceId}:${at}`, 'unmerge', data(sourceId)),
    undefined,
  );
  await deps.timeline.putTimelineItem(
    eventItem(sourceId, at, `unmerge:${targetId}:${at}`, 'unmerge', data(targetId)),
    undefined,
  );
  const resume = source.mergedInto === targetId ? undefined : source.unmergeCursor;
  const owners = conversationOwners(source, source.mergedInto !== targetId);
  const out = await moveBack(db, pair, new Set(source.identities), {
    after: resume,
    work: workPerCall,
    owners,
  });
  if (out.after !== undefined) {
    await updateItemIf(db, saveUnmergeProgressInput(db.table, pair, out.after, owners));
    return { complete: false, moved: out.moved };
  }
  // The conversations the source started while merged go back with their messages.
  await giveBackStartedConversations(db, pair, owners);
  await keepTargetInbound(db, targetId, source);
  await closeMergedWindows(db, pair, request.now);
  // Two customers again: a suggestion the merge accepted is open again (accept it again, or dismiss it).
  await deps.suggestions.reopenSuggestion(targetId, sourceId);
  await updateItemIf(db, finishUnmergeInput(db.table, pair));
  await releaseUnmerge(db, root, sourceId);
  return { complete: true, moved: out.moved };
}

/**
 * Merges of customers: cheap and reversible. Each is a sequence of idempotent conditional writes (no
 * transactions), ordered so a retry of the same request after a crash completes it.
 */
export function mergeRepository(db: DynamoDb, deps: Deps, options: { unmergeWorkPerCall?: number } = {}) {
  const workPerCall = options.unmergeWorkPerCall ?? UNMERGE_WORK_PER_CALL;
  return {
    /** Merges `sourceId` into `targetId`: identities re-pointed, a `mergedInto` pointer left behind. */
    merge: (targetId: string, sourceId: string, agentId: string, now: string): Promise<MergedPair> =>
      merge(db, deps, { target: targetId, source: sourceId }, agentId, now),
    /**
     * Undoes a merge: the source's own identities resolve to it again and what came through them while
     * merged goes back to it; a heavy target over several calls (`complete: false` until the last).
     */
    unmerge: (targetId: string, sourceId: string, agentId: string, now: string): Promise<UnmergeProgress> =>
      unmerge(db, deps, { targetId, sourceId, agentId, now }, workPerCall),
    ...mergedConversationWrites(db),
  };
}

/** The merge repository's methods. */
export type MergeRepository = ReturnType<typeof mergeRepository>;
