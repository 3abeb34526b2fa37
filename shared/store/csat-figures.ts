import type { CsatFigures, CsatScores } from '../domain/metrics.js';
import { CSAT_COUNTER_PREFIX } from './params/metrics.js';

const BREAKDOWNS = { queue: 'byQueue', channel: 'byChannel', agent: 'byAgent', ai: 'byAi' } as const;

function emptyScores(): CsatScores {
  return { count: 0, average: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } };
}

function add(scores: CsatScores, score: number, count: number): void {
  scores.distribution[score] = (scores.distribution[score] ?? 0) + count;
  scores.count += count;
}

function withAverage(scores: CsatScores): CsatScores {
  const total = Object.entries(scores.distribution).reduce((sum, [score, n]) => sum + Number(score) * n, 0);
  scores.average = scores.count ? total / scores.count : null;
  return scores;
}

/**
 * The CSAT figures of summed daily counters (`csat:<score>[:<by>:<value>]`): answers, average score
 * and the count of each score, overall and by queue, channel, agent and AI.
 */
export function csatFigures(sums: ReadonlyMap<string, number>): CsatFigures {
  const overall = emptyScores();
  const by: Record<string, Record<string, CsatScores>> = {};
  for (const [key, count] of sums) {
    if (!key.startsWith(CSAT_COUNTER_PREFIX)) continue;
    const [score, dimension, ...value] = key.slice(CSAT_COUNTER_PREFIX.length).split(':');
    if (!/^[1-5]$/.test(score ?? '')) continue;
    if (dimension === undefined) add(overall, Number(score), count);
    else if (dimension in BREAKDOWNS) {
      const group = by[dimension] ?? {};
      by[dimension] = group;
      const name = value.join(':');
      const scores = group[name] ?? emptyScores();
      group[name] = scores;
      add(scores, Number(score), count);
    }
  }
  const breakdown = (dimension: keyof typeof BREAKDOWNS) =>
    Object.fromEntries(Object.entries(by[dimension] ?? {}).map(([name, s]) => [name, withAverage(s)]));
  return {
    ...withAverage(overall),
    byAgent: breakdown('agent'),
    byChannel: breakdown('channel'),
    byQueue: breakdown('queue'),
    byAi: breakdown('ai'),
  };
}
