import { logger } from '../log.js';

/** The most `mergedInto` pointers followed from a customer, so a long chain costs a bounded number of reads. */
const MAX_MERGE_HOPS = 5;

/**
 * Follows `mergedInto` pointers from a customer to the one that stands for them now, reading each
 * profile once with `read` (which decides the consistency, and what a missing or erased one is).
 * Answers the customer reached and the profile read there: undefined when there is none, still merged
 * elsewhere when MAX_MERGE_HOPS ran out (logged). Pointers that lead back to a customer already read
 * form a ring (merges written at once before a merge took back the pointer that closed one, see
 * `closesRing`): the walk stops there, logs it, and answers the ring's customer whose id sorts first,
 * whichever customer it started from, so every reader of the ring lands on the same one.
 */
export async function followMerges<P extends { mergedInto?: string | undefined } | undefined>(
  read: (customerId: string) => Promise<P>,
  customerId: string,
): Promise<{ customerId: string; profile: P }> {
  let id = customerId;
  let profile = await read(id);
  const path = new Map<string, P>([[id, profile]]);
  for (let hop = 0; profile?.mergedInto; hop++) {
    const next: string = profile.mergedInto;
    if (path.has(next)) {
      const ids = [...path.keys()];
      const ring = ids.slice(ids.indexOf(next));
      const kept = [...ring].sort()[0] as string;
      logger.error('merge pointers form a ring: answering its first customer by id', {
        customerId,
        ring,
        kept,
      });
      return { customerId: kept, profile: path.get(kept) as P };
    }
    if (hop >= MAX_MERGE_HOPS) {
      logger.warn('merge pointers: hop limit reached, answering a customer still merged', {
        customerId,
        reached: id,
        maxHops: MAX_MERGE_HOPS,
      });
      break;
    }
    id = next;
    profile = await read(id);
    path.set(id, profile);
  }
  return { customerId: id, profile };
}

/** How far a walk over a merged group goes: merges deep, and partitions in all (the root's included). */
export interface MergeWalkBounds {
  maxHops: number;
  maxPartitions: number;
}

/**
 * The partitions of a root's merged group: the root's, then those of the customers merged into it,
 * and into those before they were merged on, breadth first, each merged customer's profile read once
 * (`read`) for its own merges. Bounded by `bounds`; `cut` says one was met with customers left beyond
 * it. With `seek`, the walk stops as soon as that customer is in the group (read no further: a
 * customer merged straight in costs no read).
 */
export async function mergedGroup(
  read: (customerId: string) => Promise<{ mergedFrom?: readonly string[] | undefined } | undefined>,
  root: { customerId: string; profile: { mergedFrom?: readonly string[] | undefined } | undefined },
  bounds: MergeWalkBounds,
  seek?: string,
): Promise<{ partitions: string[]; cut: boolean }> {
  const partitions = [root.customerId];
  let level = [...(root.profile?.mergedFrom ?? [])];
  for (let hop = 1; level.length > 0; hop++) {
    if (hop > bounds.maxHops) return { partitions, cut: true };
    const next: string[] = [];
    for (const id of level) {
      if (partitions.includes(id)) continue;
      if (partitions.length >= bounds.maxPartitions) return { partitions, cut: true };
      partitions.push(id);
      if (id === seek) return { partitions, cut: false };
      next.push(...((await read(id))?.mergedFrom ?? []));
    }
    level = next;
  }
  return { partitions, cut: false };
}
