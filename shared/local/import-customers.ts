import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ImportAnswer } from '../domain/customer-import.js';
import { IMPORT_BATCH } from '../domain/customer-import.js';

/** Posts one batch to `POST /api/customers/import`: the status and the parsed body. */
export type PostBatch = (customers: unknown[]) => Promise<{ status: number; body: unknown }>;

/** What a file's import came to: counts by outcome, the lines not imported, and where it stopped, if it did. */
export interface FileImport {
  counts: Record<string, number>;
  problems: string[];
  stoppedAt?: number;
}

/** The file's records, one JSON object a line (blank lines skipped), with their line numbers; a bad line is a problem. */
function readLines(text: string, problems: string[]): Array<{ line: number; record: unknown }> {
  const records: Array<{ line: number; record: unknown }> = [];
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    try {
      records.push({ line: i + 1, record: JSON.parse(raw) });
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
    }
  }
  return records;
}

/**
 * Imports a JSON-lines file in batches of `batch` records, one call at a time. A call answered other
 * than 200 stops the import at its first line (`stoppedAt`): running the whole file again is safe,
 * the records imported answer `existing` and nothing is written twice.
 */
export async function importFile(text: string, post: PostBatch, batch = IMPORT_BATCH): Promise<FileImport> {
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  const records = readLines(text, problems);
  for (let i = 0; i < records.length; i += batch) {
    const part = records.slice(i, i + batch);
    const answer = await post(part.map((r) => r.record));
    if (answer.status !== 200) {
      problems.push(`line ${part[0]?.line}: the API answered ${answer.status}; stopped here`);
      return { counts, problems, stoppedAt: part[0]?.line ?? 0 };
    }
    const results = (answer.body as { results: ImportAnswer[] }).results;
    for (const [j, result] of results.entries()) {
      counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
      if (result.outcome === 'invalid' || result.outcome === 'conflict') {
        const why = result.detail ?? result.reason ?? '';
        problems.push(`line ${part[j]?.line}: ${result.outcome} ${why}`.trim());
      }
    }
  }
  return { counts, problems };
}

const usage = `usage: npm run import-customers -- <file.jsonl>
  one customer a line: {"externalId": "...", "name": "...", "phones": [...], "emails": [...], "whatsapp": [...], "tags": [...]}
  THREADLINE_API_URL    the agent API's origin (default http://localhost:$PORT, PORT 3000)
  THREADLINE_ADMIN_TOKEN an admin's bearer token`;

/** Reads the file and posts it to the running API with the admin token from the environment. */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const file = argv[0];
  const token = env.THREADLINE_ADMIN_TOKEN;
  if (!file || argv.length > 1 || !token) {
    console.error(usage);
    return 2;
  }
  const origin = env.THREADLINE_API_URL ?? `http://localhost:${env.PORT ?? '3000'}`;
  const post: PostBatch = async (customers) => {
    const res = await fetch(`${origin}/api/customers/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customers }),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const done = await importFile(readFileSync(file, 'utf8'), post);
  for (const line of done.problems) console.error(`${file}: ${line}`);
  console.log(`${file}: ${JSON.stringify(done.counts)}`);
  return done.stoppedAt === undefined ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
