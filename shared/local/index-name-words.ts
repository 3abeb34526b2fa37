import { pathToFileURL } from 'node:url';
import { indexNameWords, type NameWordBackfill } from '#shared/store/name-word-backfill.js';
import { runAsMain, runScanCommand, type ScanCommandDeps } from './scan-command.js';

export const indexNameWordsUsage = `Usage: npm run index-name-words -- (--table <name> | --local) [options]

Once, after upgrading to the version whose search finds a customer by any word of their name: writes
the word entries of every customer named before it (they are found by the start of their whole name
until then), and moves a name with Arabic letters this version folds (أ إ آ ٱ, ة, ى) to where the
search now looks for it. Reads the whole table once; safe to run again or to stop and resume.
  --table <name>  on AWS: the table (the stateful stack's TableName output); AWS credentials and
                  region from the environment, as for the AWS CLI
  --local         the local runtime's table under DATA_DIR (default .data); stop npm start first
  --from <cursor> carry on from the cursor a stopped run printed
  --limit <n>     items the Scan reads per page (default 1000)`;

/** Runs `npm run index-name-words -- <args>`; throws ValidationError on bad arguments. */
export function runIndexNameWords(args: readonly string[], deps: ScanCommandDeps): Promise<void> {
  return runScanCommand<NameWordBackfill>(args, deps, {
    usage: indexNameWordsUsage,
    page: indexNameWords,
    add: (totals, page) => ({
      indexed: (totals?.indexed ?? 0) + page.indexed,
      refolded: (totals?.refolded ?? 0) + page.refolded,
      pages: (totals?.pages ?? 0) + page.pages,
    }),
    progress: (totals) => `${totals.indexed} customer(s) indexed, ${totals.refolded} refolded`,
    summary: (totals) =>
      `Done: the words of ${totals.indexed} customer(s) indexed, ${totals.refolded} name(s) refolded.`,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runAsMain(runIndexNameWords);
