import { type DynamoDb, getItem } from './dynamo-client.js';
import type { ErasureDb } from './erasure-budget.js';
import { runSteps, type StepDeps } from './erasure-steps.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { RawProfileSchema } from './raw-profile.js';

/** Deletes a sweep makes at most: a message begun before an erasure writes a handful of items. */
const SWEEP_DELETES = 1000;

/** What a sweep found: the tombstone (swept), an erasure still under way, or no erased customer. */
export type SweepOutcome = 'swept' | 'erasing' | 'none';

/**
 * The erasure's second pass, after a grace window (see `sweep-erasure`): the erasure's own steps run
 * again over every partition the tombstone's report names (the customer asked for and those merged
 * with them), for what a write that read the profile before the erasure began wrote after the first
 * pass's steps had gone by (a resolver's profile write is refused, so its event is retried and starts
 * a new customer, but its earlier writes landed): timeline items with their raw payloads, references
 * and thread links, conversations and their memberships, the name's word entries, the list entry,
 * suggestions, live-log and webhook-delivery notes, and whatever else a step finds by the partition.
 * A tombstone keeps no identity or mention, so what the steps find by those is the first pass's only;
 * a reference or thread link goes only while it names the erased customer (one a later delivery of
 * the same message moved to the new customer is theirs). Answers `erasing` while the erasure is
 * still under way (the sweep comes again later) and `none` when there is no tombstone. Throws when
 * its deletes run out, so the timer's queue tries it again; every step is safe to repeat.
 */
export async function sweepErased(
  db: DynamoDb,
  deps: StepDeps,
  customerId: string,
  now: string,
): Promise<SweepOutcome> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
  if (out.Item?.entity === 'customer' && out.Item.erasingSince !== undefined) return 'erasing';
  if (out.Item?.entity !== 'erased_customer') return 'none';
  const named = out.Item.customerIds;
  const ids = Array.isArray(named) ? named.filter((id): id is string => typeof id === 'string') : [];
  const group = (ids.length > 0 ? ids : [customerId]).map((id) =>
    RawProfileSchema.parse({ entity: 'erased_customer', id }),
  );
  const sweeping: ErasureDb = { ...db, budget: { left: SWEEP_DELETES }, cursor: undefined, now };
  const counts = { timelineItems: 0, conversations: 0, liveEvents: 0 };
  await runSteps({ kind: 'sweep', db: sweeping, deps, group, counts }, 0, { step: 0 });
  return 'swept';
}
