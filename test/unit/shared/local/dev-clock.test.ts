import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '#shared/config/config.js';
import { isoDuration } from '#shared/local/clock-command.js';
import { devClock, devClockApp } from '#shared/local/dev-clock.js';
import { aheadText } from '#shared/local/start-banner.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { importsOf, LAYERS, readSources } from '../../../support/architecture.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

describe('SteppedTimers with a fixed start', () => {
  it('runs what falls due in order, each once and at its own time, with what it schedules on the way', () => {
    const timers = new SteppedTimers({ from: T0 });
    const seen: string[] = [];
    const mark = (name: string) => () => seen.push(`${name}@${timers.now() - T0}`);
    timers.schedule(mark('late'), 300);
    timers.schedule(() => {
      mark('early')();
      timers.schedule(mark('chained'), 50);
    }, 100);
    const cancel = timers.schedule(mark('cancelled'), 200);
    timers.schedule(mark('beyond'), 1_000);
    cancel();

    timers.advance(400);
    expect(seen).toEqual(['early@100', 'chained@150', 'late@300']);
    expect(timers.now()).toBe(T0 + 400);
    timers.advance(400);
    expect(seen).toEqual(['early@100', 'chained@150', 'late@300']);
    timers.advance(200);
    expect(seen).toEqual(['early@100', 'chained@150', 'late@300', 'beyond@1000']);
  });

  it('never moves back: a move of zero or less moves nothing', () => {
    const timers = new SteppedTimers({ from: T0, ahead: 5 });
    timers.advance(-1_000);
    timers.advance(0);
    expect(timers.now()).toBe(T0 + 5);
    expect(timers.ahead).toBe(5);
  });
});

describe('SteppedTimers on the process clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs ahead by every move, and runs what is not yet due on its own at its moved time', () => {
    vi.useFakeTimers({ now: T0 });
    const timers = new SteppedTimers({ ahead: 60_000 });
    expect(timers.now()).toBe(T0 + 60_000);
    const seen: number[] = [];
    timers.schedule(() => seen.push(timers.now() - T0), 3 * 3_600_000);
    timers.schedule(() => seen.push(timers.now() - T0), 10_000);

    timers.advance(2 * 3_600_000);
    expect(seen).toEqual([70_000]);
    expect(timers.ahead).toBe(2 * 3_600_000 + 60_000);
    // Due an hour after the move, not three hours after the schedule.
    vi.advanceTimersByTime(3_600_000 - 1);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([70_000, 3 * 3_600_000 + 60_000]);
  });

  it('waits out a delay longer than setTimeout takes', () => {
    vi.useFakeTimers({ now: T0 });
    const timers = new SteppedTimers();
    const run = vi.fn();
    timers.schedule(run, 30 * 86_400_000);
    vi.advanceTimersByTime(29 * 86_400_000);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(86_400_000);
    expect(run).toHaveBeenCalledOnce();
  });
});

describe('devClock', () => {
  it('starts on the process clock, or as far ahead as clock.json says', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-dev-clock-'));
    expect(devClock(dir).ahead).toBe(0);
    writeFileSync(join(dir, 'clock.json'), '{"aheadMs": 7200000}');
    expect(devClock(dir).ahead).toBe(7_200_000);
  });

  it('refuses a damaged clock.json, naming the file, rather than taking time back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-dev-clock-'));
    for (const text of ['{', '{"aheadMs": -5}', '{"aheadMs": "2h"}', '[]']) {
      writeFileSync(join(dir, 'clock.json'), text);
      expect(() => devClock(dir), text).toThrow(ConfigError);
      expect(() => devClock(dir), text).toThrow(join(dir, 'clock.json'));
    }
  });
});

