import { describe, expect, it } from 'vitest';
import { broadcastLive } from '#shared/app/broadcast-live.js';
import { connectLive } from '#shared/app/connect-live.js';
import { disconnectLive } from '#shared/app/disconnect-live.js';
import { fanOutChanges } from '#shared/app/fan-out-changes.js';
import { handleLiveFrame } from '#shared/app/handle-live-frame.js';
import { readLiveEvents } from '#shared/app/read-live-events.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { type DurableEvent, LIVE_OVERLAP_SEQ, type ServerFrame } from '#shared/domain/live/events.js';
import { seqAt } from '#shared/domain/live/seq.js';
import { GoneError, ValidationError } from '#shared/errors.js';
import { memoryConnections } from '#shared/local/live-server.js';

const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const clock = { now: () => new Date(NOW) };

/** Sockets in memory, and every frame each was sent. */
function sockets() {
  const connections = memoryConnections();
  const sent = new Map<string, ServerFrame[]>();
  const gone = new Set<string>();
  const sender = {
    send: async (id: string, frame: ServerFrame) => {
      if (gone.has(id)) return 'gone' as const;
      sent.set(id, [...(sent.get(id) ?? []), frame]);
      return 'sent' as const;
    },
  };
  return { deps: { connections, sender, clock }, sent, gone };
}

/**
 * `deps` whose first read of the open sockets runs `meanwhile` after reading them: another socket's
 * frame that passes while this one's handler holds a list that is already out of date.
 */
function racing(deps: ReturnType<typeof sockets>['deps'], meanwhile: () => Promise<unknown>) {
  const { connections } = deps;
  let reads = 0;
  const list = async () => {
    const open = await connections.list();
    reads += 1;
    if (reads === 1) await meanwhile();
    return open;
  };
  const bound = {
    get: connections.get.bind(connections),
    setViewing: connections.setViewing.bind(connections),
    remove: connections.remove.bind(connections),
  };
  return { ...deps, connections: { ...connections, ...bound, list } };
}

/** Whether `agentId` views, as each `viewing` frame a socket got says. */
const viewingOf = (frames: ServerFrame[] | undefined) =>
  (frames ?? []).flatMap((f) => (f.type === 'viewing' ? [f.item.viewing] : []));

