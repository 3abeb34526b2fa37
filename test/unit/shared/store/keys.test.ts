import { describe, expect, it } from 'vitest';
import {
  advanceMessageRefInput,
  advanceTimelineStatusInput,
  claimIdentityInput,
  Keys,
  nameSearchKey,
  putTimelineItemInput,
  queryInboxInput,
  queryTimelineInput,
  setNameInput,
  touchConversationInput,
  touchProfileInput,
} from '#shared/store/keys.js';

const phone = { kind: 'phone', value: '+16505551234' } as const;

describe('key builders', () => {
  it.each([
    ['identity', Keys.identity(phone), { pk: 'IDENTITY#phone#+16505551234', sk: 'IDENTITY' }],
    ['customer', Keys.customer('cu_1'), { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' }],
    [
      'timeline item',
      Keys.timelineItem('cu_1', '2025-06-08T20:59:43.000Z', 'whatsapp:wamid.A'),
      { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2025-06-08T20:59:43.000Z#whatsapp:wamid.A' },
    ],
    ['conversation', Keys.conversation('cv_1'), { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' }],
    [
      'message ref',
      Keys.messageRef('whatsapp', 'wamid.A'),
      { pk: 'MESSAGE#whatsapp#wamid.A', sk: 'MESSAGE' },
    ],
  ])('builds the %s key', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('folds case, accents and spaces for name search', () => {
    expect(nameSearchKey('  Jörg   MÜLLER ')).toBe('jorg muller');
  });

  it('claims an identity only when nobody holds it', () => {
    expect(claimIdentityInput('t', phone, 'cu_1', '2025-01-01T00:00:00.000Z')).toEqual({
      TableName: 't',
      Item: {
        pk: 'IDENTITY#phone#+16505551234',
        sk: 'IDENTITY',
        entity: 'identity',
        kind: 'phone',
        value: '+16505551234',
        customerId: 'cu_1',
        createdAt: '2025-01-01T00:00:00.000Z',
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  const touch = {
    customerId: 'cu_1',
    identities: [phone],
    channel: 'whatsapp' as const,
    at: '2025-06-08T20:59:43.000Z',
    now: '2025-06-08T21:00:00.000Z',
    conversationId: 'cv_1',
    inbound: true,
  };

  it('points the profile at the conversation only for an event newer than the last one and the last resolution', () => {
    const input = touchProfileInput('t', touch, 'current');
    expect(input.UpdateExpression).toBe(
      'SET entity = :entity, id = :id, createdAt = if_not_exists(createdAt, :now), #open = :conv, lastEventAt = :at, ' +
        'lastInboundAt = :at, lastInboundChannel = :channel, #channelInbound = :at ADD identities :identities, channels :channels, conversationIds :conversations',
    );
    expect(input.ConditionExpression).toBe(
      '(attribute_not_exists(lastEventAt) OR lastEventAt <= :at) AND (attribute_not_exists(lastResolvedAt) OR lastResolvedAt < :at)',
    );
    expect(input.ExpressionAttributeValues?.[':identities']).toEqual(new Set(['phone#+16505551234']));
    // The reply windows run per channel.
    expect(input.ExpressionAttributeNames?.['#channelInbound']).toBe('lastInbound_whatsapp');
  });

  it('only adds to the sets on the retry for an older event', () => {
    const input = touchProfileInput('t', touch, 'stale');
    expect(input.UpdateExpression).toBe(
      'SET entity = :entity, id = :id, createdAt = if_not_exists(createdAt, :now) ADD identities :identities, channels :channels, conversationIds :conversations',
    );
    expect(input.ConditionExpression).toBeUndefined();
  });

  it('keeps the name of the earliest event and indexes it for search', () => {
    const input = setNameInput('t', 'cu_1', 'Sheena Nelson', '2025-06-08T20:59:43.000Z');
    expect(input.ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(nameAt) OR nameAt > :at)',
    );
    expect(input.ExpressionAttributeValues?.[':nameSk']).toBe('sheena nelson#cu_1');
  });

  it('writes a timeline item once, with the status rank of an outbound message', () => {
    const input = putTimelineItemInput(
      't',
      {
        id: 'whatsapp:wamid.OUT',
        type: 'message',
        channel: 'whatsapp',
        direction: 'outbound',
        at: '2025-06-08T21:00:00.000Z',
        customerId: 'cu_1',
        status: 'sent',
      },
      { id: 'wamid.OUT' },
    );
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(input.Item).toMatchObject({
      pk: 'CUSTOMER#cu_1',
      sk: 'TIMELINE#2025-06-08T21:00:00.000Z#whatsapp:wamid.OUT',
      entity: 'timeline',
      statusRank: 1,
      raw: '{"id":"wamid.OUT"}',
    });
  });

  it('advances a status only to a higher rank, creating the reference if absent', () => {
    const input = advanceMessageRefInput('t', 'whatsapp', 'wamid.OUT', {
      status: 'delivered',
      at: '2025-06-08T21:01:00.000Z',
    });
    expect(input.Key).toEqual({ pk: 'MESSAGE#whatsapp#wamid.OUT', sk: 'MESSAGE' });
    expect(input.ConditionExpression).toBe('attribute_not_exists(statusRank) OR statusRank < :rank');
    expect(input.ExpressionAttributeValues?.[':rank']).toBe(2);
  });

  it('never creates a timeline item when advancing its status', () => {
    const input = advanceTimelineStatusInput(
      't',
      { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#x' },
      { status: 'failed', at: '2025-06-08T21:01:00.000Z', errors: [{ code: '131049' }] },
    );
    expect(input.ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    );
    expect(input.UpdateExpression).toBe(
      'SET #status = :status, statusRank = :rank, statusAt = :statusAt, errors = :errors',
    );
  });

  it('puts a waiting conversation in the inbox once, keyed on when the wait began', () => {
    const input = touchConversationInput(
      't',
      {
        conversationId: 'cv_1',
        customerId: 'cu_1',
        channel: 'whatsapp',
        at: '2025-06-08T20:59:43.000Z',
        now: '2025-06-08T21:00:00.000Z',
        inbound: true,
        reopen: false,
      },
      'current',
    );
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':inbox': 'INBOX#open',
      ':inboxSk': '2025-06-08T20:59:43.000Z#cv_1',
    });
    expect(input.UpdateExpression).toContain('gsi1sk = if_not_exists(gsi1sk, :inboxSk)');
  });

  it('reads a timeline oldest first, strictly after a sort-key cursor', () => {
    expect(queryTimelineInput('t', 'cu_1', { limit: 50, after: 'TIMELINE#2025#x' })).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': 'CUSTOMER#cu_1',
        ':from': 'TIMELINE#2025#x\u0000',
        ':to': 'TIMELINE$',
      },
      ScanIndexForward: true,
      Limit: 50,
    });
  });

  it('reopens a resolved conversation only for an event newer than its resolution', () => {
    const input = touchConversationInput(
      't',
      {
        conversationId: 'cv_1',
        customerId: 'cu_1',
        channel: 'sms',
        at: '2025-06-10T09:00:00.000Z',
        now: '2025-06-10T09:00:01.000Z',
        inbound: true,
        reopen: true,
      },
      'current',
    );
    expect(input.UpdateExpression).toContain('#status = :open');
    expect(input.UpdateExpression).toContain('REMOVE resolvedAt');
    expect(input.ConditionExpression).toContain('(attribute_not_exists(resolvedAt) OR resolvedAt < :at)');
  });

  it('filters the inbox for unassigned conversations of a queue', () => {
    const input = queryInboxInput(
      't',
      { status: 'open', assignee: 'unassigned', queue: 'billing' },
      { limit: 20 },
    );
    expect(input.IndexName).toBe('gsi1');
    expect(input.FilterExpression).toBe('attribute_not_exists(assignee) AND #queue = :queue');
    expect(input.ExpressionAttributeValues).toEqual({ ':pk': 'INBOX#open', ':queue': 'billing' });
  });

  it('filters the inbox for conversations the customer wrote in on a channel', () => {
    const input = queryInboxInput('t', { status: 'open', channel: 'email' }, { limit: 20 });
    expect(input.FilterExpression).toBe('contains(channels, :channel)');
    expect(input.ExpressionAttributeValues).toEqual({ ':pk': 'INBOX#open', ':channel': 'email' });
  });
});
