import { describe, expect, it } from 'vitest';
import {
  routeThenWait,
  type TouchedForWaiting,
  waitAgainAfterFailure,
} from '#shared/app/wait-after-routing.js';
import type { Conversation } from '#shared/domain/timeline.js';

const AT = '2026-03-02T09:05:00.000Z';
const open: Conversation = {
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  createdAt: AT,
  channels: ['whatsapp'],
} as Conversation;

/** A store that records the writes routeThenWait asks for. */
function recording() {
  const writes: string[] = [];
  return {
    writes,
    store: {
      startWaiting: async (id: string, at: string) => void writes.push(`wait ${id} ${at}`),
      listInInbox: async (id: string) => void writes.push(`list ${id}`),
      dropUnreachableWait: async (id: string, at: string) => void writes.push(`drop ${id} ${at}`),
    },
  };
}

const touched = (over: Partial<TouchedForWaiting> = {}): TouchedForWaiting => ({
  conversationId: 'cv_1',
  at: AT,
  inbound: true,
  asTouched: { ...open, waitingSince: AT },
  unlisted: true,
  firstResponded: false,
  ...over,
});

describe('routeThenWait', () => {
  it("lists nothing when the AI's first response listed the conversation", async () => {
    const { writes, store } = recording();
    await routeThenWait(store, touched(), async () => ({ routed: true, replied: true }));
    expect(writes).toEqual([]);
  });

  it('lists a handed-off opening message at its place, and starts no second wait', async () => {
    const { writes, store } = recording();
    await routeThenWait(store, touched(), async () => ({ routed: true }));
    expect(writes).toEqual(['list cv_1']);
  });

  it('lists an unlisted conversation the AI answered without a first response', async () => {
    const { writes, store } = recording();
    const outcome = { routed: true, replied: true };
    expect(await routeThenWait(store, touched({ firstResponded: true }), async () => outcome)).toBe(outcome);
    expect(writes).toEqual(['list cv_1']);
  });

  it('starts no wait for a message no channel can answer, and ends the one its opening touch started', async () => {
    const { writes, store } = recording();
    const outcome = { routed: true, unreachable: true };
    await routeThenWait(store, touched({ unlisted: false, asTouched: open }), async () => outcome);
    expect(writes).toEqual([]);
    await routeThenWait(store, touched(), async () => outcome);
    expect(writes).toEqual([`drop cv_1 ${AT}`, 'list cv_1']);
  });

  it('starts the wait of a later message nobody answered, on a listed conversation', async () => {
    const { writes, store } = recording();
    await routeThenWait(store, touched({ unlisted: false, asTouched: open }), async () => ({ routed: true }));
    expect(writes).toEqual([`wait cv_1 ${AT}`]);
  });

  it('lists the conversation when routing fails, and fails as routing did', async () => {
    const { writes, store } = recording();
    await expect(
      routeThenWait(store, touched(), async () => {
        throw new Error('responder down');
      }),
    ).rejects.toThrow('responder down');
    expect(writes).toEqual(['list cv_1']);
  });
});

describe('waitAgainAfterFailure', () => {
  const wait = { conversationId: 'cv_1', at: AT, answered: AT, written: AT, replied: AT };
  const NOW = '2026-03-02T09:30:00.000Z';
  /** The conversation's conditional writes, each answering whether it applied (in turn). */
  function conditional(waits: boolean[], reopens: boolean) {
    const writes: string[] = [];
    let now = 0;
    return {
      writes,
      clock: {
        now: () => {
          now += 1;
          return new Date(NOW);
        },
      },
      asked: () => now,
      store: {
        startWaitingAfterFailure: async (id: string, at: string, failed: string) => {
          writes.push(`wait ${id} ${at} ${failed}`);
          return waits.shift() ?? false;
        },
        reopenAfterFailure: async (id: string, at: string, failed: string, now: string) => {
          writes.push(`reopen and wait ${id} ${at} ${failed} ${now}`);
          return reopens;
        },
      },
    };
  }

  it('an open conversation waits again: one write, no reopen, no clock', async () => {
    const { writes, store, clock, asked } = conditional([true], true);
    await waitAgainAfterFailure(store, wait, clock);
    expect(writes).toEqual([`wait cv_1 ${AT} ${AT}`]);
    expect(asked()).toBe(0);
  });

  it('a conversation the open case leaves alone goes to the reopen, which decides and waits itself, once', async () => {
    for (const reopens of [true, false]) {
      const { writes, store, clock, asked } = conditional([false, true], reopens);
      await waitAgainAfterFailure(store, wait, clock);
      expect(writes).toEqual([`wait cv_1 ${AT} ${AT}`, `reopen and wait cv_1 ${AT} ${AT} ${NOW}`]);
      expect(asked()).toBe(1);
    }
  });

  it('takes back the first response the failed answer was when its wait came back, and tries it on a redelivery', async () => {
    // Its wait not back by this run (a redelivery after a crash right after the wait's write, or an
    // answer another followed): tried all the same, its condition deciding (no hand-off owed here).
    for (const [waits, reopens, taken] of [
      [[true], false, true],
      [[false], true, true],
      [[false], false, true],
    ] as const) {
      const { writes, store, clock } = conditional([...waits], reopens);
      const takeBack = async (id: string, at: string) => {
        writes.push(`take back ${id} ${at}`);
        return true;
      };
      await waitAgainAfterFailure({ ...store, takeBackFirstResponse: takeBack }, wait, clock);
      expect(writes.includes(`take back cv_1 ${AT}`)).toBe(taken);
    }
  });

  it('nothing for a reply that answers nobody', async () => {
    const { writes, store, clock } = conditional([true], true);
    await waitAgainAfterFailure(store, undefined, clock);
    expect(writes).toEqual([]);
  });
});

