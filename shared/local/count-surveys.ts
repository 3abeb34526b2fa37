import { pathToFileURL } from 'node:url';
import { countSurveys, type SurveyBackfill } from '#shared/store/survey-backfill.js';
import { runAsMain, runScanCommand, type ScanCommandDeps, scanCommandUsage } from './scan-command.js';

export const countSurveysUsage = scanCommandUsage(
  'count-surveys',
  `Once, after upgrading to the version whose metrics count surveys (csat.sent, csat.skipped,
csat.responseRate) and list the answers (GET /api/csat/responses): counts each survey sent or skipped
before 2026-12-06 on its day, so a range over those days has its response rate, and lists the answers
recorded before. Reads the whole table once; safe to run again (each survey counted once) or to stop and
resume.`,
);

/** Runs `npm run count-surveys -- <args>`; throws ValidationError on bad arguments. */
export function runCountSurveys(args: readonly string[], deps: ScanCommandDeps): Promise<void> {
  return runScanCommand<SurveyBackfill>(args, deps, {
    name: 'count-surveys',
    usage: countSurveysUsage,
    page: countSurveys,
    add: (totals, page) => ({
      counted: (totals?.counted ?? 0) + page.counted,
      indexed: (totals?.indexed ?? 0) + page.indexed,
      pages: (totals?.pages ?? 0) + page.pages,
    }),
    progress: (totals) => `${totals.counted} survey(s) counted, ${totals.indexed} answer(s) listed`,
    summary: (totals) =>
      `Done: ${totals.counted} survey(s) counted on their day, ${totals.indexed} answer(s) listed.`,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runAsMain(runCountSurveys);
