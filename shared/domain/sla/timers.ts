import { newTimer, type Timer } from '../timer-ports.js';
import { SLA_METRICS, type SlaMetric } from './policy.js';
import { breached, dueField, type SlaState } from './state.js';

/** The timers a conversation's SLA needs: a warning and a breach for each running target. */
export function slaTimers(conversationId: string, state: SlaState | undefined): Timer[] {
  if (!state || state.endedAt) return [];
  const timers: Timer[] = [];
  for (const metric of SLA_METRICS) {
    const due = state[dueField(metric)];
    if (!due || breached(state, metric)) continue;
    const base = { subject: conversationId, version: due, detail: metric };
    const warning = state.warnings[metric];
    if (warning && warning < due) timers.push(newTimer({ ...base, kind: 'sla_warning', dueAt: warning }));
    timers.push(newTimer({ ...base, kind: 'sla_breached', dueAt: due }));
  }
  return timers;
}

/** Whether a timer still watches a running target of this SLA (its version is the target's deadline). */
export function isLiveSlaTimer(state: SlaState | undefined, metric: SlaMetric, due: string): boolean {
  return !!state && !state.endedAt && state[dueField(metric)] === due && !breached(state, metric);
}

/**
 * The soonest pending deadline of an SLA (a missed one stays pending until met), or undefined when
 * none is: what the inbox sorted by due orders by.
 */
export function slaNextDue(state: SlaState | undefined): string | undefined {
  if (!state || state.endedAt) return undefined;
  const dues = SLA_METRICS.map((metric) => state[dueField(metric)]).filter((due) => due !== undefined);
  return dues.sort()[0];
}
