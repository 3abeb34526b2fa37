import { SLA_METRICS, type SlaMetric } from './policy.js';
import { breached, dueField, type SlaState } from './state.js';

/**
 * A target met or missed: what the metrics count, once, when the SLA that records it is written.
 * `undone`: a met target taken back (its answer never reached the customer): counted minus one.
 * `resolvedUnanswered`: a response target the resolve ended while nobody had answered (`met` false):
 * neither met nor missed, counted apart.
 */
export interface SlaOutcome {
  metric: SlaMetric;
  met: boolean;
  undone?: true;
  resolvedUnanswered?: true;
}

const running = (state: SlaState | undefined, metric: SlaMetric): boolean =>
  !!state &&
  (state[dueField(metric)] !== undefined ||
    (metric === 'resolution' && state.resolutionLeftMs !== undefined));

/**
 * The targets an SLA change met or missed: a breach newly recorded is a miss; a running target that
 * stopped without one is met, but for a response target the resolve ended (nobody answered, or only
 * an answer the policy does not count): that is `resolvedUnanswered`. Pausing the resolution target is
 * neither.
 */
export function slaOutcomes(before: SlaState | undefined, after: SlaState): SlaOutcome[] {
  const outcomes: SlaOutcome[] = [];
  for (const metric of SLA_METRICS) {
    const missedNow = breached(after, metric) && !(before && breached(before, metric));
    if (missedNow) outcomes.push({ metric, met: false });
    else if (running(before, metric) && !running(after, metric) && !breached(after, metric))
      outcomes.push(
        endedUnanswered(before, after, metric)
          ? { metric, met: false, resolvedUnanswered: true }
          : { metric, met: true },
      );
    else if (metAhead(before, after, metric)) outcomes.push({ metric, met: true });
  }
  return outcomes;
}

/** A response target that stopped because the change resolved the conversation, not because of an answer. */
const endedUnanswered = (before: SlaState | undefined, after: SlaState, metric: SlaMetric): boolean =>
  metric !== 'resolution' && after.endedAt !== undefined && before?.endedAt === undefined;

/**
 * An answer that reached the clock before the message it answers met the target that message would
 * have started (no target ran, so none stopped).
 */
function metAhead(before: SlaState | undefined, after: SlaState, metric: SlaMetric): boolean {
  return (
    after.answeredWait?.met === metric &&
    after.answeredAt !== before?.answeredAt &&
    !running(before, metric) &&
    !breached(after, metric)
  );
}

/**
 * What undoing an answer takes back (`unanswered`): the target it had met, when this change undid it;
 * and whether that answer was the AI's. A target missed when its wait comes back is counted by its
 * breach timer, as any miss.
 */
export function slaUndone(
  before: SlaState | undefined,
  after: SlaState,
): { outcomes: SlaOutcome[]; ai: boolean } {
  const wait = before?.answeredWait;
  if (!wait?.met || after.answeredWait !== undefined) return { outcomes: [], ai: false };
  return { outcomes: [{ metric: wait.met, met: true, undone: true }], ai: wait.ai === true };
}
