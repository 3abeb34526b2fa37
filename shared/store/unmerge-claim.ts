import { followMerges } from '../domain/merge-walks.js';
import { ConflictError } from '../errors.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { claimUnmergeInput, releaseUnmergeInput } from './params/merges.js';
import { type RawProfile, readRawProfile } from './raw-profile.js';
import type { Pair } from './unmerge-move.js';

/** The refusal of an unmerge while an erasure of either customer is under way. */
const erasureInProgress = (customerId: string) =>
  new ConflictError(
    `customer ${customerId} is being erased; the erasure erases the whole merged group`,
    'erasure_in_progress',
  );

/** A profile an unmerge reads: 409 `erasure_in_progress` while it is being erased, 410 once erased. */
export async function readForUnmerge(db: DynamoDb, customerId: string): Promise<RawProfile> {
  const profile = await readRawProfile(db, customerId, { whileErasing: true });
  if (profile.erasingSince !== undefined) throw erasureInProgress(customerId);
  return profile;
}

/**
 * The root of the target's merged group (the target itself, unless it was merged on), where an unmerge
 * notes itself before anything else and an erasure marks first: whichever comes second is refused; and
 * the target's profile, read first on the way.
 */
export async function rootOfTarget(
  db: DynamoDb,
  targetId: string,
): Promise<{ root: string; target: RawProfile }> {
  const read: RawProfile[] = [];
  const { customerId } = await followMerges(async (id) => {
    const profile = await readForUnmerge(db, id);
    read.push(profile);
    return profile;
  }, targetId);
  return { root: customerId, target: read[0] as RawProfile };
}

/** Notes the unmerge on the root of the target's group, unless an erasure marked it first (409). */
export async function claimUnmerge(db: DynamoDb, pair: Pair): Promise<{ root: string; target: RawProfile }> {
  const found = await rootOfTarget(db, pair.targetId);
  if (await updateItemIf(db, claimUnmergeInput(db.table, found.root, pair.sourceId))) return found;
  await readForUnmerge(db, found.root);
  throw new ConflictError(`customer ${found.root} changed while the unmerge began; call again`);
}

/** The unmerge is over: its note leaves the root (no item is made where there is none). */
export async function releaseUnmerge(db: DynamoDb, root: string, sourceId: string): Promise<void> {
  await updateItemIf(db, releaseUnmergeInput(db.table, root, sourceId));
}
