import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '#shared/config/config.js';
import { ThreadlineError, ValidationError } from '#shared/errors.js';
import { isBackfillName, markBackfillsDone } from '#shared/store/backfill-marks.js';
import type { DocumentStore, DynamoDb } from '#shared/store/dynamo-client.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import type { Scanner } from '#shared/store/thread-link-notes.js';
import { startLocalDynamo } from './dynamo.js';
import { requireThreadlineData, runningRuntime } from './runtime-lock.js';

/**
 * The usage text of an upgrade command: how to call `npm run <name>`, what it is for (`about`), then the
 * options every one of them takes; `limit` says what `--limit` counts.
 */
export function scanCommandUsage(
  name: string,
  about: string,
  limit = 'items the Scan reads per page',
): string {
  return `Usage: npm run ${name} -- (--table <name> | --local) [options]

${about}
  --table <name>  on AWS: the table (the stateful stack's TableName output); AWS credentials and
                  region from the environment, as for the AWS CLI
  --local         the local runtime's table under DATA_DIR (default .data); stop npm start first
  --from <cursor> carry on from the cursor a stopped run printed
  --limit <n>     ${limit} (default 1000)
  --dry-run       with --table: read as a run does, write nothing, and count the writes a run would send
  --help          this text`;
}

/** What an upgrade command needs from outside: a DynamoDB client for AWS, the local data folder, its output. */
export interface ScanCommandDeps {
  dynamo: () => DynamoDBClient;
  dataDir: string;
  write: (line: string) => void;
}

/** What one page of an upgrade's Scan did: its counts, and where the next page starts (none: done). */
export type ScanPageDone = { pages: number; cursor?: string | undefined } & Record<string, unknown>;

/** An upgrade command that reads the table once, a page at a time: `npm run <name> -- <args>`. */
export interface ScanCommand<T extends ScanPageDone> {
  /** What follows `npm run `: `index-customers`. */
  name: string;
  usage: string;
  /** One page from `from`. */
  page: (
    db: DynamoDb,
    scan: Scanner,
    options: { from?: string | undefined; limit: number; pages: 1 },
  ) => Promise<T>;
  /** The counts of the pages so far, with this page's added. */
  add: (totals: T | undefined, page: T) => T;
  /** What a page's line says of the counts so far. */
  progress: (totals: T) => string;
  /** The last line. */
  summary: (totals: T) => string;
}

/**
 * Runs an upgrade command on AWS (`--table`) or the local runtime's table (`--local`), or writes its
 * usage (`--help`); ValidationError on bad arguments.
 */
export async function runScanCommand<T extends ScanPageDone>(
  args: readonly string[],
  deps: ScanCommandDeps,
  command: ScanCommand<T>,
): Promise<void> {
  const values = parse(args, command.usage);
  if (values.help) {
    deps.write(command.usage);
    return;
  }
  if (Boolean(values.local) === (values.table !== undefined)) {
    throw new ValidationError(`give either --table or --local\n\n${command.usage}`);
  }
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('--limit is a whole number above 0');
  if (values['dry-run'] && values.local) {
    throw new ValidationError(
      '--dry-run reads the table on AWS only (--table): the local table is yours to copy',
    );
  }
  if (values.local) {
    requireThreadlineData(deps.dataDir, `${command.name} -- --local`);
    const pid = runningRuntime(deps.dataDir);
    if (pid !== undefined) {
      throw new ValidationError(
        `Threadline is running on ${deps.dataDir} (process ${pid}): stop npm start first`,
      );
    }
    const tableName = loadConfig().TABLE_NAME;
    const local = await startLocalDynamo({ tableName, path: join(deps.dataDir, 'dynamodb') });
    try {
      await saying(
        tableName,
        run(local.client, tableName, { from: values.from, limit, dryRun: false }, deps.write, command),
      );
      // npm start reads the marks to say which upgrade commands this data still needs.
      if (isBackfillName(command.name)) {
        await markBackfillsDone(
          { doc: documentClient(local.client), table: tableName },
          [command.name],
          new Date(),
        );
      }
    } finally {
      await local.close();
    }
    return;
  }
  const table = values.table as string;
  const options = { from: values.from, limit, dryRun: values['dry-run'] === true };
  await saying(table, run(deps.dynamo(), table, options, deps.write, command));
}

