import { pathToFileURL } from 'node:url';
import { indexNameWords, type NameWordBackfill } from '#shared/store/name-word-backfill.js';
import { runAsMain, runScanCommand, type ScanCommandDeps, scanCommandUsage } from './scan-command.js';

export const indexNameWordsUsage = scanCommandUsage(
  'index-name-words',
  `Once after each upgrade that changes how names are folded for search (search by any word of the
name; Arabic letters أ إ آ ٱ, ة, ى; the wider folding of ı ß ł đ ø æ œ þ, Persian ک ی and unseen
characters): writes the word entries of every customer named before it, and moves a name whose
folding changed to where the search now looks for it. Reads the whole table once; safe to run again
or to stop and resume.`,
);

/** Runs `npm run index-name-words -- <args>`; throws ValidationError on bad arguments. */
export function runIndexNameWords(args: readonly string[], deps: ScanCommandDeps): Promise<void> {
  return runScanCommand<NameWordBackfill>(args, deps, {
    name: 'index-name-words',
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
