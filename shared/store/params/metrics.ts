import type { QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CsatSurveyCount, CsatTally } from '../../domain/csat/survey.js';
import { type MetricsRange, metricsSpan } from '../../domain/metrics.js';
import type { DecisionCount } from '../../domain/router-ports.js';
import type { SlaTally } from '../../domain/sla/tally.js';
import { Keys, metricsDaySortKey, metricsPartition, SHARDS, shardOf } from '../keys.js';

/**
 * The UTC hour (`yyyy-mm-ddTHH`) of an ISO time: the counters' item, one per shard and hour (`DAY#<hour>`;
 * before 2026-12-06 one per shard and UTC day, `DAY#<day>`, which sorts before its day's hours), so the
 * figures of a time zone's days read the hours those days span.
 */
const dayOf = (at: string): string => new Date(at).toISOString().slice(0, 13);

/**
 * Adds one routing decision to the counters of its UTC day, in the shard its item's id picks: one
 * UpdateItem, and no partition takes more than 1 in METRICS_SHARDS of the decisions. The AI's first
 * response is counted apart, owed by its mark (`markCounted`), as every first response is.
 */
export function countDecisionInput(table: string, decision: DecisionCount): UpdateCommandInput {
  const names: Record<string, string> = { '#reason': `handoff_${decision.reason}` };
  const adds = ['routed :one'];
  if (decision.answeredByAi) adds.push('answeredByAi :one');
  if (decision.channelSwitch) adds.push('channelSwitches :one');
  if (decision.target === 'human') adds.push('#reason :one');
  return {
    TableName: table,
    Key: Keys.metricsDay(shardOf(decision.itemId, SHARDS.metrics), dayOf(decision.at)),
    UpdateExpression: `SET entity = :entity ADD ${adds.join(', ')}`,
    ...(decision.target === 'human' ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
  };
}

/**
 * What a first-response mark keeps of the wait it ended besides its time: the wait's start
 * (`firstResponseWaitFrom`, `waitingSince` before the write; NO_WAIT when nobody waited), so a first
 * answer that never reached the customer can take its wait back out of the counters.
 */
export const FIRST_RESPONSE_WAIT = 'firstResponseWaitFrom = if_not_exists(waitingSince, :noWait)';
/** `firstResponseWaitFrom` of a first response that ended no wait (and was counted nowhere). */
export const NO_WAIT = '';

/**
 * The conversation attribute holding when its first wait began (its opening message, set by the touch
 * with `waitingSince`): a resolve does not remove it, so a first response after the customer reopened
 * a conversation nobody had answered counts from that message, not from the reopening one.
 */
export const FIRST_WAIT_FROM = 'firstWaitFrom';

/**
 * A first-response mark (`markFirstResponseInput`, `firstAnswerInput`, `firstResponseListedInput`)
 * for a conversation that keeps its first wait's start (`kept`: it counts from `firstWaitFrom` and keeps
 * that as `firstResponseWaitFrom`), or for one that does not (written before it was kept, or opened by
 * the business: from `waitingSince`, as before). The two conditions exclude each other, so one write
 * lands whichever is tried first.
 */
export function byFirstWait(input: UpdateCommandInput, kept: boolean): UpdateCommandInput {
  const update = input.UpdateExpression ?? '';
  return {
    ...input,
    UpdateExpression: kept
      ? update.replace(
          FIRST_RESPONSE_WAIT,
          `firstResponseWaitFrom = if_not_exists(${FIRST_WAIT_FROM}, :noWait)`,
        )
      : update,
    ConditionExpression: `(${input.ConditionExpression}) AND ${kept ? 'attribute_exists' : 'attribute_not_exists'}(${FIRST_WAIT_FROM})`,
  };
}

/**
 * Marks a conversation's first reply, the first time only, returning the conversation; a person's
 * (`person`) is their first response too (`firstHumanResponseAt`, in the same write).
 */
export function markFirstResponseInput(
  table: string,
  conversationId: string,
  at: string,
  person = false,
): UpdateCommandInput {
  const human = person ? 'firstHumanResponseAt = :at, ' : '';
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET firstResponseAt = :at, ${human}${FIRST_RESPONSE_WAIT}`,
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstResponseAt)',
    ExpressionAttributeValues: { ':at': at, ':noWait': NO_WAIT },
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * Marks a person's first reply in a conversation whose first response was the AI's (marked before: its
 * wait's start, `firstResponseWaitFrom`, is the one this answer ends for the first-response target),
 * the first time only, returning the conversation.
 */
export function markFirstPersonResponseInput(
  table: string,
  conversationId: string,
  at: string,
): UpdateCommandInput {
  return responseMarkInput(table, conversationId, at, {
    update: 'SET firstHumanResponseAt = :at',
    condition: 'attribute_exists(firstResponseAt) AND attribute_not_exists(firstHumanResponseAt)',
    returning: 'ALL_NEW',
  });
}

/** A conditional write of a conversation's response marks, at `at`, answering the item as `returning` says. */
function responseMarkInput(
  table: string,
  conversationId: string,
  at: string,
  write: { update: string; condition: string; returning: 'ALL_NEW' | 'ALL_OLD' },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: write.update,
    ConditionExpression: write.condition,
    ExpressionAttributeValues: { ':at': at },
    ReturnValues: write.returning,
  };
}

/** Which response-time counters a response adds to: the first response's, a person's first, or both. */
export type ResponseCounters = 'first' | 'person' | 'both';

const RESPONSE_COUNTERS = {
  first: 'firstResponses :one, firstResponseMsTotal :ms',
  person: 'firstHumanResponses :one, firstHumanResponseMsTotal :ms',
  both: 'firstResponses :one, firstResponseMsTotal :ms, firstHumanResponses :one, firstHumanResponseMsTotal :ms',
} as const;

/**
 * Adds one first response and its wait to the counters of the reply's UTC day, in the conversation's
 * shard (`counters`: the first response's, a person's first, or both); with `undo`, takes one back
 * (minus one and minus its wait: the counters add up over shards).
 */
export function addFirstResponseInput(
  table: string,
  response: { conversationId: string; at: string; ms: number },
  undo = false,
  counters: ResponseCounters = 'first',
): UpdateCommandInput {
  const sign = undo ? -1 : 1;
  return {
    TableName: table,
    Key: Keys.metricsDay(shardOf(response.conversationId, SHARDS.metrics), dayOf(response.at)),
    UpdateExpression: `SET entity = :entity ADD ${RESPONSE_COUNTERS[counters]}`,
    ExpressionAttributeValues: { ':one': sign, ':ms': sign * response.ms, ':entity': 'metrics' },
  };
}

/**
 * Takes back a conversation's first response marked at `at` (the reply's own time) that never reached
 * the customer: its mark goes, so the next answer is the first response. Only a mark that kept its
 * wait (`firstResponseWaitFrom`; one written before it was kept would be counted twice), and only
 * while the conversation still waits from before the answer (`waitingSince`): an answer that reached
 * the customer after it ended that wait and was no first response, so taking this one back would lose
 * both. A person's first response marked by the same answer goes with it (`firstHumanResponseAt`).
 * The first wait (`FIRST_WAIT_FROM`) becomes the wait that came back: the next answer counts from it,
 * as before the first wait was kept (for an agent's answer, the failed answer's time: `lateFailureWait`).
 * Answers the conversation before (its wait's start), or fails its condition.
 */
export function takeBackFirstResponseInput(
  table: string,
  conversationId: string,
  at: string,
): UpdateCommandInput {
  return responseMarkInput(table, conversationId, at, {
    update: `SET ${FIRST_WAIT_FROM} = waitingSince REMOVE firstResponseAt, firstResponseWaitFrom, firstHumanResponseAt`,
    condition: 'firstResponseAt = :at AND attribute_exists(firstResponseWaitFrom) AND waitingSince <= :at',
    returning: 'ALL_OLD',
  });
}

/** Prefix of the SLA outcome counters on a metrics day item: `sla:<metric>:<met|missed|resolvedUnanswered>[:<by>:<value>]`. */
export const SLA_COUNTER_PREFIX = 'sla:';

/**
 * Adds the targets one SLA change met or missed to the counters of their UTC day, in the
 * conversation's shard: one UpdateItem, overall and by queue, channel, agent and AI (one counter per
 * dimension value, so an item grows with the queues, channels and agents, never with messages).
 */
export function countSlaOutcomesInput(table: string, tally: SlaTally): UpdateCommandInput {
  const dimensions = dimensionsOf(tally);
  const counters: Array<[string, 1 | -1]> = [];
  for (const { metric, met, undone, resolvedUnanswered } of tally.outcomes) {
    const outcome = met ? 'met' : resolvedUnanswered ? 'resolvedUnanswered' : 'missed';
    const base = `${SLA_COUNTER_PREFIX}${metric}:${outcome}`;
    const step = undone ? -1 : 1;
    for (const name of [base, ...dimensions.map(([by, value]) => `${base}:${by}:${value}`)])
      counters.push([name, step]);
  }
  return addCountersInput(table, tally.conversationId, tally.at, counters);
}

/** Prefix of the CSAT counters on a metrics day item: `csat:<score>[:<by>:<value>]`. */
export const CSAT_COUNTER_PREFIX = 'csat:';

/** The breakdown values of a tally: queue, channel, agent and AI (unset ones left out). */
function dimensionsOf(tally: Pick<SlaTally, 'queue' | 'channel' | 'agent' | 'ai'>): Array<[string, string]> {
  return [
    ['queue', tally.queue],
    ['channel', tally.channel],
    ['agent', tally.agent],
    ['ai', tally.ai ? 'ai' : 'human'],
  ].filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '');
}

/**
 * An UpdateItem adding one to each named counter of a day (a counter given -1: taking one back), in
 * the conversation's shard.
 */
function addCountersInput(
  table: string,
  conversationId: string,
  at: string,
  counters: Array<string | [string, 1 | -1]>,
): UpdateCommandInput {
  const steps = counters.map((counter) => (typeof counter === 'string' ? ([counter, 1] as const) : counter));
  const names = Object.fromEntries(steps.map(([name], i) => [`#c${i}`, name]));
  // DynamoDB refuses a value the expression does not use.
  const values = {
    ...(steps.some(([, step]) => step > 0) ? { ':one': 1 } : {}),
    ...(steps.some(([, step]) => step < 0) ? { ':minus': -1 } : {}),
  };
  return {
    TableName: table,
    Key: Keys.metricsDay(shardOf(conversationId, SHARDS.metrics), dayOf(at)),
    UpdateExpression: `SET entity = :entity ADD ${steps
      .map(([, step], i) => `#c${i} ${step < 0 ? ':minus' : ':one'}`)
      .join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...values, ':entity': 'metrics' },
  };
}

