import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LocalChangeFeed } from '#shared/local/change-feed.js';
import { ChangeJournal } from '#shared/local/change-journal.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { documentClient } from '#shared/store/sdk-documents.js';

const TABLE = 'bench-feed';
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * One run: `writes` Puts through the feed (a consumer taking every record), `parallel` at a time on
 * distinct items, with the journal on disk or without it; answers each write's time and the total.
 */
async function run(writes: number, parallel: number, journal: boolean) {
  const dynamo = await startLocalDynamo({ tableName: TABLE });
  const dir = mkdtempSync(join(tmpdir(), 'bench-feed-'));
  const feed = new LocalChangeFeed(dynamo.endpoint, TABLE, journal ? { dir } : {});
  feed.subscribe(async () => ({}), 'bench');
  const doc = documentClient(feed.capture(dynamo.client));
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < writes; i += parallel) {
    await Promise.all(
      Array.from({ length: Math.min(parallel, writes - i) }, async (_, j) => {
        const t = performance.now();
        await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: `P#${j}`, sk: 'S', n: i + j } }));
        times.push(performance.now() - t);
      }),
    );
  }
  const total = performance.now() - started;
  await feed.idle();
  await feed.close();
  await dynamo.close();
  rmSync(dir, { recursive: true, force: true });
  return { times: times.sort((a, b) => a - b), total };
}

/**
 * What the journal costs a write: the same Puts through the feed without it (in memory, as before) and
 * with it (an fsync'd announcement before each write, shared by the writes in flight at once). Three
 * rounds of each, alternating, and the median round: a busy machine moves a single run by half.
 */
export async function changeFeedFigures(writes: number): Promise<void> {
  await run(200, 1, true);
  await announceFigures(writes);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  for (const parallel of [1, 16]) {
    const rounds = {
      memory: [] as { p50: number; rate: number }[],
      journal: [] as { p50: number; rate: number }[],
    };
    for (let round = 0; round < 3; round++) {
      for (const journal of [false, true]) {
        const { times, total } = await run(writes, parallel, journal);
        rounds[journal ? 'journal' : 'memory'].push({
          p50: percentile(times, 50),
          rate: (writes / total) * 1000,
        });
      }
    }
    for (const [name, figures] of Object.entries(rounds)) {
      console.log(
        `  ${parallel === 1 ? 'one at a time' : `${parallel} at a time`}, ${name === 'journal' ? 'journal on disk' : 'in memory'}: ` +
          `p50 ${median(figures.map((f) => f.p50)).toFixed(2)} ms a write, ` +
          `${Math.round(median(figures.map((f) => f.rate))).toLocaleString('en-US')} writes/s (median of 3 rounds)`,
      );
    }
  }
}

/** The journal's part alone: `n` announcements one after the other, each an append and an fsync. */
async function announceFigures(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-journal-'));
  const journal = new ChangeJournal(dir);
  const key = { pk: { S: 'P#1' }, sk: { S: 'S' } };
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const intent = await journal.announce([key], [{ ...key, n: { N: String(i) } }]);
    times.push(performance.now() - t);
    journal.complete(intent, []);
  }
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  console.log(
    `  the announcement alone (append + fsync): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
  );
}
