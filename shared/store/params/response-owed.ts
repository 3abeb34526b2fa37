import type { GetCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { Keys } from '../keys.js';
import { addFirstResponseInput, NO_WAIT, type ResponseCounters } from './metrics.js';

/**
 * A response-time count a conversation's mark owes the day's counters until it is added
 * (`countOwed` on the conversation, written by the mark's own write): its counters, its sign, the
 * reply's time, and a claim name unique to this mark, under which the add leaves its trace on the day
 * item so a retry never adds it twice.
 */
export interface OwedCount {
  counters: ResponseCounters;
  undo: boolean;
  at: string;
  claim: string;
}

/**
 * The conversation attribute a counted mark takes its wait's start from: the wait running
 * (`waitingSince`), the conversation's first (`firstWaitFrom`), or the one its first response ended
 * (`firstResponseWaitFrom`).
 */
export type WaitStart = 'waitingSince' | 'firstWaitFrom' | 'firstResponseWaitFrom';

/** The conversation attribute holding the count a mark owes (`OwedCount`, as a string). */
export const COUNT_OWED = 'countOwed';
/** The conversation attribute holding the start of the wait an owed count counts (NO_WAIT: none). */
export const COUNT_OWED_FROM = 'countOwedFrom';

/** An owed count as stored: `+|-`, counters, time and claim, `|`-separated. */
export const owedToken = (owed: OwedCount): string =>
  [owed.undo ? '-' : '+', owed.counters, owed.at, owed.claim].join('|');

/** The owed count a stored token says, or undefined for anything else. */
export function parseOwed(token: unknown): OwedCount | undefined {
  if (typeof token !== 'string') return undefined;
  const [sign, counters, at, claim] = token.split('|');
  if ((sign !== '+' && sign !== '-') || !at || !claim) return undefined;
  if (counters !== 'first' && counters !== 'person' && counters !== 'both') return undefined;
  return { counters, undo: sign === '-', at, claim };
}

/**
 * A conversation mark's write made to owe its count in the same write: `countOwed` set, with the wait's
 * start as the item had it before (`from`: `firstWaitFrom`, else `waitingSince`, for a first response, the mark's
 * `firstResponseWaitFrom` for a person's after the AI's or a take-back), and the condition that none is
 * owed already (a mark never overwrites a count still owed; the caller adds that one first).
 */
export function owingInput(input: UpdateCommandInput, owed: OwedCount, from: WaitStart): UpdateCommandInput {
  const set = `SET ${COUNT_OWED} = :owed, ${COUNT_OWED_FROM} = if_not_exists(${from}, :noWait)`;
  const update = input.UpdateExpression ?? '';
  const condition = input.ConditionExpression;
  return {
    ...input,
    UpdateExpression: update.startsWith('SET ') ? `${set}, ${update.slice(4)}` : `${set} ${update}`,
    ConditionExpression: `${condition ? `(${condition}) AND ` : ''}attribute_not_exists(${COUNT_OWED})`,
    ExpressionAttributeValues: {
      ...input.ExpressionAttributeValues,
      ':owed': owedToken(owed),
      ':noWait': NO_WAIT,
    },
  };
}

/** The count a conversation owes and the wait it counts from, read strongly. */
export function owedOfInput(table: string, conversationId: string): GetCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    ProjectionExpression: `${COUNT_OWED}, ${COUNT_OWED_FROM}`,
    ConsistentRead: true,
  };
}

/**
 * Adds an owed count to its day's counters once: the add leaves its claim on the day item and fails
 * its condition when the claim is there (a retry after the add).
 */
export function addOwedInput(
  table: string,
  conversationId: string,
  owed: OwedCount,
  ms: number,
): UpdateCommandInput {
  const add = addFirstResponseInput(table, { conversationId, at: owed.at, ms }, owed.undo, owed.counters);
  return {
    ...add,
    UpdateExpression: (add.UpdateExpression ?? '').replace('SET ', 'SET #claim = :claimBy, '),
    ConditionExpression: 'attribute_not_exists(#claim)',
    ExpressionAttributeNames: { '#claim': owed.claim },
    ExpressionAttributeValues: { ...add.ExpressionAttributeValues, ':claimBy': conversationId },
  };
}

/** The count added: the conversation owes it no more. Only while it owes this one. */
export function settleOwedInput(table: string, conversationId: string, owed: OwedCount): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `REMOVE ${COUNT_OWED}, ${COUNT_OWED_FROM}`,
    ConditionExpression: `${COUNT_OWED} = :owed`,
    ExpressionAttributeValues: { ':owed': owedToken(owed) },
  };
}

/** The add's claim off the day item, once the conversation owes the count no more. */
export function releaseClaimInput(
  table: string,
  conversationId: string,
  owed: OwedCount,
): UpdateCommandInput {
  const { Key } = addFirstResponseInput(table, { conversationId, at: owed.at, ms: 0 });
  return {
    TableName: table,
    Key,
    UpdateExpression: 'REMOVE #claim',
    ExpressionAttributeNames: { '#claim': owed.claim },
  };
}

/**
 * A take-back (`takeBackFirstResponseInput`) split by what it takes back, as its owed count is written
 * with it: `person`, a person's answer that was the first response and their first (both counts come
 * off), else the first response's only.
 */
export function takeBackOfInput(input: UpdateCommandInput, person: boolean): UpdateCommandInput {
  const whose = person
    ? 'firstHumanResponseAt = :at'
    : '(attribute_not_exists(firstHumanResponseAt) OR firstHumanResponseAt <> :at)';
  return { ...input, ConditionExpression: `(${input.ConditionExpression}) AND ${whose}` };
}
