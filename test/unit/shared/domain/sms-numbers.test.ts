import { describe, expect, it } from 'vitest';
import type { ContactState } from '#shared/domain/contact-state.js';
import { smsNumbers } from '#shared/domain/sms-numbers.js';

const A = '+15017120001';
const B = '+15017120002';
const C = '+15017120003';
const state = (blocked: boolean, at: string, number?: string): ContactState => ({
  blocked,
  reason: blocked ? 'opted out (STOP)' : 'opted in (START)',
  at,
  envelopeId: `twilio:msg:${at}`,
  ...(number ? { number } : {}),
});

describe('smsNumbers: which of our numbers may text the customer', () => {
  it('puts the number a reply goes from first, then those the states name, each by its own state', () => {
    const states = [state(true, '2026-12-06T10:00:00.000Z', C), state(false, '2026-12-06T11:00:00.000Z', A)];
    expect(smsNumbers(states, B, true)).toEqual({
      numbers: [
        { number: B, available: true },
        { number: A, available: true },
        { number: C, available: false, detail: 'opted out (STOP)', at: '2026-12-06T10:00:00.000Z' },
      ],
      otherNumbers: { available: true },
    });
  });

  it('blocks every number not lifted since by a STOP that named none of ours', () => {
    const states = [state(true, '2026-12-06T10:00:00.000Z'), state(false, '2026-12-06T11:00:00.000Z', B)];
    expect(smsNumbers(states, A, true)).toEqual({
      numbers: [
        { number: A, available: false, detail: 'opted out (STOP)', at: '2026-12-06T10:00:00.000Z' },
        { number: B, available: true },
      ],
      otherNumbers: { available: false, detail: 'opted out (STOP)', at: '2026-12-06T10:00:00.000Z' },
    });
  });

  it('says when the states were more than were read', () => {
    expect(smsNumbers([], undefined, false)).toEqual({
      numbers: [],
      otherNumbers: { available: true },
      numbersTruncated: true,
    });
  });
});
