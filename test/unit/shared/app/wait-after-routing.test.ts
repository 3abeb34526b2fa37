import { describe, expect, it } from 'vitest';
import { routeThenWait, type TouchedForWaiting } from '#shared/app/wait-after-routing.js';
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
