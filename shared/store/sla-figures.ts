import type { SlaFigures, TargetFigures, TargetsFigures } from '../domain/metrics.js';
import { SLA_METRICS, type SlaMetric } from '../domain/sla/policy.js';
import { SLA_COUNTER_PREFIX } from './params/metrics.js';

const BREAKDOWNS = { queue: 'byQueue', channel: 'byChannel', agent: 'byAgent', ai: 'byAi' } as const;

/** A target with nothing counted: a response target also counts the resolves that ended it unanswered. */
const noTarget = (metric: SlaMetric): TargetFigures =>
  metric === 'resolution'
    ? { met: 0, missed: 0, share: null }
    : { met: 0, missed: 0, share: null, resolvedUnanswered: 0 };

/** Every target, none counted yet. */
const noTargets = (): TargetsFigures =>
  Object.fromEntries(SLA_METRICS.map((metric) => [metric, noTarget(metric)])) as TargetsFigures;

/** Adds a counter to its target; an outcome this version does not know counts nowhere. */
function add(figures: TargetsFigures, metric: SlaMetric, outcome: string, count: number): void {
  const target = figures[metric];
  if (outcome === 'met') target.met += count;
  else if (outcome === 'missed') target.missed += count;
  else if (outcome === 'resolvedUnanswered' && target.resolvedUnanswered !== undefined)
    target.resolvedUnanswered += count;
}

function withShares(figures: TargetsFigures): TargetsFigures {
  for (const target of Object.values(figures)) {
    const ended = target.met + target.missed;
    target.share = ended ? target.met / ended : null;
  }
  return figures;
}

/**
 * The SLA figures of summed daily counters (`sla:<metric>:<met|missed|resolvedUnanswered>[:<by>:<value>]`):
 * met, missed and the share met of each target (every target, zeros when none ended), the response
 * targets' resolves unanswered, overall and by queue, channel, agent and AI.
 */
export function slaFigures(sums: ReadonlyMap<string, number>): SlaFigures {
  const overall = noTargets();
  const by: Record<string, Record<string, TargetsFigures>> = {};
  for (const [key, count] of sums) {
    if (!key.startsWith(SLA_COUNTER_PREFIX)) continue;
    const [metric, outcome, dimension, ...value] = key.slice(SLA_COUNTER_PREFIX.length).split(':');
    if (!SLA_METRICS.includes(metric as SlaMetric) || !outcome) continue;
    if (dimension === undefined) {
      add(overall, metric as SlaMetric, outcome, count);
    } else if (dimension in BREAKDOWNS) {
      const group = by[dimension] ?? {};
      by[dimension] = group;
      const figures = group[value.join(':')] ?? noTargets();
      group[value.join(':')] = figures;
      add(figures, metric as SlaMetric, outcome, count);
    }
  }
  const breakdown = (dimension: keyof typeof BREAKDOWNS) =>
    Object.fromEntries(Object.entries(by[dimension] ?? {}).map(([value, f]) => [value, withShares(f)]));
  return {
    ...withShares(overall),
    byQueue: breakdown('queue'),
    byChannel: breakdown('channel'),
    byAgent: breakdown('agent'),
    byAi: breakdown('ai'),
  };
}