/** An upgrade command's failure, its message the line it prints: the cause chain and the table. */
export class ScanCommandFailure extends Error {
  override name = 'ScanCommandFailure';
}

/**
 * Waits for a run; a failure other than bad arguments becomes ScanCommandFailure saying why and of
 * which table (`DynamoDB Scan failed: ResourceNotFoundException: Requested resource not found (table T)`),
 * so a mistyped table, missing region or credentials, or AccessDenied no longer all read
 * `DynamoDB Scan failed`.
 */
async function saying(table: string, running: Promise<void>): Promise<void> {
  try {
    await running;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ScanCommandFailure(`${failureChain(error)} (table ${table})`, { cause: error });
  }
}

/**
 * A failure and its causes on one line, outermost first, each `name: message` (our own errors and
 * plain Errors by their message alone; a message that is empty, as a network AggregateError's, by its
 * code). Only the errors' own messages: never a stack, a request or a credential. At most 5 deep.
 */
export function failureChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const { code } = current as { code?: unknown };
    const text = current.message || (typeof code === 'string' ? code : 'no message');
    const plain = current instanceof ThreadlineError || current.name === 'Error';
    parts.push(plain ? text : `${current.name}: ${text}`);
    current = current.cause;
  }
  return parts.join(': ');
}

/** Page by page, saying after each where a stopped run carries on. */
async function run<T extends ScanPageDone>(
  client: DynamoDBClient,
  table: string,
  options: { from: string | undefined; limit: number; dryRun: boolean },
  write: (line: string) => void,
  command: ScanCommand<T>,
): Promise<void> {
  const doc = documentClient(client);
  const writes = { PutItem: 0, UpdateItem: 0, DeleteItem: 0 };
  const db = { doc: options.dryRun ? countingWrites(doc, writes) : doc, table };
  let totals: T | undefined;
  let cursor = options.from;
  do {
    const done = await command.page(db, (input) => doc.scan(input), {
      from: cursor,
      limit: options.limit,
      pages: 1,
    });
    totals = command.add(totals, done);
    cursor = done.cursor;
    const resume = cursor ? `; to resume: --from ${cursor}` : '';
    write(`page ${totals.pages}: ${command.progress(totals)}${resume}`);
  } while (cursor);
  if (!options.dryRun) {
    write(command.summary(totals));
    return;
  }
  write(
    `Dry run: nothing written. A run would send ${writes.PutItem} PutItem, ${writes.UpdateItem} UpdateItem ` +
      `and ${writes.DeleteItem} DeleteItem (at most: a conditional one may find nothing to do).`,
  );
}

/**
 * `doc` for a dry run: reads go to the table, each write is counted and answered as done (no attributes),
 * never sent. What follows a write may differ from a run (a read after it finds the item as it was).
 */
function countingWrites(
  doc: DocumentStore,
  writes: Record<'PutItem' | 'UpdateItem' | 'DeleteItem', number>,
): DocumentStore {
  return {
    get: (input) => doc.get(input),
    query: (input) => doc.query(input),
    batchGet: (input) => doc.batchGet(input),
    put: async () => {
      writes.PutItem += 1;
      return {};
    },
    update: async () => {
      writes.UpdateItem += 1;
      return {};
    },
    delete: async () => {
      writes.DeleteItem += 1;
      return {};
    },
  };
}

function parse(args: readonly string[], usage: string) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        local: { type: 'boolean' },
        table: { type: 'string' },
        from: { type: 'string' },
        limit: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${message}\n\n${usage}`);
  }
}

/** Runs a command's `run` as the process's main (its errors as a line and exit code 1). */
export function runAsMain(
  runCommand: (args: readonly string[], deps: ScanCommandDeps) => Promise<void>,
): void {
  runCommand(process.argv.slice(2), {
    dynamo: () => new DynamoDBClient({}),
    dataDir: loadConfig().DATA_DIR,
    write: (line) => process.stdout.write(`${line}\n`),
  }).catch((error: unknown) => {
    const known = error instanceof ValidationError || error instanceof ScanCommandFailure;
    process.stderr.write(`${known ? error.message : failureChain(error)}\n`);
    process.exit(1);
  });
}
