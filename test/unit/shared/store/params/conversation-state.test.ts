import { describe, expect, it } from 'vitest';
import {
  conversationStateOf,
  EPISODE_STATE_ATTRIBUTES,
  earlierInboundSinceInput,
  episodeTouch,
  markEscalatedInput,
  markHumanRepliedInput,
  queryRecentTimelineInput,
} from '#shared/store/params/conversation-state.js';
import { reopenConversationInput, touchConversationInput } from '#shared/store/params/conversations.js';

const touch = {
  conversationId: 'cv_1',
  customerId: 'cu_1',
  channel: 'sms' as const,
  at: '2025-06-10T09:00:00.000Z',
  now: '2025-06-10T09:00:01.000Z',
  inbound: true,
  reopen: false,
};

describe('conversation state params', () => {
  it('records the first inbound time of a channel in the touch the resolver makes anyway', () => {
    expect(episodeTouch(touch)).toEqual({
      sets: ['#since = if_not_exists(#since, :at)'],
      names: { '#since': 'inboundSince_sms' },
    });
    expect(episodeTouch({ ...touch, inbound: false })).toEqual({ sets: [], names: {} });
    const input = touchConversationInput('t', touch, 'current');
    expect(input.UpdateExpression).toContain('#since = if_not_exists(#since, :at)');
    expect(input.UpdateExpression).toContain('stateFrom = if_not_exists(stateFrom, :now)');
    expect(input.ExpressionAttributeNames).toMatchObject({ '#since': 'inboundSince_sms' });
  });

  it("counts the customer's turn in the touch the resolver makes anyway, late or not", () => {
    for (const phase of ['current', 'stale'] as const) {
      const input = touchConversationInput('t', { ...touch, countsTurn: true }, phase);
      expect(input.UpdateExpression).toMatch(/ ADD (.*, )?customerTurns :one/);
      expect(input.ExpressionAttributeValues).toMatchObject({ ':one': 1 });
      // A redelivery (its first delivery counted it) or an event that is no turn adds nothing.
      expect(touchConversationInput('t', touch, phase).UpdateExpression).not.toContain('customerTurns');
    }
  });

  it('starts the count again when a message reopens the conversation', () => {
    const reopened = touchConversationInput('t', { ...touch, reopen: true, countsTurn: true }, 'current');
    expect(reopened.UpdateExpression).toContain('customerTurns = :one');
    expect(reopened.UpdateExpression).not.toMatch(/ADD (.*, )?customerTurns/);
    const again = touchConversationInput('t', { ...touch, reopen: true }, 'current');
    expect(again.UpdateExpression).toMatch(/REMOVE (.*, )?customerTurns/);
  });

  it('names the agent who answered last, in the same write, when the reply says who', () => {
    const input = markHumanRepliedInput('t', 'cv_1', touch.at, 'ag_1');
    expect(input.UpdateExpression).toBe(
      'SET humanRepliedAt = if_not_exists(humanRepliedAt, :at), humanAnswerBy = :by REMOVE customerTurns',
    );
    expect(input.ExpressionAttributeValues).toEqual({ ':at': touch.at, ':by': 'ag_1' });
  });

  it('starts the count again when an agent replies or reopens the conversation by hand', () => {
    expect(markHumanRepliedInput('t', 'cv_1', touch.at).UpdateExpression).toBe(
      'SET humanRepliedAt = if_not_exists(humanRepliedAt, :at) REMOVE customerTurns',
    );
    expect(reopenConversationInput('t', 'cv_1', touch.now, 'ag_1').UpdateExpression).toMatch(
      /REMOVE (.*, )?customerTurns/,
    );
  });

  it('moves a channel time back only to an earlier message of the same episode', () => {
    expect(earlierInboundSinceInput('t', touch)).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      UpdateExpression: 'SET #since = :at',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(#since) OR #since > :at) AND (attribute_not_exists(episodeFrom) OR episodeFrom < :at)',
      ExpressionAttributeNames: { '#since': 'inboundSince_sms' },
      ExpressionAttributeValues: { ':at': touch.at },
    });
  });

  it("hands off only while nobody has, or the item has already; keeps the episode's first time", () => {
    const input = markEscalatedInput('t', 'cv_1', { at: touch.at, itemId: 'sms:SM1', queue: 'general' });
    expect(input).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      UpdateExpression:
        'SET escalatedAt = if_not_exists(escalatedAt, :at), escalatedItemId = :item, escalatedQueue = :queue',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(escalatedItemId) OR escalatedItemId = :item)',
      ExpressionAttributeValues: { ':at': touch.at, ':item': 'sms:SM1', ':queue': 'general' },
    });
  });

  it('hands off anew only while the escalation is still the earlier one routing read', () => {
    const input = markEscalatedInput('t', 'cv_1', {
      at: touch.at,
      itemId: 'sms:SM2',
      queue: 'billing',
      seen: 'sms:SM1',
    });
    expect(input.ConditionExpression).toBe(
      'attribute_exists(pk) AND (escalatedItemId = :seen OR escalatedItemId = :item)',
    );
    expect(input.ExpressionAttributeValues).toEqual({
      ':at': touch.at,
      ':item': 'sms:SM2',
      ':queue': 'billing',
      ':seen': 'sms:SM1',
    });
  });

  it("keeps the time of a message without text it hands off for, and drops an earlier one's anew", () => {
    const photo = markEscalatedInput('t', 'cv_1', {
      at: touch.at,
      itemId: 'wa:2',
      queue: 'general',
      mediaAt: touch.at,
    });
    expect(photo.UpdateExpression).toBe(
      'SET escalatedAt = if_not_exists(escalatedAt, :at), escalatedItemId = :item, escalatedQueue = :queue, escalatedMediaAt = :media',
    );
    expect(photo.ExpressionAttributeValues).toMatchObject({ ':media': touch.at });
    const anew = markEscalatedInput('t', 'cv_1', {
      at: touch.at,
      itemId: 'wa:3',
      queue: 'general',
      seen: 'wa:2',
    });
    expect(anew.UpdateExpression).toBe(
      'SET escalatedAt = if_not_exists(escalatedAt, :at), escalatedItemId = :item, escalatedQueue = :queue REMOVE escalatedMediaAt',
    );
  });

  it('lists every attribute of an episode, which resolving removes', () => {
    expect(EPISODE_STATE_ATTRIBUTES).toEqual([
      'inboundSince_sms',
      'inboundSince_whatsapp',
      'inboundSince_messenger',
      'inboundSince_instagram',
      'inboundSince_email',
      'inboundSince_voice',
      'inboundSince_webchat',
      'humanRepliedAt',
      'escalatedAt',
      'escalatedItemId',
      'escalatedMediaAt',
      'escalatedQueue',
      'customerTurns',
    ]);
  });

  it('reads the state from the flat attributes of a conversation item', () => {
    const state = conversationStateOf({
      pk: 'CONVERSATION#cv_1',
      createdAt: touch.now,
      stateFrom: touch.now,
      inboundSince_sms: touch.at,
      humanRepliedAt: touch.now,
      queue: 'general',
    });
    expect(state).toEqual({
      createdAt: touch.now,
      stateFrom: touch.now,
      inboundSince: { sms: touch.at },
      humanRepliedAt: touch.now,
    });
  });

  it("reads the customer's turns, and a damaged count as none rather than failing the read", () => {
    const item = { pk: 'CONVERSATION#cv_1', createdAt: touch.now, stateFrom: touch.now };
    expect(conversationStateOf({ ...item, customerTurns: 4 }).customerTurns).toBe(4);
    expect(conversationStateOf({ ...item, customerTurns: '4' }).customerTurns).toBeUndefined();
    expect(conversationStateOf({ ...item, customerTurns: -1 }).customerTurns).toBeUndefined();
    expect(conversationStateOf(item).customerTurns).toBeUndefined();
  });

  it('reads a first-response mark that still owes its count (a crash stopped it) as none, so the next reply settles it', () => {
    const item = {
      pk: 'CONVERSATION#cv_1',
      createdAt: touch.now,
      stateFrom: touch.now,
      firstResponseAt: touch.now,
    };
    expect(conversationStateOf(item).firstResponseAt).toBe(touch.now);
    const owing = { ...item, countOwed: `+|first|${touch.now}|owed:x`, countOwedFrom: touch.at };
    expect(conversationStateOf(owing).firstResponseAt).toBeUndefined();
  });

  it('reads the recent timeline newest first, bounded, without raw payloads', () => {
    const input = queryRecentTimelineInput('t', 'cu_1', 12);
    expect(input).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':from': 'TIMELINE#', ':to': 'TIMELINE$' },
      ScanIndexForward: false,
      Limit: 12,
    });
    const projected = Object.values(input.ExpressionAttributeNames ?? {});
    expect(projected).toContain('text');
    expect(projected).toContain('data');
    expect(projected).not.toContain('raw');
  });
});
