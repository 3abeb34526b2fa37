import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CsatResponsesRead } from '../domain/csat/responses.js';
import type { CsatSurveyCount, CsatTally } from '../domain/csat/survey.js';
import { type CsatFigures, type Metrics, type MetricsRange, routeReason } from '../domain/metrics.js';
import type { DecisionCount } from '../domain/router-ports.js';
import { csatAnswers } from './csat-answers.js';
import { csatFigures } from './csat-figures.js';
import { type DynamoDb, updateItem } from './dynamo-client.js';
import { SHARDS } from './keys.js';
import { type CountedMark, markCounted } from './owed-counts.js';
import { queryAll } from './paging.js';
import {
  byFirstWait,
  countCsatInput,
  countCsatSurveyInput,
  countDecisionInput,
  FIRST_WAIT_FROM,
  markFirstPersonResponseInput,
  markFirstResponseInput,
  queryMetricsDaysInput,
  type ResponseCounters,
  takeBackFirstResponseInput,
} from './params/metrics.js';
import { takeBackOfInput } from './params/response-owed.js';
import { firstAnswerInput, firstResponseListedInput } from './params/waiting.js';
import { slaFigures } from './sla-figures.js';
import { surveyFigures } from './survey-figures.js';

/**
 * A first-response mark in its two forms (`byFirstWait`), counted as `counters` says: from the
 * conversation's first wait where it keeps its start (`firstWaitFrom`), else from the wait running.
 */
const firstResponseMarks = (input: UpdateCommandInput, counters: ResponseCounters): CountedMark[] => [
  { input: byFirstWait(input, true), counters, from: FIRST_WAIT_FROM },
  { input: byFirstWait(input, false), counters, from: 'waitingSince' },
];

/**
 * A person's reply: the conversation's first response, and theirs, in one write, counted in both
 * figures; or, after the AI's first response, the person's first (one conditional write more, which
 * fails once a person answered), its wait from the customer's message the AI's answer had answered:
 * what the first-response target measures when the AI's answers do not count. Counted once whatever
 * step a crash stops at (`markCounted`). The first response's form for a conversation that keeps no
 * first wait (`byFirstWait`) is tried last, so the usual reply writes no more than before.
 */
async function recordPersonResponse(db: DynamoDb, conversationId: string, at: string): Promise<void> {
  const [kept, notKept] = firstResponseMarks(
    markFirstResponseInput(db.table, conversationId, at, true),
    'both',
  );
  await markCounted(db, conversationId, at, [
    kept as CountedMark,
    {
      input: markFirstPersonResponseInput(db.table, conversationId, at),
      counters: 'person',
      from: 'firstResponseWaitFrom',
    },
    notKept as CountedMark,
  ]);
}

/**
 * Marks a conversation's first reply; the first time only, adds its wait to that day's counters, once
 * whatever step a crash stops at (`markCounted`). A person's (`person`) counts as their first response
 * too (`recordPersonResponse`), unless the conversation as read had one (`responded`: then it had its
 * first response too, and nothing is written). True when the AI's answer was recorded with it. Each
 * mark in its two forms (`firstResponseMarks`), those of a conversation that keeps its first wait first.
 */
async function recordFirstResponse(
  db: DynamoDb,
  conversationId: string,
  at: string,
  answered?: string,
  person?: { responded: boolean },
): Promise<boolean> {
  if (person) {
    if (!person.responded) await recordPersonResponse(db, conversationId, at);
    return false;
  }
  const inputs = answered
    ? [
        firstAnswerInput(db.table, conversationId, { at, answered }),
        firstResponseListedInput(db.table, conversationId, at),
      ]
    : [markFirstResponseInput(db.table, conversationId, at)];
  const [kept, notKept] = [0, 1].map((form) =>
    inputs.map((input) => firstResponseMarks(input, 'first')[form] as CountedMark),
  );
  const landed = await markCounted(db, conversationId, at, [...(kept ?? []), ...(notKept ?? [])]);
  // The AI's answer is the first of each form's marks.
  return answered !== undefined && landed !== undefined && landed.index % inputs.length === 0;
}

/**
 * Takes back a first response that never reached the customer (marked at `at`, the reply's time): the
 * mark goes, and the wait it counted comes off that day's counters, once whatever step a crash stops
 * at (`markCounted`). True when it was the first response.
 */
