import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { live } from '../../../../functions/webchat/widget/api.js';

/** The browser's WebSocket as the widget uses it: the test opens and drops each one. */
class FakeSocket {
  static readonly OPEN = 1;
  static made: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  sent: string[] = [];
  closed = false;
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.closed = true;
  }
  hear(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.();
  }
}

/** A live socket whose every change of state is recorded as `[open, again]`, and each block. */
function connect() {
  const states: [boolean, boolean][] = [];
  let blocked = 0;
  const shown: Array<() => void> = [];
  const channel = live(
    'ws://x/webchat/live',
    () => {},
    (open, again) => states.push([open, again]),
    () => blocked++,
    (then) => {
      shown.push(then);
      return () => shown.splice(shown.indexOf(then), 1);
    },
  );
  const socket = (n: number) => FakeSocket.made[n] as FakeSocket;
  /** The visitor comes back to the tab. */
  const show = () => {
    for (const then of shown.splice(0)) then();
  };
  return { states, channel, socket, blocked: () => blocked, show };
}

describe('the widget’s live socket', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('says a first open (however late it comes) is not a reopen, and an open after a drop is', () => {
    const { states, channel, socket } = connect();
    vi.advanceTimersByTime(60_000);
    socket(0).open();
    socket(0).drop();
    vi.advanceTimersByTime(500);
    socket(1).open();
    channel.stop();
    expect(states).toEqual([
      [true, false],
      [false, true],
      [true, true],
    ]);
  });

  it('says a socket that never opened is not a drop, and tries again with a growing wait', () => {
    const { states, channel, socket } = connect();
    socket(0).drop();
    vi.advanceTimersByTime(499);
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    socket(1).drop();
    vi.advanceTimersByTime(999);
    expect(FakeSocket.made).toHaveLength(2);
    vi.advanceTimersByTime(1);
    socket(2).open();
    channel.stop();
    expect(states).toEqual([
      [false, false],
      [false, false],
      [true, false],
    ]);
  });

  it('takes an error without a close (Chromium, a socket the CSP refuses) as one drop, and stops trying once blocked', () => {
    const { states, channel, socket, blocked } = connect();
    socket(0).readyState = 3;
    socket(0).onerror?.();
    socket(0).onclose?.();
    expect(states).toEqual([[false, false]]);
    channel.block();
    channel.block();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(blocked()).toBe(1);
  });

  it('is blocked, and does not try again, when the page refuses to make the socket at all', () => {
    vi.stubGlobal(
      'WebSocket',
      class {
        constructor() {
          throw new Error('SecurityError');
        }
      },
    );
    const { states, blocked } = connect();
    vi.advanceTimersByTime(60_000);
    expect(blocked()).toBe(1);
    expect(states).toEqual([]);
  });
  it('pings every 4 minutes and, with no answer in 10 s, drops the silent socket and opens another', () => {
    const { states, channel, socket } = connect();
    socket(0).open();
    vi.advanceTimersByTime(4 * 60_000 - 1);
    expect(socket(0).sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket(0).sent).toEqual(['{"type":"ping"}']);
    socket(0).hear({ type: 'pong' });
    vi.advanceTimersByTime(60_000);
    expect(socket(0).closed).toBe(false);
    vi.advanceTimersByTime(3 * 60_000);
    expect(socket(0).sent).toHaveLength(2);
    // A half-open connection: no pong, no close either (the browser's close would wait on the dead link).
    vi.advanceTimersByTime(10_000);
    expect(socket(0).closed).toBe(true);
    expect(states).toEqual([
      [true, false],
      [false, true],
    ]);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.made).toHaveLength(2);
    socket(1).open();
    expect(states.at(-1)).toEqual([true, true]);
    // The dead socket's late close changes nothing.
    socket(0).drop();
    expect(states).toHaveLength(3);
    channel.stop();
    vi.advanceTimersByTime(10 * 60_000);
    expect(socket(1).sent).toEqual([]);
  });

  it('reopens a socket closed for a newer tab of the session only when its tab is shown again', () => {
    const { states, channel, socket, show } = connect();
    socket(0).open();
    socket(0).hear({ type: 'replaced' });
    socket(0).drop();
    vi.advanceTimersByTime(10 * 60_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(states).toEqual([
      [true, false],
      [false, true],
    ]);
    show();
    expect(FakeSocket.made).toHaveLength(2);
    // Dropped again without being replaced: the usual reopen after a wait.
    socket(1).open();
    socket(1).drop();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.made).toHaveLength(3);
    channel.stop();
  });
});