/**
 * Adds one survey answer to the counters of its UTC day, in the conversation's shard: one UpdateItem,
 * the score overall and by queue, channel, agent and AI (an item grows with those values, never with answers).
 */
export function countCsatInput(table: string, tally: CsatTally): UpdateCommandInput {
  const base = `${CSAT_COUNTER_PREFIX}${tally.score}`;
  const counters = [base, ...dimensionsOf(tally).map(([by, value]) => `${base}:${by}:${value}`)];
  return addCountersInput(table, tally.conversationId, tally.at, counters);
}

/** Prefix of the survey counters on a metrics day item: `survey:sent`, `survey:skipped:<reason>`. */
export const SURVEY_COUNTER_PREFIX = 'survey:';

/**
 * Adds one survey sent, or skipped by its reason, to the counters of the day it was due, in the
 * conversation's shard (as its answer's): one UpdateItem; the reasons are a few codes, so the item
 * grows with them, never with surveys.
 */
export function countCsatSurveyInput(table: string, count: CsatSurveyCount): UpdateCommandInput {
  const name =
    count.outcome === 'sent'
      ? `${SURVEY_COUNTER_PREFIX}sent`
      : `${SURVEY_COUNTER_PREFIX}skipped:${count.reason}`;
  return addCountersInput(table, count.conversationId, count.at, [name]);
}

/**
 * The sort keys a range's counters lie between: UTC days, from the day's own item (written before the
 * hours) to its last hour; a time zone's days, the UTC hours their instants fall in (a day item of
 * before falls in when its UTC day begins inside the range; an offset of a half hour counts the hour
 * the local midnight falls in whole).
 */
export function metricsHours(range: MetricsRange): { first: string; last: string } {
  if (range.tz === undefined) return { first: range.from, last: `${range.to}T23` };
  const { start, end } = metricsSpan(range);
  return { first: start.slice(0, 13), last: new Date(Date.parse(end) - 1).toISOString().slice(0, 13) };
}

/** One shard's counters of a range (see `metricsHours`). */
export function queryMetricsDaysInput(table: string, shard: number, range: MetricsRange): QueryCommandInput {
  const { first, last } = metricsHours(range);
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': metricsPartition(shard),
      ':from': metricsDaySortKey(first),
      ':to': metricsDaySortKey(last),
    },
  };
}
