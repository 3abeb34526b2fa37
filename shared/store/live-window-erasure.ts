import * as z from 'zod';
import { msOfSeq } from '../domain/live/seq.js';
import { queryItems } from './dynamo-client.js';
import { type ErasureDb, ErasurePaused, remove } from './erasure-budget.js';
import { redactLivePack } from './live-erasure.js';
import { queryLiveNotesWithinInput, queryMergedWindowsInput } from './params/live.js';

const WindowSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  customerId: z.string(),
  fromSeq: z.number(),
  toSeq: z.number().optional(),
});

/**
 * Takes out of the live log what an erased customer's time merged into another left under that other's
 * id: for each window an unmerge noted under them (see `putMergedWindowInput`), the kept customer's
 * events of that time (the erased one's messages, routing of them, the kept profile showing their
 * number), found by the kept customer's notes of the packs of those hours (read, not deleted: they are
 * the kept customer's own). The kept customer's feed of that time goes with them: a console catching up
 * across it reads their pages again. Each pack rewritten spends the budget as a delete does, one
 * already rewritten costs nothing, so a resumed call repeats this freely. The first pass keeps the
 * windows for the second (`sweep`), which deletes them once done.
 */
export async function forgetMergedWindows(
  db: ErasureDb,
  customerId: string,
  pass: { sweep: boolean; counts: { liveEvents: number } },
): Promise<void> {
  const out = await queryItems(db, queryMergedWindowsInput(db.table, customerId));
  for (const item of out.Items ?? []) {
    const parsed = WindowSchema.safeParse(item);
    if (!parsed.success) continue;
    const note = parsed.data;
    // An open window (an unmerge under way cannot be erased, so none in practice) reaches the erasure.
    const toSeq = note.toSeq ?? Number.MAX_SAFE_INTEGER;
    const within = { fromMs: msOfSeq(note.fromSeq), toMs: note.toSeq ? msOfSeq(toSeq) : Date.parse(db.now) };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await queryItems(
        db,
        queryLiveNotesWithinInput(db.table, note.customerId, within, startKey),
      );
      for (const pack of page.Items ?? []) {
        if (db.budget.left <= 0) throw new ErasurePaused();
        const key = { pk: String(pack.packPk), sk: String(pack.packSk) };
        const done = await redactLivePack(db, key, note.customerId, (k) => remove(db, k), {
          fromSeq: note.fromSeq,
          toSeq,
        });
        if (done.write === 'rewrite') db.budget.left -= 1;
        pass.counts.liveEvents += done.removed;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (pass.sweep) await remove(db, { pk: note.pk, sk: note.sk });
  }
}
