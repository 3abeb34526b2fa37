import type { CsatFigures } from '../domain/metrics.js';
import { SURVEY_COUNTER_PREFIX } from './params/metrics.js';

/**
 * The survey figures of summed daily counters (`survey:sent`, `survey:skipped:<reason>`): surveys
 * sent, skipped by reason, and the response rate (answers counted over surveys sent; null when none
 * went out). Answers count on the day they came, surveys on the day they were due, so a range's rate
 * may be off by the answers that crossed its edges.
 */
export function surveyFigures(
  sums: ReadonlyMap<string, number>,
  answers: number,
): Pick<CsatFigures, 'sent' | 'skipped' | 'responseRate'> {
  const sent = sums.get(`${SURVEY_COUNTER_PREFIX}sent`) ?? 0;
  const skipped: Record<string, number> = {};
  const skip = `${SURVEY_COUNTER_PREFIX}skipped:`;
  for (const [key, count] of sums) if (key.startsWith(skip)) skipped[key.slice(skip.length)] = count;
  return { sent, skipped, responseRate: sent > 0 ? answers / sent : null };
}
