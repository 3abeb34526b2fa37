import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallError } from '../../../../functions/webchat/widget/api.js';
import { createOutbox, SEND_ATTEMPTS, type Unsent } from '../../../../functions/webchat/widget/outbox.js';

const KEY = 'threadline-chat:anonymous:outbox';

let storage: ReturnType<typeof memoryStorage>;
/** Every try of every outbox (every tab) on this storage, in the order they were made: their texts. */
let posted: string[];

/** The site's localStorage as the browser has it (one for all its tabs), in memory. */
function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

const refused = (status?: number, retryAfter?: number): CallError =>
  Object.assign(new Error('refused'), {
    ...(status ? { status } : {}),
    ...(retryAfter ? { retryAfter } : {}),
  });

/**
 * An outbox whose sends answer from `answers` in turn (then succeed), with every try's time; `network`
 * is the browser's online state, which a test turns off and on.
 */
function outbox(
  answers: (CallError | undefined)[],
  network = { offline: false },
  exclusive?: (run: () => Promise<void>) => Promise<void>,
) {
  const tries: { at: number; id: string }[] = [];
  const sent: string[] = [];
  let items: readonly Unsent[] = [];
  let unauthorized = 0;
  const box = createOutbox(KEY, {
    storage,
    post: async (u) => {
      tries.push({ at: Date.now(), id: u.clientMessageId });
      posted.push(u.text);
      const answer = answers.shift();
      if (answer) throw answer;
      return { id: `webchat:v.${u.clientMessageId}`, at: new Date().toISOString() };
    },
    sent: (u) => sent.push(u.text),
    unauthorized: () => unauthorized++,
    changed: (now) => {
      items = now;
    },
    offline: () => network.offline,
    ...(exclusive ? { exclusive } : {}),
  });
  return { box, tries, sent, items: () => items, unauthorized: () => unauthorized };
}