async function takeBackFirstResponse(db: DynamoDb, conversationId: string, at: string): Promise<boolean> {
  const input = takeBackFirstResponseInput(db.table, conversationId, at);
  // A person's answer that was the first response was their first too: both come off. The count owed is
  // written with the take-back, so which it is goes in its condition.
  const takeBack = (counters: 'both' | 'first'): CountedMark => ({
    input: takeBackOfInput(input, counters === 'both'),
    counters,
    undo: true,
    from: 'firstResponseWaitFrom',
  });
  return (await markCounted(db, conversationId, at, [takeBack('first'), takeBack('both')])) !== undefined;
}

/** Every numeric counter of the items, added up by name. */
function sumCounters(items: readonly Record<string, unknown>[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) {
    for (const [key, value] of Object.entries(item)) {
      if (typeof value === 'number') sums.set(key, (sums.get(key) ?? 0) + value);
    }
  }
  return sums;
}

/** The figures of summed counters. */
function toMetrics(sums: Map<string, number>): Metrics {
  const num = (key: string) => sums.get(key) ?? 0;
  const routed = num('routed');
  const handoffReasons: Metrics['handoffReasons'] = {};
  for (const [key, value] of sums) {
    const reason = key.startsWith('handoff_') ? routeReason(key.slice('handoff_'.length)) : undefined;
    if (reason) handoffReasons[reason] = value;
  }
  const responses = num('firstResponses');
  const personResponses = num('firstHumanResponses');
  return {
    routed,
    aiResolutionRate: routed ? num('answeredByAi') / routed : null,
    handoffReasons,
    firstResponseMs: {
      median: null,
      mean: responses ? num('firstResponseMsTotal') / responses : null,
      conversations: responses,
    },
    firstHumanResponseMs: {
      median: null,
      mean: personResponses ? num('firstHumanResponseMsTotal') / personResponses : null,
      conversations: personResponses,
    },
    channelSwitchRate: routed ? num('channelSwitches') / routed : null,
    sla: slaFigures(sums),
    csat: withSurveys(csatFigures(sums), sums),
  };
}

/** The CSAT figures with the surveys sent and skipped, and the response rate. */
const withSurveys = (csat: CsatFigures, sums: Map<string, number>): CsatFigures => ({
  ...csat,
  ...surveyFigures(sums, csat.count),
});

/** The counters of the UTC days of a range, every shard's added up. */
async function overallMetrics(db: DynamoDb, range: MetricsRange): Promise<Metrics> {
  const shards = Array.from({ length: SHARDS.metrics }, (_, shard) => shard);
  const days = await Promise.all(
    shards.map((shard) => queryAll(db, queryMetricsDaysInput(db.table, shard, range))),
  );
  return toMetrics(sumCounters(days.flat()));
}

/**
 * The counters behind GET /api/metrics: routing decisions and first responses, counted per UTC day in
 * METRICS_SHARDS shards so no partition is hot, and added up over a range of days when read.
 */
export function metricsRepository(db: DynamoDb) {
  return {
    /** Adds one routing decision to its day's counters, in the shard its item picks. */
    async countDecision(decision: DecisionCount): Promise<void> {
      await updateItem(db, countDecisionInput(db.table, decision));
    },
    /** Marks a conversation's first reply; the first time only, adds its wait to that day's counters. */
    recordFirstResponse: (
      conversationId: string,
      at: string,
      answered?: string,
      person?: { responded: boolean },
    ) => recordFirstResponse(db, conversationId, at, answered, person),
    /** Takes back a first response that never reached the customer (see `takeBackFirstResponse`). */
    takeBackFirstResponse: (conversationId: string, at: string) =>
      takeBackFirstResponse(db, conversationId, at),
    /** Adds one survey answer to its day's CSAT counters. */
    async countCsat(tally: CsatTally): Promise<void> {
      await updateItem(db, countCsatInput(db.table, tally));
    },
    /** Adds one survey sent or skipped to its day's counters. */
    async countCsatSurvey(count: CsatSurveyCount): Promise<void> {
      await updateItem(db, countCsatSurveyInput(db.table, count));
    },
    /** The counters of a range of UTC days, as metrics. */
    overallMetrics: (range: MetricsRange) => overallMetrics(db, range),
    /** One page of the survey answers of a span of time, newest first (see `csatAnswers`). */
    csatAnswers: (read: CsatResponsesRead) => csatAnswers(db, read),
  };
}

/** The metrics repository's methods. */
export type MetricsRepository = ReturnType<typeof metricsRepository>;
