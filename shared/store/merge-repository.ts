import type { TimelineItem } from '../domain/timeline.js';
import { ConflictError, ValidationError } from '../errors.js';
import { type DynamoDb, updateItem, updateItemIf } from './dynamo-client.js';
import { eventItem } from './events.js';
import {
  addMergedFromInput,
  addMergedIdentitiesInput,
  clearMergedIntoInput,
  pointIdentityInput,
  pointMergedIntoInput,
  removeMergedFromInput,
} from './params/merges.js';
import { type RawProfile, readRawProfile, readRootProfile } from './raw-profile.js';

type Deps = {
  suggestions: { acceptSuggestion(customerId: string, otherId: string): Promise<void> };
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
  if (source.mergedFrom.includes(targetId)) {
    return `customer ${targetId} is merged into ${sourceId}; unmerge it first`;
  }
  return undefined;
}

/** The writes of a merge, in the order that lets a retry after a crash complete it. */
async function applyMerge(
  db: DynamoDb,
  targetId: string,
  sourceId: string,
  source: RawProfile,
  by: { agentId: string; now: string },
): Promise<void> {
  // 1. The target lists the source first, so its timeline reads include it as soon as it points there.
  await updateItem(db, addMergedFromInput(db.table, targetId, sourceId));
  // 2. The source points to the target.
  const pointed = await updateItemIf(
    db,
    pointMergedIntoInput(db.table, sourceId, targetId, by.agentId, by.now),
  );
  if (!pointed) throw new ConflictError(`customer ${sourceId} was merged elsewhere meanwhile`);
  // 3. The source's identities now resolve to the target.
  for (const token of source.identities) {
    await updateItemIf(db, pointIdentityInput(db.table, token, { sourceId, targetId }, 'target'));
  }
  // 4. The target shows them.
  const shown = addMergedIdentitiesInput(db.table, targetId, source);
  if (shown) await updateItem(db, shown);
}

/** Merges `sourceId` into `targetId`: identities re-pointed, a `mergedInto` pointer left behind. */
async function merge(
  db: DynamoDb,
  deps: Deps,
  requested: { target: string; source: string },
  agentId: string,
  now: string,
) {
  if (requested.target === requested.source)
    throw new ValidationError('a customer cannot be merged into itself');
  // Merges go between the customers that stand for each side now (either may have been merged before).
  const { customerId: targetId, profile: target } = await readRootProfile(db, requested.target);
  const { customerId: sourceId, profile: source } = await readRootProfile(db, requested.source);
  if (targetId === sourceId) {
    await deps.suggestions.acceptSuggestion(requested.target, requested.source);
    return;
  }
  const conflict = mergeConflict(targetId, target, sourceId, source);
  if (conflict) throw new ConflictError(conflict);
  await applyMerge(db, targetId, sourceId, source, { agentId, now });
  await deps.suggestions.acceptSuggestion(requested.target, requested.source);
  const event = eventItem(targetId, now, `merge:${sourceId}:${now}`, 'merge', {
    customerId: sourceId,
    by: agentId,
  });
  await deps.timeline.putTimelineItem(event, undefined);
}

/** Undoes a merge: the source's own identities resolve to it again. */
async function unmerge(
  db: DynamoDb,
  deps: Deps,
  targetId: string,
  sourceId: string,
  agentId: string,
  now: string,
) {
  const source = await readRawProfile(db, sourceId);
  if (source.mergedInto !== targetId) {
    throw new ConflictError(`customer ${sourceId} is not merged into ${targetId}`);
  }
  for (const token of source.identities) {
    await updateItemIf(db, pointIdentityInput(db.table, token, { sourceId, targetId }, 'source'));
  }
  await updateItem(db, removeMergedFromInput(db.table, targetId, sourceId, source.identities));
  await updateItem(db, clearMergedIntoInput(db.table, sourceId, now));
  const data = (customerId: string) => ({ customerId, by: agentId });
  await deps.timeline.putTimelineItem(
    eventItem(targetId, now, `unmerge:${sourceId}:${now}`, 'unmerge', data(sourceId)),
    undefined,
  );
  await deps.timeline.putTimelineItem(
    eventItem(sourceId, now, `unmerge:${targetId}:${now}`, 'unmerge', data(targetId)),
    undefined,
  );
}

/**
 * Merges of customers: cheap and reversible. Each is a sequence of idempotent conditional writes (no
 * transactions), ordered so a retry of the same request after a crash completes it.
 */
export function mergeRepository(db: DynamoDb, deps: Deps) {
  return {
    /** Merges `sourceId` into `targetId`: identities re-pointed, a `mergedInto` pointer left behind. */
    merge: (targetId: string, sourceId: string, agentId: string, now: string): Promise<void> =>
      merge(db, deps, { target: targetId, source: sourceId }, agentId, now),
    /** Undoes a merge: the source's own identities resolve to it again. */
    unmerge: (targetId: string, sourceId: string, agentId: string, now: string): Promise<void> =>
      unmerge(db, deps, targetId, sourceId, agentId, now),
  };
}

/** The merge repository's methods. */
export type MergeRepository = ReturnType<typeof mergeRepository>;