describe('routeThenWait: a twin delivery', () => {
  it('settles nothing when the delivery that wrote the item routes it (no wait, no listing)', async () => {
    const { writes, store } = recording();
    const outcome = { routed: false, deferred: true };
    const alone = touched({ asTouched: open });
    expect(await routeThenWait(store, alone, async () => outcome)).toBe(outcome);
    expect(writes).toEqual([]);
  });
});

describe('waitAgainAfterFailure: the AI answer failed while its message still waits', () => {
  const MESSAGE_AT = '2026-03-02T09:00:00.000Z';
  const ANSWER_AT = '2026-03-02T09:00:02.000Z';
  const NOW = '2026-03-02T09:10:00.000Z';
  const wait = {
    conversationId: 'cv_1',
    at: MESSAGE_AT,
    answered: ANSWER_AT,
    written: ANSWER_AT,
    replied: ANSWER_AT,
    byAi: { channel: 'whatsapp' as const },
  };
  /**
   * The customer wrote again between the answer's write and its send, so the send ended no wait: the
   * wait of the message it answered still runs, and none comes back (both writes fail their conditions).
   */
  function stillWaiting(waiting: { since?: string } = { since: MESSAGE_AT }) {
    const writes: string[] = [];
    let owed: { answer: string; at: string; made?: boolean } | undefined;
    const store = {
      startWaitingAfterFailure: async () => false,
      reopenAfterFailure: async () => false,
      handOffRecord: async (_id: string, answer: string) => ({
        recorded: owed?.answer === answer,
        owed: owed?.answer === answer && !owed.made ? { answer, at: owed.at } : undefined,
        waitingSince: waiting.since,
      }),
      oweHandOffWhileWaiting: async (
        id: string,
        at: string,
        failed: string,
        handOff: { answer: string; at: string },
      ) => {
        if (owed && owed.answer >= handOff.answer) return false;
        writes.push(`owe ${id} ${at} ${failed}`);
        owed = { ...handOff };
        return true;
      },
      handOffMade: async () => {
        if (owed) owed.made = true;
      },
      takeBackFirstResponse: async (id: string, at: string) => {
        writes.push(`take back ${id} ${at}`);
        return true;
      },
    };
    const handedOff: string[] = [];
    const to = async (_wait: unknown, reason: string | undefined, at: string) => {
      handedOff.push(`${reason} ${at}`);
    };
    return { writes, store, handedOff, handOff: { to, reason: '131026' } };
  }

  it('hands the conversation to a person, once however often the failure comes', async () => {
    const { writes, store, handedOff, handOff } = stillWaiting();
    const clock = { now: () => new Date(NOW) };
    await waitAgainAfterFailure(store, wait, clock, undefined, handOff);
    await waitAgainAfterFailure(store, wait, clock, undefined, handOff);
    expect(handedOff).toEqual([`131026 ${NOW}`]);
    expect(writes.filter((w) => w.startsWith('owe'))).toEqual([`owe cv_1 ${MESSAGE_AT} ${ANSWER_AT}`]);
  });

  it('records nothing when no wait runs (a later answer reached the customer), nor one newer than it', async () => {
    for (const since of [undefined, '2026-03-02T09:05:00.000Z']) {
      const { writes, store, handedOff, handOff } = stillWaiting(since ? { since } : {});
      await waitAgainAfterFailure(store, wait, { now: () => new Date(NOW) }, undefined, handOff);
      expect(handedOff).toEqual([]);
      expect(writes.filter((w) => w.startsWith('owe'))).toEqual([]);
    }
  });
});
