import { describe, expect, it } from 'vitest';
import { endWaitAtStop, type OptOutWaitDeps } from '#shared/app/opt-out-wait.js';
import type { ClockEvent } from '#shared/domain/clock-ports.js';
import type { Envelope } from '#shared/domain/envelope.js';
import type { ProfileState } from '#shared/domain/resolver-ports.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';

const ASKED = '2026-12-06T10:00:00.000Z';
const STOPPED = '2026-12-06T10:02:00.000Z';

const stopEnvelope = (optOut: string) =>
  ({ kind: 'message', channel: 'sms', direction: 'inbound', data: { optOut } }) as unknown as Envelope;
const item = { id: 'twilio:msg:SMstop', customerId: 'cu_1', at: STOPPED } as TimelineItem;
const waiting = { id: 'co_1', status: 'open', waitingSince: ASKED } as Conversation;

/** A store and clock that record what the STOP did; `merged` are the profiles merged into cu_1. */
function fakes(conversation: Conversation | undefined, merged: Record<string, ProfileState> = {}) {
  const calls: string[] = [];
  const told: ClockEvent[] = [];
  const deps: OptOutWaitDeps = {
    store: {
      async getProfileState(id) {
        calls.push(`profile ${id}`);
        return merged[id];
      },
      async getConversation(id, options) {
        calls.push(`conversation ${id} ${options?.consistent}`);
        return conversation;
      },
      async putTimelineItem(note) {
        calls.push(`note ${note.id} ${note.at}`);
        return true;
      },
      async dropUnreachableWait(id, since) {
        calls.push(`drop ${id} ${since}`);
      },
    },
    async track(event) {
      told.push(event);
    },
  };
  return { deps, calls, told };
}
const profile = (extra: Partial<ProfileState> = {}): ProfileState => ({
  customerId: 'cu_1',
  openConversationId: 'co_1',
  channels: ['sms'],
  lastInboundChannel: 'sms',
  ...extra,
});

describe('endWaitAtStop', () => {
  it('ends the wait of an SMS-only customer: note after the STOP, the clock told, the wait dropped last', async () => {
    const { deps, calls, told } = fakes(waiting);
    expect(await endWaitAtStop(deps, { envelope: stopEnvelope('stop'), item, profile: profile() })).toBe(
      true,
    );
    expect(calls).toEqual([
      'conversation co_1 true',
      'note note:handoff:twilio:msg:SMstop 2026-12-06T10:02:00.001Z',
      `drop co_1 ${ASKED}`,
    ]);
    expect(told).toEqual([{ type: 'unreachable', conversationId: 'co_1', at: STOPPED }]);
  });

  it('keeps the wait when a profile merged into the customer wrote on WhatsApp', async () => {
    const other = { customerId: 'cu_2', channels: ['whatsapp'] } as ProfileState;
    const { deps, calls, told } = fakes(waiting, { cu_2: other });
    const stop = { envelope: stopEnvelope('stop'), item, profile: profile({ mergedFrom: ['cu_2'] }) };
    expect(await endWaitAtStop(deps, stop)).toBe(false);
    expect(calls).toEqual(['conversation co_1 true', 'profile cu_2']);
    expect(told).toEqual([]);
  });

  it('leaves a wait that started after the STOP, and reads nothing for a START or without an open conversation', async () => {
    const later = fakes({ ...waiting, waitingSince: '2026-12-06T10:05:00.000Z' });
    expect(
      await endWaitAtStop(later.deps, { envelope: stopEnvelope('stop'), item, profile: profile() }),
    ).toBe(false);
    expect(later.calls).toEqual(['conversation co_1 true']);
    const start = fakes(waiting);
    expect(
      await endWaitAtStop(start.deps, { envelope: stopEnvelope('start'), item, profile: profile() }),
    ).toBe(false);
    const none = fakes(waiting);
    const closed = profile({ openConversationId: undefined });
    expect(await endWaitAtStop(none.deps, { envelope: stopEnvelope('stop'), item, profile: closed })).toBe(
      false,
    );
    expect([...start.calls, ...none.calls]).toEqual([]);
  });
});
