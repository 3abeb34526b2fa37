import type { ErasureReport } from '../domain/privacy.js';
import { ConflictError } from '../errors.js';
import { type DynamoDb, putItem, updateItemIf } from './dynamo-client.js';
import { type Cursor, CursorSchema, type ErasureDb, ErasurePaused } from './erasure-budget.js';
import { runSteps, STEP_COUNT, type StepDeps } from './erasure-steps.js';
import { markErasingInput, putTombstoneInput, saveErasureProgressInput } from './params/privacy.js';
import { type RawProfile, readRawProfile } from './raw-profile.js';

/** What an erasure reads besides the table. */
export type ErasureDeps = StepDeps & {
  customers: {
    mergedPartitions(customerId: string, options?: { whileErasing?: boolean }): Promise<string[]>;
  };
};

/**
 * Where the last call stopped: steps done (over every profile, in order), and inside the next one. A
 * marker written by a version with other steps (or before markers named their steps) counts them
 * differently: the erasure starts over from the first step, every step being safe to repeat, so no
 * step added since (the exports, the live log) is skipped.
 */
function progressOf(profile: RawProfile): { step: number; cursor: Cursor | undefined } {
  if (profile.erasureSteps !== STEP_COUNT) return { step: 0, cursor: undefined };
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
  const at = { step: 0 };
  try {
    await runSteps({ kind: 'first', db: erasing, deps, group: profiles, counts: report }, from.step, at);
  } catch (error) {
    if (!(error instanceof ErasurePaused)) throw error;
    const cursor = erasing.cursor && JSON.stringify(erasing.cursor);
    const progress = { ...report, step: at.step, steps: STEP_COUNT, cursor };
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
