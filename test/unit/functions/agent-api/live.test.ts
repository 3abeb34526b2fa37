import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../../../functions/agent-api/console/api.js';
import {
  LiveClient,
  type LiveEvent,
  type LiveStatus,
  PING_EVERY_MS,
  PONG_WAIT_MS,
} from '../../../../functions/agent-api/console/live.js';

/** The browser's WebSocket as the console uses it: the test opens each one and speaks for the server. */
class FakeSocket {
  static readonly OPEN = 1;
  static made: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  sent: Array<{ type: string }> = [];
  closeCalls = 0;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  /** A half-open socket's close: nothing comes back (no close event). */
  close(): void {
    this.closeCalls++;
  }
  hear(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  pings(): number {
    return this.sent.filter((f) => f.type === 'ping').length;
  }
}

/** A client with an API whose catch-up answers `missed` once, and what it reported. */
function start(missed: LiveEvent[] = []) {
  const statuses: LiveStatus[] = [];
  const events: LiveEvent[] = [];
  const reads: string[] = [];
  const api = {
    token: 't',
    get: async (path: string) => {
      reads.push(path);
      if (path.startsWith('/api/events')) return { events: missed.splice(0), seq: 20, more: false };
      return {};
    },
  } as unknown as Api;
  const client = new LiveClient('ws://x/api/live', api, {
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    onReload: () => {},
    onRemoved: () => {},
  });
  client.connect();
  const socket = (n: number) => FakeSocket.made[n] as FakeSocket;
  /** Opens socket `n` and answers its `hello`. */
  const greet = async (n: number, seq = 10) => {
    socket(n).open();
    socket(n).hear({ type: 'hello', seq });
    await vi.advanceTimersByTimeAsync(0);
  };
  return { client, statuses, events, reads, socket, greet };
}

const last = <T>(list: T[]): T | undefined => list[list.length - 1];

describe('the console’s live connection', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('takes a socket whose ping gets no answer for dead: says Reconnecting, opens another, catches up once', async () => {
    const message = { id: 'e1', seq: 15, type: 'timeline.item', item: { text: 'hi' } };
    const { client, statuses, events, reads, socket, greet } = start([message]);
    await greet(0);
    expect(last(statuses)).toBe('live');
    // Well inside API Gateway's 10 idle minutes, and soon enough that a dead link is not shown Live for long.
    expect(PING_EVERY_MS).toBeLessThanOrEqual(60_000);
    await vi.advanceTimersByTimeAsync(PING_EVERY_MS);
    expect(socket(0).pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(PONG_WAIT_MS - 1);
    expect(last(statuses)).toBe('live');
    await vi.advanceTimersByTimeAsync(1);
    expect(last(statuses)).toBe('reconnecting');
    expect(socket(0).closeCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.made).toHaveLength(2);
    // The event missed is caught up from where the socket stopped, and shown once when the new socket says it too.
    await greet(1, 12);
    socket(1).hear(message);
    expect(reads.filter((r) => r.startsWith('/api/events'))).toEqual(['/api/events?since=10']);
    expect(events.filter((e) => e.id === 'e1')).toHaveLength(1);
    expect(last(statuses)).toBe('live');
    client.close();
  });

  it('keeps a socket whose ping is answered, and pings it again a minute on', async () => {
    const { client, statuses, socket, greet } = start();
    await greet(0);
    await vi.advanceTimersByTimeAsync(PING_EVERY_MS);
    socket(0).hear({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(PING_EVERY_MS);
    expect(socket(0).pings()).toBe(2);
    expect(last(statuses)).toBe('live');
    expect(FakeSocket.made).toHaveLength(1);
    client.close();
  });

  it('says Offline at once when the browser goes offline, tries nothing meanwhile, and reconnects at once when it is back', async () => {
    const { client, statuses, greet } = start();
    await greet(0);
    client.offline();
    expect(last(statuses)).toBe('offline');
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(last(statuses)).toBe('offline');
    client.wake();
    expect(FakeSocket.made).toHaveLength(2);
    expect(last(statuses)).toBe('reconnecting');
    await greet(1);
    expect(last(statuses)).toBe('live');
    client.close();
  });

  it('pings at once when the tab is shown again, and drops the socket that does not answer', async () => {
    const { client, statuses, socket, greet } = start();
    await greet(0);
    await vi.advanceTimersByTimeAsync(1_000);
    client.wake();
    expect(socket(0).pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(PONG_WAIT_MS);
    expect(last(statuses)).toBe('reconnecting');
    client.close();
  });
});
