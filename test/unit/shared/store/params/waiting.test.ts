import { describe, expect, it } from 'vitest';
import { reopenConversationInput, touchConversationInput } from '#shared/store/params/conversations.js';
import {
  dropAnsweredWaitInput,
  firstAnswerInput,
  firstResponseListedInput,
  followUpAnswerInput,
  handOffMadeInput,
  lateFailureReopenInput,
  lateFailureWaitInput,
  listInInboxInput,
  markAnsweredInput,
  owedWhileWaitingInput,
  startWaitingInput,
} from '#shared/store/params/waiting.js';

const key = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const AT = '2026-03-02T09:05:00.000Z';

describe('waiting params', () => {
  it('ends a wait with an answer no customer message is newer than, moving the entry after the waiting', () => {
    expect(markAnsweredInput('t', 'cv_1', AT)).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression:
        'SET answeredAt = :at, answeredSk = if_not_exists(answeredSk, :answeredSk), gsi1sk = if_not_exists(answeredSk, :answeredSk) REMOVE waitingSince, lastAnswerAt, missedCallAt',
      ConditionExpression:
        '#status = :open AND attribute_exists(gsi1sk) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at) AND (attribute_not_exists(waitingSince) OR waitingSince <= :at) AND (attribute_exists(waitingSince) OR attribute_not_exists(answeredAt) OR answeredAt < lastInboundAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':at': AT, ':open': 'open', ':answeredSk': `answered#${AT}#cv_1` },
    });
  });

  it('keeps a follow-up reply that ended no wait as the latest answer sent, only forward', () => {
    expect(followUpAnswerInput('t', 'cv_1', AT)).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression: 'SET lastAnswerAt = :at',
      ConditionExpression:
        '#status = :open AND answeredAt < :at AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':at': AT, ':open': 'open' },
    });
  });

  it('starts a wait only when none runs and no answer is as new as the message', () => {
    expect(startWaitingInput('t', 'cv_1', AT)).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression:
        'SET waitingSince = :at, firstWaitFrom = if_not_exists(firstWaitFrom, :at), gsi1sk = :sk REMOVE answeredSk',
      ConditionExpression:
        '#status = :open AND attribute_exists(gsi1sk) AND attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':at': AT, ':open': 'open', ':sk': `${AT}#cv_1` },
    });
  });

  it('starts the wait of a message received after an answer older than that receipt (it crossed the answer)', () => {
    const received = '2026-03-02T09:05:02.400Z';
    const input = startWaitingInput('t', 'cv_1', AT, undefined, received);
    expect(input.ConditionExpression).toBe(
      '#status = :open AND attribute_exists(gsi1sk) AND attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < :received) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :received)',
    );
    expect(input.ExpressionAttributeValues).toEqual({
      ':at': AT,
      ':open': 'open',
      ':sk': `${AT}#cv_1`,
      ':received': received,
    });
    // A receipt no later than the message's time changes nothing.
    expect(startWaitingInput('t', 'cv_1', AT, undefined, AT)).toEqual(startWaitingInput('t', 'cv_1', AT));
  });

  it("records the AI's first response, its answer and the inbox entry in one write", () => {
    const answered = '2026-03-02T09:05:00.001Z';
    expect(firstAnswerInput('t', 'cv_1', { at: AT, answered })).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression:
        'SET firstResponseAt = :first, firstResponseWaitFrom = if_not_exists(waitingSince, :noWait), answeredAt = :at, answeredSk = if_not_exists(answeredSk, :answeredSk), gsi1sk = if_not_exists(answeredSk, :answeredSk), gsi1pk = if_not_exists(gsi1pk, :inbox) REMOVE waitingSince, lastAnswerAt, missedCallAt',
      ConditionExpression:
        'attribute_not_exists(firstResponseAt) AND #status = :open AND attribute_exists(gsi1sk) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at) AND (attribute_not_exists(waitingSince) OR waitingSince <= :at)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':first': AT,
        ':noWait': '',
        ':at': answered,
        ':open': 'open',
        ':answeredSk': `answered#${answered}#cv_1`,
        ':inbox': 'INBOX#open#40',
      },
      ReturnValues: 'ALL_OLD',
    });
  });

  it('lists the conversation at the place it keeps when the first response ends no wait', () => {
    expect(firstResponseListedInput('t', 'cv_1', AT)).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression:
        'SET firstResponseAt = :at, firstResponseWaitFrom = if_not_exists(waitingSince, :noWait), gsi1pk = if_not_exists(gsi1pk, :inbox)',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstResponseAt)',
      ExpressionAttributeValues: { ':at': AT, ':noWait': '', ':inbox': 'INBOX#open#40' },
      ReturnValues: 'ALL_NEW',
    });
    expect(listInInboxInput('t', 'cv_1')).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression: 'SET gsi1pk = :inbox',
      ConditionExpression: '#status = :open AND attribute_not_exists(gsi1pk) AND attribute_exists(gsi1sk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':open': 'open', ':inbox': 'INBOX#open#40' },
    });
  });

  it('starts the wait again from the message a failed answer had answered, if it is the last answer', () => {
    const failed = '2026-03-02T09:06:00.000Z';
    expect(startWaitingInput('t', 'cv_1', AT, failed)).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression:
        'SET waitingSince = :at, firstWaitFrom = if_not_exists(firstWaitFrom, :at), gsi1sk = :sk REMOVE answeredSk, answeredAt',
      ConditionExpression:
        '#status = :open AND attribute_exists(gsi1sk) AND (answeredAt = :failed OR (attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at))) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt <= :failed)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':at': AT, ':open': 'open', ':sk': `${AT}#cv_1`, ':failed': failed },
    });
  });

  it("records the hand-off a refused answer owes while its message's wait runs, once for that answer", () => {
    const failed = '2026-03-02T09:05:00.001Z';
    const owed = { answer: '2026-03-02T09:05:02.000Z', at: '2026-03-02T09:05:03.000Z' };
    const input = owedWhileWaitingInput('t', 'cv_1', AT, failed, owed);
    expect(input).toMatchObject({ Key: key, UpdateExpression: 'SET handOffOwed = :handOff' });
    // The wait runs from the message or before it, no answer was sent after, none recorded for it (or later).
    expect(input.ConditionExpression).toBe(
      '#status = :open AND waitingSince <= :at AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt <= :failed) AND (attribute_not_exists(handOffOwed) OR handOffOwed.answer < :answer)',
    );
    expect(input.ExpressionAttributeValues).toEqual({
      ':open': 'open',
      ':at': AT,
      ':failed': failed,
      ':answer': owed.answer,
      ':handOff': owed,
    });
    // Made, the mark stays (so the refusal run again records none), marked so.
    expect(handOffMadeInput('t', 'cv_1', owed.answer)).toMatchObject({
      UpdateExpression: 'SET handOffOwed.made = :made',
      ConditionExpression: 'handOffOwed.answer = :answer AND attribute_not_exists(handOffOwed.made)',
      ExpressionAttributeValues: { ':answer': owed.answer, ':made': true },
    });
  });

  it('starts the wait again after a later failed status only while no answer reached the customer after it', () => {
    const failed = '2026-03-02T09:06:00.000Z';
    const input = lateFailureWaitInput('t', 'cv_1', AT, failed);
    expect(input).toEqual({
      ...startWaitingInput('t', 'cv_1', AT, failed),
      ConditionExpression:
        '#status = :open AND attribute_exists(gsi1sk) AND (answeredAt = :failed OR (attribute_not_exists(waitingSince) AND (attribute_not_exists(answeredAt) OR answeredAt < :at) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :at))) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt <= :failed) AND (attribute_not_exists(answeredAt) OR answeredAt = :failed OR answeredAt < lastInboundAt) AND (attribute_exists(waitingSince) OR attribute_not_exists(lastInboundAt) OR lastInboundAt <= :failed)',
    });
  });

  it('reopens as by hand only a conversation resolved after its failed last answer, the customer silent since', () => {
    const failed = '2026-03-02T09:06:00.000Z';
    const now = '2026-03-02T09:30:00.000Z';
    const byHand = reopenConversationInput('t', 'cv_1', now, 'delivery');
    expect(lateFailureReopenInput('t', 'cv_1', now, failed)).toEqual({
      ...byHand,
      ConditionExpression:
        '#status = :resolved AND resolvedAt >= :failed AND (attribute_not_exists(answeredAt) OR answeredAt = :failed OR (answeredAt < :failed AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt < :failed))) AND (attribute_not_exists(lastAnswerAt) OR lastAnswerAt <= :failed) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt <= :failed)',
      ExpressionAttributeValues: { ...byHand.ExpressionAttributeValues, ':failed': failed },
    });
  });

  it('drops only the wait a redelivered message set after the answer that covered it', () => {
    expect(dropAnsweredWaitInput('t', 'cv_1', AT)).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression: 'REMOVE waitingSince',
      ConditionExpression: 'waitingSince = :since AND answeredAt >= :since AND attribute_exists(answeredSk)',
      ExpressionAttributeValues: { ':since': AT },
    });
  });

  it('starts the wait in the touch only for the message that opens the conversation, and keeps the last inbound time', () => {
    const touch = {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      channel: 'whatsapp' as const,
      at: AT,
      now: AT,
      inbound: true,
      reopen: false,
    };
    const opening = touchConversationInput('t', touch, 'current').UpdateExpression;
    expect(opening).toContain('waitingSince = if_not_exists(waitingSince, :at)');
    expect(opening).toContain('gsi1sk = if_not_exists(gsi1sk, :inboxSk)');
    expect(opening).toContain('lastInboundAt = :at');
    const later = touchConversationInput('t', { ...touch, continues: true }, 'current').UpdateExpression;
    expect(later).not.toContain('waitingSince');
    expect(later).toContain('lastInboundAt = :at');
    const echo = touchConversationInput('t', { ...touch, inbound: false }, 'current').UpdateExpression;
    expect(echo).not.toContain('lastInboundAt');
    expect(opening).toContain('gsi1pk = if_not_exists(gsi1pk, :inbox)');
    // Routing follows: the place is kept, the entry left to the first response or the resolver.
    const listLater = touchConversationInput('t', { ...touch, listLater: true }, 'current');
    expect(listLater.UpdateExpression).toContain('gsi1sk = if_not_exists(gsi1sk, :inboxSk)');
    expect(listLater.UpdateExpression).not.toContain('gsi1pk');
    expect(listLater.ExpressionAttributeValues).not.toHaveProperty(':inbox');
    const reopening = touchConversationInput('t', { ...touch, reopen: true }, 'current').UpdateExpression;
    expect(reopening).toContain('waitingSince = :at');
    expect(reopening).toContain('answeredSk');
  });

  it('reopens a resolved conversation on an event the customer did not speak in without starting a wait', () => {
    const touch = {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      channel: 'whatsapp' as const,
      at: AT,
      now: AT,
      inbound: false,
      reopen: true,
    };
    const input = touchConversationInput('t', touch, 'current');
    expect(input.UpdateExpression).not.toContain('waitingSince');
    expect(input.UpdateExpression).not.toContain('lastInboundAt');
    // Open again among the answered, by the event's time: nobody waits.
    expect(input.UpdateExpression).toContain('#status = :open');
    expect(input.UpdateExpression).toContain('gsi1sk = :answeredSk');
    expect(input.UpdateExpression).toContain('answeredSk = :answeredSk');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':answeredSk': `answered#${AT}#cv_1` });
    // Its answered place stays; the new episode's count of customer turns starts from none.
    expect(input.UpdateExpression).toMatch(
      /REMOVE resolvedAt, answeredBy, humanAnswerBy, snoozedUntil, customerTurns$/,
    );
    // The customer's message reopens it waiting, from itself.
    const spoken = touchConversationInput('t', { ...touch, inbound: true }, 'current');
    expect(spoken.UpdateExpression).toContain('waitingSince = :at');
    expect(spoken.UpdateExpression).toContain('gsi1sk = :inboxSk');
    expect(spoken.UpdateExpression).toMatch(
      /REMOVE resolvedAt, answeredSk, answeredBy, humanAnswerBy, snoozedUntil, customerTurns$/,
    );
  });
});
