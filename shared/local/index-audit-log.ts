import { pathToFileURL } from 'node:url';
import { type AuditIndexBackfill, indexAuditLog } from '#shared/store/audit-index-backfill.js';
import { runAsMain, runScanCommand, type ScanCommandDeps } from './scan-command.js';

export const indexAuditLogUsage = `Usage: npm run index-audit-log -- (--table <name> | --local) [options]

Once, after upgrading to the version whose audit log is filtered by customer, agent and action
(GET /api/audit?customerId=&agentId=&action=): writes the index entries of every audit record written
before it, which those filters miss until then. Reads the audit log only (not the rest of the table);
safe to run again or to stop and resume.
  --table <name>  on AWS: the table (the stateful stack's TableName output); AWS credentials and
                  region from the environment, as for the AWS CLI
  --local         the local runtime's table under DATA_DIR (default .data); stop npm start first
  --from <cursor> carry on from the cursor a stopped run printed
  --limit <n>     records read per page (default 1000)`;

/** Runs `npm run index-audit-log -- <args>`; throws ValidationError on bad arguments. */
export function runIndexAuditLog(args: readonly string[], deps: ScanCommandDeps): Promise<void> {
  return runScanCommand<AuditIndexBackfill>(args, deps, {
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