describe('the widget’s outbox', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    storage = memoryStorage();
    posted = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a network failure after 1, 2, 4, 8 and 16 s under one clientMessageId, then says failed', async () => {
    const o = outbox(Array.from({ length: 10 }, () => refused()));
    o.box.ready(true);
    o.box.add('hello');
    await vi.runAllTimersAsync();
    expect(o.tries.map((t) => t.at)).toEqual([0, 1000, 3000, 7000, 15_000, 31_000]);
    expect(o.tries).toHaveLength(SEND_ATTEMPTS);
    expect(new Set(o.tries.map((t) => t.id)).size).toBe(1);
    expect(o.items().map((u) => [u.text, u.state])).toEqual([['hello', 'failed']]);
    expect(JSON.parse(storage.getItem(KEY) ?? '[]')).toMatchObject([{ text: 'hello' }]);
    o.box.retry(o.items()[0]?.clientMessageId ?? '');
    await vi.runAllTimersAsync();
    expect(o.sent).toEqual(['hello']);
    expect(storage.getItem(KEY)).toBeNull();
  });

  it('counts no try while the browser is offline: the message waits, never "failed", and goes once on resume', async () => {
    const network = { offline: false };
    // The first try fails as the connection drops (the browser says offline as it fails).
    const o = outbox([], network);
    o.box.ready(true);
    network.offline = true;
    o.box.add('in the tunnel');
    o.box.add('behind it');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(o.tries).toEqual([]);
    expect(o.items().map((u) => [u.text, u.state, u.attempts])).toEqual([
      ['in the tunnel', 'queued', 0],
      ['behind it', 'queued', 0],
    ]);
    network.offline = false;
    o.box.resume();
    await vi.runAllTimersAsync();
    expect(o.sent).toEqual(['in the tunnel', 'behind it']);
    expect(o.tries).toHaveLength(2);
  });

  it('does not count a try that failed as the browser went offline, nor retry it until resume', async () => {
    const network = { offline: false };
    const o = outbox(
      Array.from({ length: 10 }, () => refused()),
      network,
    );
    o.box.ready(true);
    o.box.add('one');
    await vi.advanceTimersByTimeAsync(0);
    expect(o.items().map((u) => [u.state, u.attempts])).toEqual([['waiting', 1]]);
    network.offline = true;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    // The retry's timer fired offline: no try, still not failed.
    expect(o.tries).toHaveLength(1);
    expect(o.items().map((u) => u.state)).toEqual(['queued']);
    network.offline = false;
    o.box.resume();
    await vi.runAllTimersAsync();
    // The try made online counts; none while offline: five more from the resume, then failed.
    expect(o.tries).toHaveLength(SEND_ATTEMPTS);
    expect(o.items().map((u) => u.state)).toEqual(['failed']);
  });

  it('waits for Retry-After on a 429, retries a 503, and does not retry a 400', async () => {
    const o = outbox([refused(429, 7), refused(503)]);
    o.box.ready(true);
    o.box.add('one');
    await vi.runAllTimersAsync();
    expect(o.tries.map((t) => t.at)).toEqual([0, 7000, 9000]);
    const bad = outbox([refused(400)]);
    bad.box.ready(true);
    bad.box.add('two');
    await vi.runAllTimersAsync();
    expect(bad.tries).toHaveLength(1);
    expect(bad.items()[0]?.state).toBe('failed');
  });

  it('sends in order, holds the rest while the first waits, and waits for a new session after a 401', async () => {
    const o = outbox([refused(503), refused(401)]);
    o.box.ready(true);
    o.box.add('first');
    o.box.add('second');
    await vi.advanceTimersByTimeAsync(500);
    expect(o.tries).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(o.unauthorized()).toBe(1);
    expect(o.items().map((u) => u.state)).toEqual(['queued', 'queued']);
    o.box.ready(true);
    await vi.runAllTimersAsync();
    expect(o.sent).toEqual(['first', 'second']);
  });

  it('goes on to the next message when one fails for good (a 413, or the last try of a 503 burst)', async () => {
    const o = outbox([refused(413)]);
    o.box.ready(true);
    o.box.add('too long');
    o.box.add('after it');
    await vi.runAllTimersAsync();
    expect(o.sent).toEqual(['after it']);
    expect(o.items().map((u) => [u.text, u.state])).toEqual([['too long', 'failed']]);
    storage = memoryStorage();
    const burst = outbox(Array.from({ length: SEND_ATTEMPTS }, () => refused(503)));
    burst.box.ready(true);
    burst.box.add('first');
    burst.box.add('second');
    await vi.runAllTimersAsync();
    expect(burst.sent).toEqual(['second']);
    expect(burst.tries).toHaveLength(SEND_ATTEMPTS + 1);
  });

  it('keeps unsent messages for the next page load, and drops one Threadline already has', async () => {
    const o = outbox([refused()]);
    o.box.add('kept');
    const [kept] = o.items();
    const again = outbox([]);
    expect(again.items()).toHaveLength(0);
    expect(again.box.items().map((u) => u.text)).toEqual(['kept']);
    again.box.confirm([`webchat:abc.${kept?.clientMessageId}`]);
    again.box.ready(true);
    await vi.runAllTimersAsync();
    expect(again.tries).toHaveLength(0);
  });

  it("keeps what two tabs of the site write in the one storage: neither tab's write drops the other's unsent message", async () => {
    const a = outbox([]);
    const b = outbox([]);
    a.box.add('from tab A');
    b.box.add('from tab B');
    const kept = () => (JSON.parse(storage.getItem(KEY) ?? '[]') as Unsent[]).map((u) => u.text);
    expect(kept()).toEqual(['from tab A', 'from tab B']);
    // Tab B comes back online and sends the kept list in its order, tab A's first (tab A may be closed).
    b.box.ready(true);
    await vi.runAllTimersAsync();
    expect(b.sent).toEqual(['from tab A', 'from tab B']);
    expect(storage.getItem(KEY)).toBeNull();
    // A page opened now (a new tab, the visitor back) finds nothing left to send; tab A sends nothing again.
    const back = outbox([]);
    back.box.ready(true);
    a.box.ready(true);
    await vi.runAllTimersAsync();
    expect([back.sent, a.sent, posted.length]).toEqual([[], [], 2]);
  });

  it('sends what two tabs wrote offline in the order written, one tab at a time, each message once', async () => {
    // The site's one lock (navigator.locks): one holder at a time, the others in the order they asked.
    let held = Promise.resolve();
    const lock = (run: () => Promise<void>) => {
      const turn = held.then(run);
      held = turn.catch(() => {});
      return turn;
    };
    const network = { offline: true };
    const a = outbox([], network, lock);
    const b = outbox([], network, lock);
    a.box.ready(true);
    b.box.ready(true);
    a.box.add('A1 written first');
    a.box.add('A2 written second');
    b.box.add('B1 written third');
    network.offline = false;
    // Back online, both tabs resume at once (B first, as its event may come first).
    b.box.resume();
    a.box.resume();
    await vi.runAllTimersAsync();
    expect(posted).toEqual(['A1 written first', 'A2 written second', 'B1 written third']);
    expect(storage.getItem(KEY)).toBeNull();
  });
});
