import { describe, expect, it } from 'vitest';
import { contactStateFor, unsubscribedState } from '#shared/domain/sms-opt-out.js';

describe('unsubscribedState', () => {
  const at = '2025-06-09T10:00:00.000Z';

  it.each(['sms', 'voice'] as const)(
    'takes Twilio 21610 on %s for an opt-out at the reply time',
    (channel) => {
      expect(unsubscribedState({ channel, codes: ['21610'] }, at, 'reply:rp_1')).toEqual({
        blocked: true,
        reason: 'STOP reported by Twilio error 21610',
        at,
        envelopeId: 'reply:rp_1',
      });
    },
  );

  it.each([
    ['another code', 'sms', ['30003']],
    ['no code', 'sms', []],
    ['WhatsApp, which Twilio does not filter by keyword', 'whatsapp', ['21610']],
  ] as const)('records nothing for %s', (_name, channel, codes) => {
    expect(unsubscribedState({ channel, codes }, at, 'x')).toBeUndefined();
  });
});

describe('contactStateFor: the opt-out a text from one of our numbers meets', () => {
  const A = '+15017120001';
  const B = '+15017120002';
  const state = (blocked: boolean, at: string, number?: string) => ({
    blocked,
    reason: blocked ? 'opted out (STOP)' : 'opted in (START)',
    at,
    envelopeId: `twilio:msg:${at}`,
    ...(number ? { number } : {}),
  });

  it("keeps a STOP to one number to that number: another's START never lifts it", () => {
    const states = [state(true, '2026-12-06T10:00:00.000Z', A), state(false, '2026-12-06T11:00:00.000Z', B)];
    expect(contactStateFor(states, A)).toMatchObject({ blocked: true, number: A });
    expect(contactStateFor(states, B)).toMatchObject({ blocked: false, number: B });
    // From a number not known here (the configured one): any number's STOP blocks.
    expect(contactStateFor(states, undefined)).toMatchObject({ blocked: true, number: A });
  });

  it("holds an address's own STOP (stored before they were per number) for every number until a later START to it", () => {
    const stop = state(true, '2026-12-06T10:00:00.000Z');
    const states = [stop, state(false, '2026-12-06T11:00:00.000Z', B)];
    expect(contactStateFor(states, A)).toMatchObject({ blocked: true });
    expect(contactStateFor(states, A)?.number).toBeUndefined();
    expect(contactStateFor(states, B)).toMatchObject({ blocked: false });
    // A START to B before the STOP lifts nothing.
    expect(contactStateFor([state(false, '2026-12-06T09:00:00.000Z', B), stop], B)).toMatchObject({
      blocked: true,
    });
  });

  it("never lets an address's own START lift a number's STOP", () => {
    const states = [state(true, '2026-12-06T10:00:00.000Z', A), state(false, '2026-12-06T11:00:00.000Z')];
    expect(contactStateFor(states, A)).toMatchObject({ blocked: true });
    expect(contactStateFor(states, B)).toBeUndefined();
    expect(contactStateFor([], A)).toBeUndefined();
  });
});
