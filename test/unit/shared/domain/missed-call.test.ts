import { describe, expect, it } from 'vitest';
import { nextConversationId } from '#shared/domain/conversation.js';
import { missedCallPlace } from '#shared/domain/missed-call.js';

const HOUR = 3_600_000;
const CALL = '2026-12-07T12:00:00.000Z';
const resolved = {
  id: 'cv_old',
  customerId: 'cu_1',
  status: 'resolved' as const,
  resolvedAt: '2026-12-07T10:00:00.000Z',
};
const profile = { lastConversationId: 'cv_old', lastResolvedAt: '2026-12-07T10:00:00.000Z' };

describe('where a settled missed call goes (missedCallPlace)', () => {
  it('joins the conversation it was filed beside when open, reading no profile', () => {
    expect(missedCallPlace({ ...resolved, status: 'open' }, undefined, CALL, HOUR)).toEqual({
      kind: 'join',
      conversationId: 'cv_old',
    });
  });

  it('joins the open conversation another event opened during the settle', () => {
    expect(missedCallPlace(resolved, { ...profile, openConversationId: 'cv_new' }, CALL, HOUR)).toEqual({
      kind: 'join',
      conversationId: 'cv_new',
    });
  });

  it('reopens the last conversation within the window, opens the next one after it', () => {
    expect(missedCallPlace(resolved, profile, CALL, 3 * HOUR)).toEqual({
      kind: 'reopen',
      conversationId: 'cv_old',
    });
    // The id the caller's next message would open: a text racing the settle lands in the same one.
    expect(missedCallPlace(resolved, profile, CALL, HOUR)).toEqual({
      kind: 'open',
      conversationId: nextConversationId('cu_1', 'cv_old'),
      previousConversationId: 'cv_old',
    });
  });

  it('leaves a call resolved at or after it, or a customer with no profile, alone', () => {
    expect(missedCallPlace(resolved, { ...profile, lastResolvedAt: CALL }, CALL, HOUR)).toEqual({
      kind: 'none',
    });
    expect(missedCallPlace(resolved, undefined, CALL, HOUR)).toEqual({ kind: 'none' });
  });
});