describe('live sockets', () => {
  it('greets a socket with where its events start, tells the others its agent is online, once', async () => {
    const { deps, sent } = sockets();
    const first = await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    expect(first).toEqual({
      type: 'hello',
      seq: seqAt(NOW),
      item: { agentId: 'ann', agents: [{ agentId: 'ann', presence: 'online' }], viewing: [] },
    });
    await connectLive(deps, { connectionId: 'c2', agentId: 'bob' });
    await connectLive(deps, { connectionId: 'c3', agentId: 'bob' });
    expect(sent.get('c1')).toEqual([{ type: 'presence', item: { agentId: 'bob', presence: 'online' } }]);
  });

  it('says each connected agent’s registered presence: away when they chose Away, online when not registered', async () => {
    const { deps, sent } = sockets();
    const registered = new Map([
      ['bob', 'away'],
      ['cy', 'online'],
    ] as const);
    const asked: string[][] = [];
    const presences = async (ids: readonly string[]) => {
      asked.push([...ids]);
      return new Map([...registered].filter(([id]) => ids.includes(id)));
    };
    const withPresences = { ...deps, presences };
    await connectLive(withPresences, { connectionId: 'c1', agentId: 'ann' });
    // Bob, Away, opens the console (or reconnects): the others are told he is away, not online.
    await connectLive(withPresences, { connectionId: 'c2', agentId: 'bob' });
    expect(sent.get('c1')).toEqual([{ type: 'presence', item: { agentId: 'bob', presence: 'away' } }]);
    const hello = await connectLive(withPresences, { connectionId: 'c3', agentId: 'cy' });
    expect(hello?.item.agents).toEqual([
      { agentId: 'ann', presence: 'online' },
      { agentId: 'bob', presence: 'away' },
      { agentId: 'cy', presence: 'online' },
    ]);
    // One read for the agents of each connect, each once.
    expect(asked).toEqual([['ann'], ['bob', 'ann'], ['cy', 'ann', 'bob']]);
    const again = await handleLiveFrame(withPresences, 'c1', '{"type":"hello"}');
    expect(again.reply).toMatchObject({ item: { agents: hello?.item.agents } });
  });

  it('passes viewing, leaving and typing to the others, never back to the sender', async () => {
    const { deps, sent } = sockets();
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'c2', agentId: 'bob' });
    sent.clear();
    await handleLiveFrame(deps, 'c1', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    await handleLiveFrame(deps, 'c1', JSON.stringify({ type: 'viewing', conversationId: 'cv_2' }));
    await handleLiveFrame(deps, 'c1', JSON.stringify({ type: 'typing', conversationId: 'cv_2' }));
    await handleLiveFrame(deps, 'c1', JSON.stringify({ type: 'left', conversationId: 'cv_2' }));
    expect(sent.get('c1')).toBeUndefined();
    expect(sent.get('c2')).toEqual([
      { type: 'viewing', conversationId: 'cv_1', item: { agentId: 'ann', viewing: true } },
      { type: 'viewing', conversationId: 'cv_1', item: { agentId: 'ann', viewing: false } },
      { type: 'viewing', conversationId: 'cv_2', item: { agentId: 'ann', viewing: true } },
      { type: 'typing', conversationId: 'cv_2', item: { agentId: 'ann' } },
      { type: 'viewing', conversationId: 'cv_2', item: { agentId: 'ann', viewing: false } },
    ]);
  });

  it('passes typing a note to the other agents, marked, and never to the web-chat visitors', async () => {
    const { deps, sent } = sockets();
    const told: string[] = [];
    const withVisitors = { ...deps, visitorTyping: async (id: string) => told.push(id) };
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'c2', agentId: 'bob' });
    sent.clear();
    const frame = (note?: boolean) => JSON.stringify({ type: 'typing', conversationId: 'cv_1', note });
    expect(await handleLiveFrame(withVisitors, 'c1', frame(true))).toEqual({});
    expect(told).toEqual([]);
    await handleLiveFrame(withVisitors, 'c1', frame(false));
    await handleLiveFrame(withVisitors, 'c1', frame());
    expect(told).toEqual(['cv_1', 'cv_1']);
    expect(sent.get('c2')).toEqual([
      { type: 'typing', conversationId: 'cv_1', item: { agentId: 'ann', note: true } },
      { type: 'typing', conversationId: 'cv_1', item: { agentId: 'ann' } },
      { type: 'typing', conversationId: 'cv_1', item: { agentId: 'ann' } },
    ]);
  });

  it.each([
    ['{not json', 'bad_json'],
    ['[]', 'bad_frame'],
    [JSON.stringify({ type: 'typing' }), 'bad_frame'],
    [JSON.stringify({ type: 'viewing', conversationId: 'a b' }), 'bad_frame'],
  ])('answers the frame %s with the error %s and changes nothing', async (text, code) => {
    const { deps } = sockets();
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    expect(await handleLiveFrame(deps, 'c1', text)).toEqual({
      reply: { type: 'error', code, message: expect.any(String) },
    });
    expect((await deps.connections.get('c1'))?.viewing).toBeUndefined();
  });

  it('closes on a frame over the cap, answers ping with pong and hello with the hello', async () => {
    const { deps } = sockets();
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    expect(await handleLiveFrame(deps, 'c1', 'x'.repeat(1025))).toEqual({ close: 1009 });
    expect(await handleLiveFrame(deps, 'c1', '{"type":"ping"}')).toEqual({ reply: { type: 'pong' } });
    const hello = await handleLiveFrame(deps, 'c1', '{"type":"hello"}');
    expect(hello.reply).toMatchObject({ type: 'hello', item: { agentId: 'ann' } });
  });

  it('sends nothing to a socket whose token has expired and closes it, the others served as before', async () => {
    const { deps, sent } = sockets();
    let now = NOW;
    const closed: string[] = [];
    const timed = {
      ...deps,
      clock: { now: () => new Date(now) },
      sender: { ...deps.sender, close: async (id: string) => void closed.push(id) },
    };
    await connectLive(timed, { connectionId: 'c1', agentId: 'ann', expiresAt: NOW + 60_000 });
    await connectLive(timed, { connectionId: 'c2', agentId: 'bob' });
    sent.clear();
    const frame: ServerFrame = { type: 'presence', item: { agentId: 'cy', presence: 'online' } };
    await broadcastLive(timed, [frame]);
    expect([sent.get('c1'), sent.get('c2'), closed]).toEqual([[frame], [frame], []]);
    now = NOW + 60_000;
    await broadcastLive(timed, [frame, frame]);
    expect([sent.get('c1'), sent.get('c2')?.length, closed]).toEqual([[frame], 3, ['c1']]);
  });

  it('tells the others on close what the agent left and that they are offline, and forgets gone sockets', async () => {
    const { deps, sent, gone } = sockets();
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'c2', agentId: 'bob' });
    await connectLive(deps, { connectionId: 'c3', agentId: 'cy' });
    await handleLiveFrame(deps, 'c2', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    sent.clear();
    gone.add('c3');
    await disconnectLive(deps, 'c2');
    await disconnectLive(deps, 'c2');
    expect(sent.get('c1')).toEqual([
      { type: 'viewing', conversationId: 'cv_1', item: { agentId: 'bob', viewing: false } },
      { type: 'presence', item: { agentId: 'bob', presence: 'offline' } },
    ]);
    expect((await deps.connections.list()).map((c) => c.connectionId)).toEqual(['c1']);
  });
  it("says again that an agent views a conversation when their reloaded page's viewing passed the old socket's close", async () => {
    const { deps, sent } = sockets();
    await connectLive(deps, { connectionId: 'a1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'b1', agentId: 'bob' });
    await handleLiveFrame(deps, 'b1', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    // Bob reloads: the old socket's close reads the open sockets before the new page says what it views,
    // and the new page's viewing is told to Ann before the close's `left` is.
    const late = racing(deps, async () => {
      await connectLive(deps, { connectionId: 'b2', agentId: 'bob' });
      await handleLiveFrame(deps, 'b2', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    });
    sent.clear();
    await disconnectLive(late, 'b1');
    expect(viewingOf(sent.get('a1'))).toEqual([true, false, true]);
  });

  it("says again that an agent views a conversation when another tab's viewing passed their left frame", async () => {
    const { deps, sent } = sockets();
    await connectLive(deps, { connectionId: 'a1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'b1', agentId: 'bob' });
    await connectLive(deps, { connectionId: 'b2', agentId: 'bob' });
    await handleLiveFrame(deps, 'b1', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    // Bob's first tab leaves cv_1 as his second tab opens it: the left frame reads the open sockets
    // before the second tab's viewing is kept, and that viewing is told to Ann before the `left` is.
    const late = racing(deps, () =>
      handleLiveFrame(deps, 'b2', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' })),
    );
    sent.clear();
    await handleLiveFrame(late, 'b1', JSON.stringify({ type: 'left', conversationId: 'cv_1' }));
    expect(viewingOf(sent.get('a1'))).toEqual([true, false, true]);
  });

  it("keeps the agent at the console on connect and ping; only their last socket's close shortens it to the grace", async () => {
    const { deps } = sockets();
    const calls: string[] = [];
    const leases = {
      seen: async (agentId: string, socket: string, until: number) =>
        calls.push(`seen ${agentId} ${socket} +${(until - NOW) / 60_000}m`) > 0,
      left: async (agentId: string, socket: string, until: number) =>
        void calls.push(`left ${agentId} ${socket} +${(until - NOW) / 60_000}m`),
    };
    const withLeases = { ...deps, leases };
    await connectLive(withLeases, { connectionId: 'b1', agentId: 'bob' });
    await connectLive(withLeases, { connectionId: 'b2', agentId: 'bob' });
    await handleLiveFrame(withLeases, 'b1', '{"type":"ping"}');
    await disconnectLive(withLeases, 'b1');
    await disconnectLive(withLeases, 'b2');
    await disconnectLive(withLeases, 'b2');
    expect(calls).toEqual([
      'seen bob b1 +12m',
      'seen bob b2 +12m',
      'seen bob b1 +12m',
      // b1's close leaves b2 open: nothing; b2 was his last; its second close does nothing.
      'left bob b2 +2m',
    ]);
  });

  it('refuses a socket whose agent an admin removed as it connected (lease refused), and closes one that pings after', async () => {
    const { deps, sent } = sockets();
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'b1', agentId: 'bob' });
    sent.clear();
    // Bob's and Dan's removals marked their console leases: their writes of them are refused from then on.
    const leases = { seen: async (agentId: string) => agentId === 'ann', left: async () => {} };
    const removed = { ...deps, leases };
    await expect(connectLive(removed, { connectionId: 'd1', agentId: 'dan' })).rejects.toMatchObject({
      code: 'agent_removed',
    });
    // Not kept, and not announced online to the others.
    expect((await deps.connections.list()).map((c) => c.connectionId)).toEqual(['c1', 'b1']);
    expect(sent.size).toBe(0);
    expect(await handleLiveFrame(removed, 'b1', '{"type":"ping"}')).toEqual({ close: 1008 });
    expect(await handleLiveFrame(removed, 'c1', '{"type":"ping"}')).toEqual({ reply: { type: 'pong' } });
  });

  it('says an agent left a conversation only when the last of their sockets viewing it leaves', async () => {
    const { deps, sent } = sockets();
    await connectLive(deps, { connectionId: 'c1', agentId: 'ann' });
    await connectLive(deps, { connectionId: 'b1', agentId: 'bob' });
    await connectLive(deps, { connectionId: 'b2', agentId: 'bob' });
    await handleLiveFrame(deps, 'b1', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    await handleLiveFrame(deps, 'b2', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    sent.clear();
    // Bob's second tab moves on, then closes: his first tab still views cv_1.
    await handleLiveFrame(deps, 'b2', JSON.stringify({ type: 'left', conversationId: 'cv_1' }));
    await handleLiveFrame(deps, 'b2', JSON.stringify({ type: 'viewing', conversationId: 'cv_1' }));
    await handleLiveFrame(deps, 'b2', JSON.stringify({ type: 'viewing', conversationId: 'cv_2' }));
    await disconnectLive(deps, 'b2');
    expect(sent.get('c1')).toEqual([
      { type: 'viewing', conversationId: 'cv_1', item: { agentId: 'bob', viewing: true } },
      { type: 'viewing', conversationId: 'cv_2', item: { agentId: 'bob', viewing: true } },
      { type: 'viewing', conversationId: 'cv_2', item: { agentId: 'bob', viewing: false } },
    ]);
    sent.clear();
    await disconnectLive(deps, 'b1');
    expect(sent.get('c1')).toEqual([
      { type: 'viewing', conversationId: 'cv_1', item: { agentId: 'bob', viewing: false } },
      { type: 'presence', item: { agentId: 'bob', presence: 'offline' } },
    ]);
  });
});

describe('readLiveEvents', () => {
  const event = (seq: number): DurableEvent => ({
    id: `live_${seq}`,
    seq,
    type: 'customer.updated',
    customerId: 'cu_1',
    item: { change: 'erased' },
  });
  const log = (events: DurableEvent[], more = false) => {
    const asked: number[] = [];
    return {
      asked,
      events: {
        read: async (after: number) => {
          asked.push(after);
          return { events: events.filter((e) => e.seq > after), more };
        },
      },
    };
  };

  it('reads from the overlap before since, and answers the latest seq as the next since', async () => {
    const since = seqAt(NOW - 60_000);
    const fake = log([event(since - 5), event(since + 7)]);
    const page = await readLiveEvents({ events: fake.events, clock }, { since, limit: 200 });
    expect(fake.asked).toEqual([since - LIVE_OVERLAP_SEQ]);
    expect(page).toEqual({ events: [event(since - 5), event(since + 7)], seq: since + 7, more: false });
  });

  it('keeps since when nothing came, and starts the next page right after a full one', async () => {
    const since = seqAt(NOW - 60_000);
    expect((await readLiveEvents({ events: log([]).events, clock }, { since, limit: 1 })).seq).toBe(since);
    const full = await readLiveEvents(
      { events: log([event(since + 1)], true).events, clock },
      { since, limit: 1 },
    );
    expect(full).toMatchObject({ more: true, seq: since + 1 + LIVE_OVERLAP_SEQ });
  });

  it('refuses a since older than 24 hours as events_expired', async () => {
    const since = seqAt(NOW - 24 * 3_600_000 - 1);
    const read = readLiveEvents({ events: log([]).events, clock }, { since, limit: 10 });
    await expect(read).rejects.toBeInstanceOf(GoneError);
    await expect(read).rejects.toMatchObject({ code: 'events_expired' });
  });

  it('answers a since a little ahead of the clock from now, with a seq to follow that is not ahead', async () => {
    // An integrator whose clock runs a minute ahead: answered as if it asked from now, so the events of
    // the next minute are not skipped by following its own since.
    const fake = log([event(seqAt(NOW) - 5)]);
    const page = await readLiveEvents(
      { events: fake.events, clock },
      { since: seqAt(NOW + 60_000), limit: 10 },
    );
    expect(fake.asked).toEqual([seqAt(NOW) - LIVE_OVERLAP_SEQ]);
    expect(page).toEqual({ events: [event(seqAt(NOW) - 5)], seq: seqAt(NOW), more: false });
    const empty = await readLiveEvents(
      { events: log([]).events, clock },
      { since: seqAt(NOW + 300_000), limit: 10 },
    );
    expect(empty).toEqual({ events: [], seq: seqAt(NOW), more: false });
  });

  it('refuses a since more than 5 minutes ahead of the clock as invalid_request naming since', async () => {
    const read = readLiveEvents(
      { events: log([]).events, clock },
      { since: seqAt(NOW + 300_001), limit: 10 },
    );
    await expect(read).rejects.toBeInstanceOf(ValidationError);
    await expect(read).rejects.toThrow(/^since: /);
  });

  it('refuses a since in milliseconds (a time, not a seq) as invalid_request, not as expired', async () => {
    for (const ms of [NOW + 60_000, NOW - 3_600_000]) {
      const read = readLiveEvents({ events: log([]).events, clock }, { since: ms, limit: 10 });
      await expect(read).rejects.toBeInstanceOf(ValidationError);
      await expect(read).rejects.toThrow(/milliseconds/);
    }
  });
});

describe('fanOutChanges', () => {
  const record = (sequence: string): ChangeRecord => ({
    id: sequence,
    kind: 'insert',
    keys: { pk: 'A', sk: 'B' },
    sequence,
    at: '2026-12-03T12:00:00.000Z',
  });
  it('gives every fan-out the batch and fails from the earliest record any of them failed on', async () => {
    const seen: string[][] = [];
    const batch = ['1', '2', '3'].map(record);
    const result = await fanOutChanges([
      async (records) => {
        seen.push(records.map((r) => r.sequence));
        return { failedSequence: '3' };
      },
      async (records) => {
        seen.push(records.map((r) => r.sequence));
        return { failedSequence: '2' };
      },
      async () => ({}),
    ])(batch);
    expect(seen).toEqual([
      ['1', '2', '3'],
      ['1', '2', '3'],
    ]);
    expect(result).toEqual({ failedSequence: '2' });
    expect(await fanOutChanges([async () => ({})])(batch)).toEqual({});
  });
});
