import { pathToFileURL } from 'node:url';
import { noteThreadLinks, type ThreadLinkNotes } from '#shared/store/thread-link-notes.js';
import { runAsMain, runScanCommand, type ScanCommandDeps, scanCommandUsage } from './scan-command.js';

export const noteThreadLinksUsage = scanCommandUsage(
  'note-thread-links',
  `Once, after upgrading to the version whose erasure deletes noted thread links: notes each email
thread link under the customer it names, so that customer's erasure deletes it (links of replies
sent before replies kept their Message-ID have nothing else to find them by), and deletes the links
of customers already erased. Reads the whole table once; safe to run again or to stop and resume.`,
);

/** What the command needs from outside: a DynamoDB client for AWS, the local data folder, its output. */
export type NoteThreadLinksDeps = ScanCommandDeps;

/** Runs `npm run note-thread-links -- <args>`; throws ValidationError on bad arguments. */
export function runNoteThreadLinks(args: readonly string[], deps: NoteThreadLinksDeps): Promise<void> {
  return runScanCommand<ThreadLinkNotes>(args, deps, {
    name: 'note-thread-links',
    usage: noteThreadLinksUsage,
    page: noteThreadLinks,
    add: (totals, page) => ({
      noted: (totals?.noted ?? 0) + page.noted,
      deleted: (totals?.deleted ?? 0) + page.deleted,
      pages: (totals?.pages ?? 0) + page.pages,
    }),
    progress: (totals) => `${totals.noted} link(s) noted, ${totals.deleted} deleted`,
    summary: (totals) =>
      `Done: ${totals.noted} thread link(s) noted, ${totals.deleted} of erased customers deleted.`,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runAsMain(runNoteThreadLinks);