describe('POST /local/clock/advance', () => {
  const admin = { agentId: 'lead', admin: true };
  /** The routes over durable timers due at `dues` (ms from T0) that each step fires, settling in between. */
  const routes = (dues: number[], dataDir?: string) => {
    const timers = new SteppedTimers({ from: T0 });
    const pending = new Set(dues.map((due) => T0 + due));
    const handled: string[] = [];
    for (const at of pending) {
      timers.schedule(() => pending.delete(at), at - T0);
    }
    const app = devClockApp({
      timers,
      dataDir,
      authenticate: async (token) => (token === 'lead-token' ? admin : undefined),
      nextDue: () => (pending.size ? Math.min(...pending) : undefined),
      settle: async () => {
        handled.push(`settled@${timers.now() - T0}`);
      },
    });
    const advance = (by: string) =>
      app.request('/local/clock/advance', {
        method: 'POST',
        headers: { authorization: 'Bearer lead-token', 'content-type': 'application/json' },
        body: JSON.stringify({ by }),
      });
    return { timers, handled, advance };
  };

  it('steps to each due time and lets the runtime handle it before the next, then moves the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-dev-clock-'));
    const { timers, handled, advance } = routes([600_000, 3_600_000, 3_600_000, 9_000_000], dir);
    const answer = await advance('PT2H');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      now: new Date(T0 + 7_200_000).toISOString(),
      aheadMs: 7_200_000,
      settled: true,
    });
    expect(handled).toEqual(['settled@600000', 'settled@3600000', 'settled@7200000']);
    expect(timers.now()).toBe(T0 + 7_200_000);
    expect(devClock(dir).ahead).toBe(7_200_000);
  });

  it('does not wait on a timer that stays due', async () => {
    const { handled, advance } = routes([]);
    const stuck = routes([60_000]);
    // A timer the store keeps (its queue refused it): the step is made once, then the rest at once.
    const never = devClockApp({
      timers: stuck.timers,
      dataDir: undefined,
      authenticate: async () => admin,
      nextDue: () => T0 + 60_000,
      settle: async () => {
        stuck.handled.push(`settled@${stuck.timers.now() - T0}`);
      },
    });
    const answer = await never.request('/local/clock/advance', {
      method: 'POST',
      headers: { authorization: 'Bearer x' },
      body: '{"by":"PT1H"}',
    });
    expect(answer.status).toBe(200);
    expect(stuck.handled).toEqual(['settled@60000', 'settled@3600000']);
    expect((await advance('PT1M')).status).toBe(200);
    expect(handled).toEqual(['settled@60000']);
  });
});

describe('npm run clock durations', () => {
  it('reads 2h, 90m, 1d, 1w, 30s and ISO 8601; nothing else', () => {
    expect(['2h', '90m', '1d', '1w', '30s', 'PT2H', 'p1d'].map(isoDuration)).toEqual([
      'PT2H',
      'PT90M',
      'P1D',
      'P1W',
      'PT30S',
      'PT2H',
      'P1D',
    ]);
    for (const text of ['-2h', '0h', '2 h', 'yesterday', '', 'PT0S', `${'9'.repeat(7)}h`]) {
      expect(isoDuration(text), text).toBeUndefined();
    }
    expect([0, 59_000, 7_200_000, 90_061_000].map(aheadText)).toEqual(['0s', '59s', '2h', '1d 1h 1m 1s']);
  });
});

describe('the clock routes stay local', () => {
  it('only the local runtime imports them: no Lambda function, handler or stack, directly or not', () => {
    const sources = readSources();
    const importers = new Map<string, string[]>();
    for (const { path, text } of sources) {
      for (const { target } of importsOf(path, text)) {
        if (target) importers.set(target, [...(importers.get(target) ?? []), path]);
      }
    }
    const reach = new Set<string>();
    const walk = (file: string) => {
      for (const importer of importers.get(file) ?? []) {
        if (!reach.has(importer)) {
          reach.add(importer);
          walk(importer);
        }
      }
    };
    walk('shared/local/dev-clock.ts');
    expect(reach.size).toBeGreaterThan(0);
    expect([...reach].filter((path) => !path.startsWith('shared/local/'))).toEqual([]);
    const mayImportLocal = LAYERS.filter((layer) => layer.may.includes('local')).map((l) => l.name);
    expect(mayImportLocal).toEqual([]);
  }, 60_000);
});
