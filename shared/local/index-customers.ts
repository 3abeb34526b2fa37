import { pathToFileURL } from 'node:url';
import { type CustomerListBackfill, indexCustomers } from '#shared/store/customer-list-backfill.js';
import { runAsMain, runScanCommand, type ScanCommandDeps, scanCommandUsage } from './scan-command.js';

export const indexCustomersUsage = scanCommandUsage(
  'index-customers',
  `Once, after upgrading to the version with the customer list (GET /api/customers without q): lists
every customer first seen before it (they are absent from the list until then), at the time their
profile was created. Reads the whole table once; safe to run again or to stop and resume.`,
);

/** Runs `npm run index-customers -- <args>`; throws ValidationError on bad arguments. */
export function runIndexCustomers(args: readonly string[], deps: ScanCommandDeps): Promise<void> {
  return runScanCommand<CustomerListBackfill>(args, deps, {
    name: 'index-customers',
    usage: indexCustomersUsage,
    page: indexCustomers,
    add: (totals, page) => ({
      listed: (totals?.listed ?? 0) + page.listed,
      pages: (totals?.pages ?? 0) + page.pages,
    }),
    progress: (totals) => `${totals.listed} customer(s) listed`,
    summary: (totals) => `Done: ${totals.listed} customer(s) listed.`,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runAsMain(runIndexCustomers);
