import type { Metrics } from '../domain/metrics.js';
import type { DecisionCount } from '../domain/router-ports.js';
import { type DynamoDb, getItem, isConditionFailure, updateItem } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { addFirstResponseInput, countDecisionInput, markFirstResponseInput } from './params/metrics.js';

/** Marks a conversation's first reply; the first time only, adds its wait to the overall counters. */
async function recordFirstResponse(db: DynamoDb, conversationId: string, at: string): Promise<void> {
  let waitingSince: string | undefined;
  try {
    const out = await updateItem(db, markFirstResponseInput(db.table, conversationId, at));
    waitingSince = typeof out.Attributes?.waitingSince === 'string' ? out.Attributes.waitingSince : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return;
    throw error;
  }
  if (!waitingSince) return;
  const ms = Math.max(0, Date.parse(at) - Date.parse(waitingSince));
  await updateItem(db, addFirstResponseInput(db.table, ms));
}

/** The overall counters, as metrics. */
async function overallMetrics(db: DynamoDb): Promise<Metrics> {
  const out = await getItem(db, getInput(db.table, Keys.metrics()));
  const item = (out.Item ?? {}) as Record<string, unknown>;
  const num = (key: string) => (typeof item[key] === 'number' ? (item[key] as number) : 0);
  const routed = num('routed');
  const handoffReasons = Object.fromEntries(
    Object.entries(item)
      .filter(([key, value]) => key.startsWith('handoff_') && typeof value === 'number')
      .map(([key, value]) => [key.slice('handoff_'.length), value as number]),
  );
  const responses = num('firstResponses');
  return {
    routed,
    aiResolutionRate: routed ? num('answeredByAi') / routed : null,
    handoffReasons,
    firstResponseMs: {
      median: null,
      mean: responses ? num('firstResponseMsTotal') / responses : null,
      conversations: responses,
    },
    channelSwitchRate: routed ? num('channelSwitches') / routed : null,
  };
}

/** The overall counters behind GET /api/metrics: routing decisions and first responses. */
export function metricsRepository(db: DynamoDb) {
  return {
    /** Adds one routing decision to the overall counters (one item: fine at a small desk's volume). */
    async countDecision(decision: DecisionCount): Promise<void> {
      await updateItem(db, countDecisionInput(db.table, decision));
    },
    /** Marks a conversation's first reply; the first time only, adds its wait to the overall counters. */
    recordFirstResponse: (conversationId: string, at: string) => recordFirstResponse(db, conversationId, at),
    /** The overall counters, as metrics. */
    overallMetrics: () => overallMetrics(db),
  };
}

/** The metrics repository's methods. */
export type MetricsRepository = ReturnType<typeof metricsRepository>;
