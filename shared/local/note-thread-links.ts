import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '#shared/config/config.js';
import { ValidationError } from '#shared/errors.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { noteThreadLinks } from '#shared/store/thread-link-notes.js';
import { startLocalDynamo } from './dynamo.js';
import { runningRuntime } from './runtime-lock.js';

export const noteThreadLinksUsage = `Usage: npm run note-thread-links -- (--table <name> | --local) [options]

Once, after upgrading to the version whose erasure deletes noted thread links: notes each email
thread link under the customer it names, so that customer's erasure deletes it (links of replies
sent before replies kept their Message-ID have nothing else to find them by), and deletes the links
of customers already erased. Reads the whole table once; safe to run again or to stop and resume.
  --table <name>  on AWS: the table (the stateful stack's TableName output); AWS credentials and
                  region from the environment, as for the AWS CLI
  --local         the local runtime's table under DATA_DIR (default .data); stop npm start first
  --from <cursor> carry on from the cursor a stopped run printed
  --limit <n>     items the Scan reads per page (default 1000)`;

/** What the command needs from outside: a DynamoDB client for AWS, the local data folder, its output. */
export interface NoteThreadLinksDeps {
  dynamo: () => DynamoDBClient;
  dataDir: string;
  write: (line: string) => void;
}

/** Runs `npm run note-thread-links -- <args>`; throws ValidationError on bad arguments. */
export async function runNoteThreadLinks(args: readonly string[], deps: NoteThreadLinksDeps): Promise<void> {
  const values = parse(args);
  if (Boolean(values.local) === (values.table !== undefined)) {
    throw new ValidationError(`give either --table or --local\n\n${noteThreadLinksUsage}`);
  }
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('--limit is a whole number above 0');
  if (values.local) {
    const pid = runningRuntime(deps.dataDir);
    if (pid !== undefined) {
      throw new ValidationError(
        `Threadline is running on ${deps.dataDir} (process ${pid}): stop npm start first`,
      );
    }
    const tableName = loadConfig().TABLE_NAME;
    const local = await startLocalDynamo({ tableName, path: join(deps.dataDir, 'dynamodb') });
    try {
      await run(local.client, tableName, values.from, limit, deps.write);
    } finally {
      await local.close();
    }
    return;
  }
  await run(deps.dynamo(), values.table as string, values.from, limit, deps.write);
}

/** Page by page, saying after each where a stopped run carries on. */
async function run(
  client: DynamoDBClient,
  table: string,
  from: string | undefined,
  limit: number,
  write: (line: string) => void,
): Promise<void> {
  const doc = documentClient(client);
  const db = { doc, table };
  const totals = { noted: 0, deleted: 0, pages: 0 };
  let cursor = from;
  do {
    const done = await noteThreadLinks(db, (input) => doc.scan(input), { from: cursor, limit, pages: 1 });
    totals.noted += done.noted;
    totals.deleted += done.deleted;
    totals.pages += done.pages;
    cursor = done.cursor;
    const resume = cursor ? `; to resume: --from ${cursor}` : '';
    write(`page ${totals.pages}: ${totals.noted} link(s) noted, ${totals.deleted} deleted${resume}`);
  } while (cursor);
  write(`Done: ${totals.noted} thread link(s) noted, ${totals.deleted} of erased customers deleted.`);
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        local: { type: 'boolean' },
        table: { type: 'string' },
        from: { type: 'string' },
        limit: { type: 'string' },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${message}\n\n${noteThreadLinksUsage}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runNoteThreadLinks(process.argv.slice(2), {
    dynamo: () => new DynamoDBClient({}),
    dataDir: loadConfig().DATA_DIR,
    write: (line) => process.stdout.write(`${line}\n`),
  }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof ValidationError ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
