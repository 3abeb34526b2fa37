import { randomUUID } from 'node:crypto';
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { type DynamoDb, getItem, updateItem, updateItemIf, updateItemReturningIf } from './dynamo-client.js';
import type { ResponseCounters } from './params/metrics.js';
import {
  addOwedInput,
  COUNT_OWED,
  COUNT_OWED_FROM,
  type OwedCount,
  owedOfInput,
  owingInput,
  parseOwed,
  releaseClaimInput,
  settleOwedInput,
  type WaitStart,
} from './params/response-owed.js';

/** The wait a response ended (ms), from the start the conversation kept; undefined when none ran. */
export function waitOf(waitingSince: unknown, at: string): number | undefined {
  return typeof waitingSince === 'string' && waitingSince
    ? Math.max(0, Date.parse(at) - Date.parse(waitingSince))
    : undefined;
}

/**
 * One conditional mark a counted response tries: its write, the counters it adds (taken back with
 * `undo`), and which attribute of the item it answers holds the wait's start.
 */
export interface CountedMark {
  input: UpdateCommandInput;
  counters: ResponseCounters;
  undo?: boolean;
  from: WaitStart;
}

/**
 * Adds an owed count to its day's counters and settles it, each step safe to run again: the add is
 * conditional on its claim not being on the day item, the conversation then owes it no more, and the
 * claim comes off the day item last (a crash before that leaves one small string there, never counted).
 */
async function settle(db: DynamoDb, conversationId: string, owed: OwedCount, from: unknown): Promise<void> {
  const ms = waitOf(from, owed.at);
  if (ms !== undefined) await updateItemIf(db, addOwedInput(db.table, conversationId, owed, ms));
  await updateItemIf(db, settleOwedInput(db.table, conversationId, owed));
  if (ms !== undefined) await updateItem(db, releaseClaimInput(db.table, conversationId, owed));
}

/** Settles the count an earlier mark left owed (it died before adding it); false when none is owed. */
async function settleLeftOwed(db: DynamoDb, conversationId: string): Promise<boolean> {
  const { Item } = await getItem(db, owedOfInput(db.table, conversationId));
  const owed = parseOwed(Item?.[COUNT_OWED]);
  if (!owed) return false;
  await settle(db, conversationId, owed, Item?.[COUNT_OWED_FROM]);
  return true;
}

/** The first of the marks whose write lands, owing its count in that write, and what it answered. */
async function tryMarks(db: DynamoDb, at: string, marks: readonly CountedMark[]) {
  for (const [index, mark] of marks.entries()) {
    const owed: OwedCount = {
      counters: mark.counters,
      undo: mark.undo === true,
      at,
      claim: `owed:${randomUUID()}`,
    };
    const attributes = await updateItemReturningIf(db, owingInput(mark.input, owed, mark.from));
    if (attributes) return { index, owed, attributes };
  }
  return undefined;
}

/**
 * Writes the first of the marks that lands and adds its count to the day's counters, converging
 * whatever step a crash stops at: the mark's own write records the count as owed on the conversation
 * (`countOwed`), so a retry (or the next mark) that finds one owed adds it first, once, then tries its
 * marks again. Answers which mark landed (its index) and the wait it counted (ms), or undefined.
 */
export async function markCounted(
  db: DynamoDb,
  conversationId: string,
  at: string,
  marks: readonly CountedMark[],
): Promise<{ index: number; ms: number | undefined } | undefined> {
  let landed = await tryMarks(db, at, marks);
  if (!landed && (await settleLeftOwed(db, conversationId))) landed = await tryMarks(db, at, marks);
  if (!landed) return undefined;
  const from = landed.attributes[marks[landed.index]?.from ?? 'waitingSince'];
  await settle(db, conversationId, landed.owed, from);
  return { index: landed.index, ms: waitOf(from, at) };
}
