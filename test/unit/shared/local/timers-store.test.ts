import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTimer } from '#shared/domain/timer-ports.js';
import { LocalQueue } from '#shared/local/queue.js';
import { realTimers } from '#shared/local/timers.js';
import { LocalTimerStore } from '#shared/local/timers-store.js';
import { ManualTimers } from '../../../support/manual-timers.js';

const timerAt = (at: number, version: string) =>
  newTimer({ kind: 'snooze_wake', subject: 'cv_1', version, dueAt: new Date(at).toISOString() });

describe('LocalTimerStore', () => {
  it('queues each timer at its due time, once, and forgets it', async () => {
    const clock = new ManualTimers();
    const queue = new LocalQueue({ name: 'timers-test' });
    const store = new LocalTimerStore({ timers: clock, queue });
    store.start();
    const timer = timerAt(clock.now() + 60_000, 'a');
    await store.schedule(timer);
    await store.schedule(timer);
    clock.advance(59_999);
    await store.settled();
    expect(queue.messages()).toHaveLength(0);
    clock.advance(1);
    await store.settled();
    expect(queue.messages().map((m) => JSON.parse(m.body))).toEqual([timer]);
    expect(store.size).toBe(0);
  });

  it('keeps timers on disk across a restart, fires the overdue at start, and forgets a cancelled one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timers-'));
    const clock = new ManualTimers();
    const first = new LocalTimerStore({ dir, timers: clock, queue: new LocalQueue({ name: 'timers-a' }) });
    await first.schedule(timerAt(clock.now() + 1_000, 'due-soon'));
    await first.schedule(timerAt(clock.now() + 10 * 86_400_000, 'far'));
    await first.schedule(timerAt(clock.now() + 2_000, 'cancelled'));
    await first.cancel(timerAt(clock.now() + 2_000, 'cancelled').id);
    expect(readdirSync(dir)).toHaveLength(2);

    clock.advance(5_000);
    const queue = new LocalQueue({ name: 'timers-b' });
    const second = new LocalTimerStore({ dir, timers: clock, queue });
    second.start();
    clock.advance(0);
    await second.settled();
    expect(queue.messages().map((m) => JSON.parse(m.body).version)).toEqual(['due-soon']);
    expect(readdirSync(dir)).toHaveLength(1);
    second.stop();
  });

  it('re-arms a timer further away than setTimeout can wait', async () => {
    const clock = new ManualTimers();
    const queue = new LocalQueue({ name: 'timers-c' });
    const store = new LocalTimerStore({ timers: clock, queue });
    store.start();
    await store.schedule(timerAt(clock.now() + 40 * 86_400_000, 'forty-days'));
    clock.advance(30 * 86_400_000);
    await store.settled();
    expect(queue.messages()).toHaveLength(0);
    clock.advance(10 * 86_400_000);
    await store.settled();
    expect(queue.messages()).toHaveLength(1);
  });

  it('queues a timer due now when settled, before its timeout runs, and leaves one not yet due', async () => {
    const clock = new ManualTimers();
    const queue = new LocalQueue({ name: 'timers-d' });
    const store = new LocalTimerStore({ timers: clock, queue });
    store.start();
    await store.schedule(timerAt(clock.now(), 'due-now'));
    await store.schedule(timerAt(clock.now() + 1, 'next-millisecond'));
    await store.settled();
    expect(queue.messages().map((m) => JSON.parse(m.body).version)).toEqual(['due-now']);
    clock.advance(1);
    await store.settled();
    expect(queue.messages()).toHaveLength(2);
  });

  it('queues a timer due now on the process clock without waiting for setTimeout', async () => {
    const queue = new LocalQueue({ name: 'timers-e' });
    const store = new LocalTimerStore({ timers: realTimers, queue });
    store.start();
    await store.schedule(timerAt(Date.now() - 1, 'refill'));
    await store.settled();
    expect(queue.messages()).toHaveLength(1);
    expect(store.size).toBe(0);
    store.stop();
  });

  it('settles in bounded rounds while each timer queued sets another due at once', async () => {
    const clock = new ManualTimers();
    const queue = new LocalQueue({ name: 'timers-f' });
    const store = new LocalTimerStore({ timers: clock, queue });
    let sets = 0;
    queue.start(async () => {
      sets += 1;
      await store.schedule(timerAt(clock.now(), `again-${sets}`));
    });
    store.start();
    await store.schedule(timerAt(clock.now(), 'again-0'));
    await store.settled();
    // Each round queued one and the consumer set the next; after the last round, one is left.
    expect(sets).toBeGreaterThan(1);
    expect(store.size).toBe(1);
    await queue.stop();
    store.stop();
  });

  it('tries a timer whose send failed again a second later, not at once when settled', async () => {
    const clock = new ManualTimers();
    let sends = 0;
    const failing = {
      send: async () => {
        sends += 1;
        throw new Error('disk full');
      },
    } as unknown as LocalQueue;
    const store = new LocalTimerStore({ timers: clock, queue: failing });
    store.start();
    await store.schedule(timerAt(clock.now(), 'unlucky'));
    await store.settled();
    await store.settled();
    expect(sends).toBe(1);
    clock.advance(999);
    await store.settled();
    expect(sends).toBe(1);
    clock.advance(1);
    await store.settled();
    expect([sends, store.size]).toEqual([2, 1]);
  });
});
