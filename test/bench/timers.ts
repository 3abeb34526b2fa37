import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTimer } from '#shared/domain/timer-ports.js';
import { LocalQueue } from '#shared/local/queue.js';
import { realTimers } from '#shared/local/timers.js';
import { LocalTimerStore } from '#shared/local/timers-store.js';
import { createTimersConsumer } from '#shared/queue/timers-consumer.js';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * Local lateness: `n` timers due over the next 5 seconds, kept on disk (fsync'd files) by the local
 * timer store, fired onto a local queue and drained by the same consumer as the timers function; the
 * lateness of each is the time its consumer saw it minus its due time.
 */
export async function timerLatenessFigures(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-timers-'));
  const queue = new LocalQueue({ name: 'bench-timers' });
  const store = new LocalTimerStore({ dir, timers: realTimers, queue });
  const lateness: number[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  queue.start(
    createTimersConsumer(async (timer) => {
      lateness.push(Date.now() - Date.parse(timer.dueAt));
      if (lateness.length === n) done();
    }),
  );
  store.start();
  const start = Date.now() + 500;
  for (let i = 0; i < n; i++) {
    const dueAt = new Date(start + Math.floor((i * 5_000) / n)).toISOString();
    await store.schedule(newTimer({ kind: 'snooze_wake', subject: `cv_${i}`, version: dueAt, dueAt }));
  }
  await all;
  store.stop();
  await queue.stop();
  rmSync(dir, { recursive: true, force: true });
  lateness.sort((a, b) => a - b);
  const [p50, p99, max] = [percentile(lateness, 50), percentile(lateness, 99), lateness.at(-1)];
  console.log(
    `local timers, ${n} due over 5 s, on disk: lateness p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`,
  );
}

/** us-east-1 list prices (USD), December 2026. */
const PRICE = {
  schedulerInvocation: 1.0 / 1e6,
  sqsRequest: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  dynamoRead: 0.125 / 1e6,
  dynamoWrite: 0.625 / 1e6,
};

/** What one conversation costs the clock on AWS, for a typical and a neglected conversation. */
export function timerCostFigures(): void {
  // The example policy's "chat" target: first response 15 min, next 30 min, resolution 1 day.
  const scenarios = [
    {
      name: 'answered: 2 exchanges, resolved',
      schedulerInvocations: 0, // the resolution timers are cancelled (DeleteSchedule costs nothing) at each reply
      sqsTimers: 4, // first- and next-response warnings and breaches: delayed messages, fired stale
      reads: 4 + 6, // one GetItem per fired timer; the conversation (and once the customer) per event
      writes: 5 * 2, // the SLA on the conversation at 5 events, 2 WRU each (an item of 1-2 KB)
    },
    {
      name: 'neglected: nobody answers for a day',
      schedulerInvocations: 2, // the resolution warning and breach
      sqsTimers: 2 + 2,
      reads: 4 + 2,
      writes: 2 * 2 + 3 * 2, // two breaches, and their actions (priority, queue and its event)
    },
  ];
  console.log('| conversation | Scheduler | SQS | Lambda | DynamoDB | total | per million conversations |');
  console.log('|---|---|---|---|---|---|---|');
  for (const s of scenarios) {
    const fired = s.sqsTimers + s.schedulerInvocations;
    const scheduler = s.schedulerInvocations * PRICE.schedulerInvocation;
    // Each timer: SendMessage (by us or by Scheduler), and Lambda's receive and delete.
    const sqs = fired * 3 * PRICE.sqsRequest;
    // Each fired timer one invocation in the worst case (no batching), 512 MB for 50 ms.
    const lambda = fired * (PRICE.lambdaRequest + 0.5 * 0.05 * PRICE.lambdaGbSecondArm);
    const dynamo = s.reads * 0.5 * PRICE.dynamoRead + s.writes * PRICE.dynamoWrite;
    const total = scheduler + sqs + lambda + dynamo;
    const usd = (v: number) => `$${v.toFixed(7)}`;
    console.log(
      `| ${s.name} | ${usd(scheduler)} | ${usd(sqs)} | ${usd(lambda)} | ${usd(dynamo)} | ${usd(total)} | $${(total * 1e6).toFixed(2)} |`,
    );
  }
}
