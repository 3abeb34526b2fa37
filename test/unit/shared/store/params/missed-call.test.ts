import { describe, expect, it } from 'vitest';
import { missedCallTimer } from '#shared/domain/missed-call.js';
import {
  missedCallMarkInput,
  missedCallOpenInput,
  missedCallReopenInput,
  missedCallWaitInput,
} from '#shared/store/params/missed-call.js';

const AT = '2026-12-07T03:00:00.000Z';
const key = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const NO_ANSWER_SINCE =
  '(attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at) AND (attribute_not_exists(firstResponseAt) OR firstResponseAt < :at)';

describe('missed call params', () => {
  it('keys the settle timer on the call: a redelivered status sets the same timer, due two minutes on', () => {
    const timer = missedCallTimer({ conversationId: 'cv_1', callSid: 'CA1', at: AT });
    expect(timer).toEqual(missedCallTimer({ conversationId: 'cv_1', callSid: 'CA1', at: AT }));
    expect(timer).toMatchObject({ kind: 'missed_call', subject: 'cv_1', version: 'CA1', detail: AT });
    expect(timer.dueAt).toBe('2026-12-07T03:02:00.000Z');
  });

  it('waits from the call, listed and marked, only on an open conversation nobody waits on or answered since', () => {
    const input = missedCallWaitInput('t', 'cv_1', AT);
    expect(input.Key).toEqual(key);
    expect(input.UpdateExpression).toBe(
      'SET waitingSince = :at, gsi1sk = :sk, gsi1pk = if_not_exists(gsi1pk, :inbox), missedCallAt = :at REMOVE answeredSk',
    );
    expect(input.ConditionExpression).toBe(
      `#status = :open AND attribute_not_exists(waitingSince) AND ${NO_ANSWER_SINCE}`,
    );
    expect(input.ExpressionAttributeValues?.[':sk']).toBe(`${AT}#cv_1`);
  });

  it('marks a conversation that waits already, keeping its wait and its first missed call', () => {
    const input = missedCallMarkInput('t', 'cv_1', AT);
    expect(input.UpdateExpression).toBe(
      'SET missedCallAt = if_not_exists(missedCallAt, :at), gsi1pk = if_not_exists(gsi1pk, :inbox)',
    );
    expect(input.ConditionExpression).toBe(
      `#status = :open AND attribute_exists(waitingSince) AND ${NO_ANSWER_SINCE}`,
    );
  });

  it('reopens a conversation resolved before the call, waiting from the call, by missed-call', () => {
    const input = missedCallReopenInput('t', 'cv_1', AT);
    expect(input.UpdateExpression).toContain(
      'waitingSince = :now, reopenedAt = :now, reopenedBy = :by, missedCallAt = :now REMOVE ',
    );
    expect(input.ConditionExpression).toBe('#status = :resolved AND resolvedAt < :now');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':now': AT, ':by': 'missed-call' });
  });

  it('opens a new conversation after the window only where none is: open, waiting from the call, marked, listed', () => {
    const input = missedCallOpenInput('t', {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      previous: 'cv_0',
      at: AT,
    });
    expect(input.Key).toEqual(key);
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':customerId': 'cu_1',
      ':previous': 'cv_0',
      ':at': AT,
      ':open': 'open',
    });
    expect(input.UpdateExpression).toContain(
      'waitingSince = :at, missedCallAt = :at, gsi1pk = :inbox, gsi1sk = :sk',
    );
  });
});
