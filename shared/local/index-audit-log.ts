import { pathToFileURL } from 'node:url';
import { type AuditIndexBackfill, indexAuditLog } from '#shared/store/audit-index-backfill.js';
import { runAsMain, runScanCommand, type ScanCommandDeps, scanCommandUsage } from './scan-command.js';

export const indexAuditLogUsage = scanCommandUsage(
  'index-audit-log',
  `Once, after upgrading to the version whose audit log is filtered by customer, agent and action
(GET /api/audit?customerId=&agentId=&action=): writes the index entries of every audit record written
before it, which those filters miss until then. Reads the audit log only (not the rest of the table);
safe to run again or to stop and resume.`,
  'records read per page',
);

/** Runs `npm run index-audit-log -- <args>`; throws ValidationError on bad arguments. */
export function runIndexAuditLog(args: readonly string[], deps: ScanCommandDeps): Promise<void> {
  return runScanCommand<AuditIndexBackfill>(args, deps, {
    name: 'index-audit-log',
    usage: indexAuditLogUsage,
    page: indexAuditLog,
    add: (totals, page) => ({
      indexed: (totals?.indexed ?? 0) + page.indexed,
      pages: (totals?.pages ?? 0) + page.pages,
    }),
    progress: (totals) => `${totals.indexed} audit record(s) indexed`,
    summary: (totals) => `Done: ${totals.indexed} audit record(s) indexed.`,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runAsMain(runIndexAuditLog);
