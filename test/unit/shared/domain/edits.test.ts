import { describe, expect, it } from 'vitest';
import { EDIT_HOLD_MS, editsHeld, withHeldEdit } from '#shared/domain/edits.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const HELD_AT = '2026-12-06T10:00:00.000Z';
const inbound = (occurredAt: string, receivedAt = '2026-12-06T10:00:05.000Z', channel = 'whatsapp') => ({
  kind: 'message',
  direction: 'inbound',
  channel: channel as 'whatsapp',
  occurredAt,
  receivedAt,
});

describe('edits held for their message', () => {
  it.each([
    ['a message timed before the held edit', inbound('2026-12-06T09:59:00.000Z'), true],
    ['one timed in the same second (a clock)', inbound('2026-12-06T10:00:01.000Z'), true],
    ['one timed after it: it cannot be its message', inbound('2026-12-06T10:00:02.000Z'), false],
    [
      'one received after the hold expired',
      inbound('2026-12-06T09:59:00.000Z', new Date(Date.parse(HELD_AT) + EDIT_HOLD_MS).toISOString()),
      false,
    ],
    ['an SMS (no edits)', inbound('2026-12-06T09:59:00.000Z', undefined, 'sms'), false],
    ['an outbound message', { ...inbound('2026-12-06T09:59:00.000Z'), direction: 'outbound' }, false],
  ])('%s: looks for one: %s', (_, envelope, expected) => {
    expect(editsHeld(envelope, HELD_AT)).toBe(expected);
  });

  it('looks for none when the identity holds no mark', () => {
    expect(editsHeld(inbound('2026-12-06T09:59:00.000Z'), undefined)).toBe(false);
  });

  it('stores the message with the edit’s text and time, its other fields kept', () => {
    const message: TimelineItem = {
      id: 'whatsapp:wamid.E1',
      type: 'message',
      direction: 'inbound',
      channel: 'whatsapp',
      text: '3 Oak St',
      at: '2026-12-06T09:59:00.000Z',
      customerId: 'cu_1',
    };
    expect(withHeldEdit(message, { text: '5 Oak St', at: HELD_AT })).toEqual({
      ...message,
      text: '5 Oak St',
      editedAt: HELD_AT,
    });
  });
});
