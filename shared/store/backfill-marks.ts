import type { DocumentStore } from './dynamo-client.js';

/**
 * The upgrade commands that fill in what an earlier version did not write, in the order the README's
 * Upgrading section runs them, each with the day of the last change that needs it run (again). A
 * change that needs a command run again moves its day on, and every table marked before then is
 * pending again.
 */
export const BACKFILLS = {
  'note-thread-links': '2026-12-05',
  'index-name-words': '2026-12-07',
  'index-customers': '2026-12-06',
  'index-audit-log': '2026-12-05',
  'count-surveys': '2026-12-06',
} as const;

export type BackfillName = keyof typeof BACKFILLS;

/** The partition of the marks: a handful of items, read once when npm start starts, never per message. */
const MARKS_PARTITION = 'UPGRADES';

/** The mark a completed run of `name` leaves (`BACKFILL#index-customers`). */
export const backfillMarkKey = (name: BackfillName) => ({ pk: MARKS_PARTITION, sk: `BACKFILL#${name}` });

/** Marks `names` done at this version (their day), at `at`: a run completed, or a table made new. */
export async function markBackfillsDone(
  db: { doc: DocumentStore; table: string },
  names: readonly BackfillName[],
  at: Date,
): Promise<void> {
  for (const name of names) {
    await db.doc.put({
      TableName: db.table,
      Item: { ...backfillMarkKey(name), version: BACKFILLS[name], doneAt: at.toISOString() },
    });
  }
}

/** The commands whose mark is missing or older than their day: one Query of the marks' partition. */
export async function pendingBackfills(db: { doc: DocumentStore; table: string }): Promise<BackfillName[]> {
  const out = await db.doc.query({
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': MARKS_PARTITION },
    ConsistentRead: true,
  });
  const done = new Map((out.Items ?? []).map((item) => [String(item.sk), String(item.version)]));
  return (Object.keys(BACKFILLS) as BackfillName[]).filter(
    (name) => done.get(backfillMarkKey(name).sk) !== BACKFILLS[name],
  );
}

/** Whether `name` is one of the upgrade commands that leave a mark. */
export const isBackfillName = (name: string): name is BackfillName => Object.hasOwn(BACKFILLS, name);
