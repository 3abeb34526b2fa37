import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTimer } from '#shared/domain/timer-ports.js';
import { LocalQueue } from '#shared/local/queue.js';
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
});
