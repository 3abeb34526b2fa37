import { StringSetSchema } from '../domain/string-set.js';
import { logger } from '../log.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { getMergePointerInput, withdrawMergedIntoInput } from './params/merge-ring.js';
import type { Pair } from './unmerge-move.js';

/** How many profiles a merge reads at most to tell whether its pointer closed a ring (rings of up to 6). */
export const MERGE_RING_READS = 5;

/**
 * Whether the pointer a merge just wrote (source into target) closed a ring of merges: three or more
 * asked at once (A into B, B into C, C into A) each passed its own checks, the opposite-pair condition
 * of step 2 included, since no two of them are opposite. Read after the write, strongly, following the
 * pointers from the target: the merge whose pointer lands last always sees the ring whole. No read when
 * the source listed nobody as it was pointed (`mergedFrom` as the write returned it): a ring through it
 * needs a merge into it, whose step 1 lists it there before pointing and is refused once it points.
 * Otherwise one read per pointer followed, at most MERGE_RING_READS (logged when they run out).
 */
export async function closesRing(db: DynamoDb, pair: Pair, pointed: Record<string, unknown>) {
  const listed = StringSetSchema.safeParse(pointed.mergedFrom);
  if (!listed.success || listed.data.length === 0) return false;
  let id = pair.targetId;
  for (let read = 0; read < MERGE_RING_READS; read++) {
    const next = (await getItem(db, getMergePointerInput(db.table, id))).Item?.mergedInto;
    if (typeof next !== 'string') return false;
    if (next === pair.sourceId) return true;
    id = next;
  }
  logger.warn('merge: pointers from the target run past the ring check', {
    ...pair,
    reached: id,
    reads: MERGE_RING_READS,
  });
  return false;
}

/** Takes back the pointer of a merge that closed a ring (only the one it wrote), logged. */
export async function withdrawPointer(db: DynamoDb, pair: Pair, by: { agentId: string; now: string }) {
  const withdrawn = await updateItemIf(db, withdrawMergedIntoInput(db.table, pair, by));
  logger.warn('merge: its pointer closed a ring of merges asked at once; taken back, 409', {
    ...pair,
    withdrawn,
  });
}
