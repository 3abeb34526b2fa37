import { describe, expect, it } from 'vitest';
import { fireTimer } from '#shared/app/fire-timer.js';
import type { Timer } from '#shared/domain/timer-ports.js';
import { fakeClock, plus, silenceAfterReply } from '../../../support/fake-conversation-clock.js';

const HOUR = 60;
const DAY = 24 * HOUR;

/** A conversation waiting on the customer since the agent's reply at minute 1, its timer set under `after`. */
async function waitingUnder(after: string) {
  const f = fakeClock([], after);
  const silence = await silenceAfterReply(f.deps, f.scheduled);
  /** The policy as the admin changed it (a restart): `autoResolve` after `changed`, or taken out. */
  const restartWith = (changed: string | undefined) => {
    const { autoResolve: _was, ...rest } = f.deps.policy;
    f.deps.policy = changed ? { ...rest, autoResolve: { after: changed } } : rest;
  };
  const autoResolveTimers = () => f.scheduled.filter((t) => t.kind === 'auto_resolve');
  return { f, silence, restartWith, autoResolveTimers };
}

/**
 * An auto-resolve timer already set reads the policy's `autoResolve` when it fires, not the one it was
 * set under: the admin who takes it out, or makes it longer or shorter, is obeyed for the conversations
 * already waiting too. Before, a timer set under P5D resolved (and sent the survey) after the setting
 * was taken out, and one made longer resolved at the old time.
 */
describe('an auto-resolve timer set before the policy changed', () => {
  it('resolves nothing when auto-resolve was taken out: the timer is used up, with a log line', async () => {
    const { f, silence, restartWith, autoResolveTimers } = await waitingUnder('P5D');
    expect(silence.dueAt).toBe(plus(1 + 5 * DAY));
    restartWith(undefined);
    f.setNow(silence.dueAt);
    expect(await fireTimer(f.deps, silence)).toBe('stale');
    expect(await fireTimer(f.deps, silence)).toBe('stale');
    expect(f.conversation.status).toBe('open');
    expect(autoResolveTimers()).toHaveLength(1);
    expect(f.logs).toContain('auto-resolve is off in the routing policy now: timer used up, not resolved');
  });

  it('made longer, waits for the new end (set once however often the old timer fires), then resolves', async () => {
    const { f, silence, restartWith, autoResolveTimers } = await waitingUnder('PT1H');
    restartWith('P2D');
    f.setNow(plus(2 * HOUR));
    expect(await fireTimer(f.deps, silence)).toBe('fired');
    expect(await fireTimer(f.deps, silence)).toBe('fired');
    expect(f.conversation.status).toBe('open');
    const again = autoResolveTimers().slice(1);
    expect(new Set(again.map((t) => t.id)).size).toBe(1);
    const later = again[0] as Timer;
    expect(later).toMatchObject({ version: plus(1), dueAt: plus(1 + 2 * DAY) });
    expect(later.id).not.toBe(silence.id);

    f.setNow(later.dueAt);
    expect(await fireTimer(f.deps, later)).toBe('fired');
    expect(f.conversation).toMatchObject({ status: 'resolved', resolvedAt: plus(1 + 2 * DAY) });
    expect(autoResolveTimers()).toHaveLength(3);
  });

  it('made shorter, resolves when the old timer fires (the new delay has passed by then)', async () => {
    const { f, silence, restartWith, autoResolveTimers } = await waitingUnder('P5D');
    restartWith('PT1H');
    f.setNow(silence.dueAt);
    expect(await fireTimer(f.deps, silence)).toBe('fired');
    expect(f.conversation).toMatchObject({ status: 'resolved', resolvedAt: silence.dueAt });
    expect(autoResolveTimers()).toHaveLength(1);
  });

  it('a customer message meanwhile still makes the timer stale, whatever the policy', async () => {
    const { f, silence, restartWith } = await waitingUnder('PT1H');
    restartWith('P2D');
    delete f.conversation.awaitingCustomerSince;
    expect(await fireTimer(f.deps, silence)).toBe('stale');
    expect(f.scheduled.filter((t) => t.kind === 'auto_resolve')).toHaveLength(1);
  });
});
