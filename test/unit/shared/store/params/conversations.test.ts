import { describe, expect, it } from 'vitest';
import {
  assignConversationInput,
  claimCsatAnswerInput,
  earlierPreviewInput,
  earlierWaitInput,
  holdOpenConversationInput,
  isOvertaken,
  lateReopenFollowUp,
  queryInboxInput,
  releaseOpenConversationInput,
  reopenConversationInput,
  resolveConversationInput,
  touchConversationInput,
} from '#shared/store/params/conversations.js';

describe('conversation params', () => {
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
      ':inbox': 'INBOX#open#40',
      ':inboxSk': '2025-06-08T20:59:43.000Z#cv_1',
    });
    expect(input.UpdateExpression).toContain('gsi1sk = if_not_exists(gsi1sk, :inboxSk)');
  });

  it('keeps the first preview a conversation is given, in either phase, and writes none for an event without one', () => {
    const touch = {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      channel: 'whatsapp' as const,
      at: '2025-06-08T20:59:43.000Z',
      now: '2025-06-08T21:00:00.000Z',
      inbound: true,
      reopen: false,
      preview: 'Where is my order?',
    };
    for (const phase of ['current', 'stale'] as const) {
      const input = touchConversationInput('t', touch, phase);
      expect(input.UpdateExpression).toContain('preview = if_not_exists(preview, :preview)');
      expect(input.ExpressionAttributeValues).toMatchObject({ ':preview': 'Where is my order?' });
      const none = touchConversationInput('t', { ...touch, preview: undefined }, phase);
      expect(none.UpdateExpression).not.toContain('preview');
    }
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
    // Its first wait starts here when none was kept; a kept one (resolved unanswered) stays.
    expect(input.UpdateExpression).toContain('firstWaitFrom = if_not_exists(firstWaitFrom, :at)');
  });

  it('judges a reopen by a message timed at or before the resolution by when it was first received', () => {
    const touch = {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      channel: 'whatsapp' as const,
      at: '2025-06-10T09:00:00.000Z',
      now: '2025-06-10T09:00:03.000Z',
      inbound: true,
      reopen: true,
      receivedAt: '2025-06-10T09:00:02.000Z',
      arrivedAt: '2025-06-10T09:00:01.000Z',
    };
    const input = touchConversationInput('t', touch, 'current');
    expect(input.ConditionExpression).toBe(
      '(attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at OR #status = :resolved) AND (attribute_not_exists(resolvedAt) OR resolvedAt < :received)',
    );
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':at': '2025-06-10T09:00:00.000Z',
      ':received': '2025-06-10T09:00:02.000Z',
      ':resolved': 'resolved',
    });
    // It waits from when our webhook took it (not the resolver, perhaps hours later after a crash),
    // never from its own time (perhaps years before, a replay).
    expect(input.UpdateExpression).toContain('waitingSince = :since');
    expect(input.UpdateExpression).toContain('firstWaitFrom = if_not_exists(firstWaitFrom, :since)');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':since': '2025-06-10T09:00:01.000Z',
      ':inboxSk': expect.stringContaining('2025-06-10T09:00:01.000Z'),
    });
    // Older perhaps than the last message: its times move forward only, by a write of their own.
    expect(input.UpdateExpression).toContain('lastMessageAt = if_not_exists(lastMessageAt, :at)');
    expect(input.UpdateExpression).not.toContain('lastInboundAt');
    // A touch that reopens nothing keeps judging by the event's own time.
    const open = touchConversationInput('t', { ...touch, reopen: false }, 'current');
    expect(open.ConditionExpression).toContain('resolvedAt < :at');
    expect(open.ExpressionAttributeValues).not.toHaveProperty(':received');
  });

  it('moves a late reopen’s last times forward only, in one write, never back to it', () => {
    const late = {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      channel: 'sms' as const,
      at: '2025-06-10T09:05:00.000Z',
      now: '2025-06-10T10:00:00.000Z',
      inbound: true,
      reopen: true,
      receivedAt: '2025-06-10T10:00:00.000Z',
    };
    const after = { lastInboundAt: '2025-06-10T09:00:00.000Z', lastMessageAt: '2025-06-10T09:00:00.000Z' };
    expect(lateReopenFollowUp('t', late, after)?.input).toMatchObject({
      UpdateExpression: 'SET lastInboundAt = :at, lastMessageAt = :at, channel = :channel',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt < :at) AND (attribute_not_exists(lastMessageAt) OR lastMessageAt < :at)',
      ExpressionAttributeValues: { ':at': late.at, ':channel': 'sms' },
    });
    // A later message (an echo, an answer) came before the resolve: the last message stays it.
    const echoed = { ...after, lastMessageAt: '2025-06-10T09:30:00.000Z' };
    expect(lateReopenFollowUp('t', late, echoed)?.moves).toEqual({ lastInboundAt: late.at });
    const spoke = { lastInboundAt: '2025-06-10T09:30:00.000Z', lastMessageAt: '2025-06-10T09:30:00.000Z' };
    expect(lateReopenFollowUp('t', late, spoke)).toBeUndefined();
    expect(lateReopenFollowUp('t', { ...late, receivedAt: undefined }, after)).toBeUndefined();
  });

  it('moves no beginning of a conversation back to a message from before it, and tells what overtook one', () => {
    const touch = {
      conversationId: 'cv_1',
      customerId: 'cu_1',
      channel: 'whatsapp' as const,
      at: '2024-05-01T09:00:00.000Z',
      now: '2025-06-10T09:00:03.000Z',
      inbound: true,
      reopen: false,
      preview: 'old ticket',
      arrivedAt: '2025-06-10T09:00:02.000Z',
    };
    const before = '(attribute_not_exists(createdAt) OR createdAt <= :at OR createdAt > :arrived)';
    for (const input of [earlierWaitInput('t', touch), earlierPreviewInput('t', touch)]) {
      expect(input?.ConditionExpression).toContain(` AND ${before}`);
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':arrived': touch.arrivedAt });
    }
    // Without its arrival (an event of another kind), as before.
    const { arrivedAt: _, ...unknown } = touch;
    expect(earlierWaitInput('t', unknown).ConditionExpression).not.toContain('createdAt');
    // Overtaken: by an answer recorded after it, or by a conversation begun after it, before it came.
    expect(isOvertaken({ lastAnswerAt: '2025-06-10T08:00:00.000Z' }, touch)).toBe(true);
    expect(isOvertaken({ createdAt: '2025-06-10T08:00:00.000Z' }, touch)).toBe(true);
    expect(isOvertaken({ createdAt: '2025-06-10T09:00:02.500Z' }, touch)).toBe(false);
    expect(
      isOvertaken({ answeredAt: '2024-04-01T00:00:00.000Z', createdAt: '2024-04-01T00:00:00.000Z' }, touch),
    ).toBe(false);
  });

  it('filters the inbox for unassigned conversations of a queue', () => {
    const input = queryInboxInput(
      't',
      { status: 'open', assignee: 'unassigned', queue: 'billing' },
      { limit: 20 },
    );
    expect(input.IndexName).toBe('gsi1k');
    expect(input.FilterExpression).toBe('attribute_not_exists(assignee) AND #queue = :queue');
    expect(input.ExpressionAttributeValues).toEqual({ ':pk': 'INBOX#open', ':queue': 'billing' });
  });

  it('reads a shard of the deadline index after a cursor, with the same filters', () => {
    const input = queryInboxInput(
      't',
      { status: 'open', sort: 'due', queue: 'billing' },
      { limit: 20, partition: 'INBOXDUE#open#7', after: '2025-06-10T09:00:00.000Z#cv_1', index: 'gsi2' },
    );
    expect(input.IndexName).toBe('gsi2');
    expect(input.KeyConditionExpression).toBe('gsi2pk = :pk AND gsi2sk > :after');
    expect(input.FilterExpression).toBe('#queue = :queue');
    expect(input.ExpressionAttributeValues).toEqual({
      ':pk': 'INBOXDUE#open#7',
      ':after': '2025-06-10T09:00:00.000Z#cv_1',
      ':queue': 'billing',
    });
  });

  it('filters the inbox for conversations the customer wrote in on a channel', () => {
    const input = queryInboxInput('t', { status: 'open', channel: 'email' }, { limit: 20 });
    expect(input.FilterExpression).toBe('contains(channels, :channel)');
    expect(input.ExpressionAttributeValues).toEqual({ ':pk': 'INBOX#open', ':channel': 'email' });
  });

  const now = '2025-06-10T09:00:00.000Z';
  const conversationKey = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
  const profileKey = { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' };

  it('moves a resolved conversation to the resolved inbox and ends its wait and its routing episode', () => {
    expect(resolveConversationInput('t', 'cv_1', now, 'ag_1')).toEqual({
      TableName: 't',
      Key: conversationKey,
      UpdateExpression:
        'SET #status = :resolved, resolvedAt = :now, resolvedBy = :agent, gsi1pk = :inbox, gsi1sk = :inboxSk, gsi2pk = :inboxDue, openedFrom = if_not_exists(episodeFrom, createdAt), episodeFrom = :now REMOVE waitingSince, missedCallAt, answeredSk, reopenedAt, reopenedBy, snoozedUntil, inboundSince_sms, inboundSince_whatsapp, inboundSince_messenger, inboundSince_instagram, inboundSince_email, inboundSince_voice, inboundSince_webchat, humanRepliedAt, escalatedAt, escalatedItemId, escalatedMediaAt, escalatedQueue, customerTurns',
      // Resolved already (a second click, a race, a retry): the first resolve's time and author stay.
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':open': 'open',
        ':resolved': 'resolved',
        ':now': now,
        ':agent': 'ag_1',
        ':inbox': 'INBOX#resolved#40',
        ':inboxSk': `${now}#cv_1`,
        ':inboxDue': 'INBOXDUE#resolved#40',
      },
    });
  });

  it('lets the profile go of a resolved conversation only while it is the open one', () => {
    expect(releaseOpenConversationInput('t', 'cu_1', 'cv_1', now)).toEqual({
      TableName: 't',
      Key: profileKey,
      UpdateExpression: 'REMOVE openConversationId SET lastConversationId = :id, lastResolvedAt = :now',
      ConditionExpression: 'openConversationId = :id',
      ExpressionAttributeValues: { ':id': 'cv_1', ':now': now },
    });
  });

  it('reopens a resolved conversation by hand into the open inbox, waiting from now, keeping when and by whom', () => {
    expect(reopenConversationInput('t', 'cv_1', now, 'ag_1')).toEqual({
      TableName: 't',
      Key: conversationKey,
      UpdateExpression:
        'SET #status = :open, gsi1pk = :inbox, gsi1sk = :inboxSk, gsi2pk = :inboxDue, waitingSince = :now, reopenedAt = :now, reopenedBy = :by REMOVE resolvedAt, resolvedBy, answeredSk, answeredBy, humanAnswerBy, snoozedUntil, customerTurns',
      ConditionExpression: '#status = :resolved',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':open': 'open',
        ':resolved': 'resolved',
        ':inbox': 'INBOX#open#40',
        ':inboxSk': `${now}#cv_1`,
        ':inboxDue': 'INBOXDUE#open#40',
        ':now': now,
        ':by': 'ag_1',
      },
    });
  });

  it('points the profile at a reopened conversation unless another is open', () => {
    expect(holdOpenConversationInput('t', 'cu_1', 'cv_1')).toEqual({
      TableName: 't',
      Key: profileKey,
      UpdateExpression: 'SET openConversationId = :id',
      ConditionExpression: 'attribute_not_exists(openConversationId)',
      ExpressionAttributeValues: { ':id': 'cv_1' },
    });
  });

  it('assigns an existing conversation to an agent and a queue', () => {
    expect(assignConversationInput('t', 'cv_1', { agentId: 'ag_1', queue: 'billing' })).toEqual({
      TableName: 't',
      Key: conversationKey,
      UpdateExpression: 'SET assignee = :agent, #queue = :queue ADD #loadAgents :loadAgent',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#queue': 'queue', '#loadAgents': 'loadAgents' },
      ExpressionAttributeValues: { ':agent': 'ag_1', ':queue': 'billing', ':loadAgent': new Set(['ag_1']) },
    });
  });

  it('records when the assignment was made, for its conversation.assigned', () => {
    const input = assignConversationInput(
      't',
      'cv_1',
      { queue: 'billing' },
      { at: '2026-12-02T05:00:00.000Z' },
    );
    expect(input.UpdateExpression).toBe('SET #queue = :queue, assignedAt = :assignedAt');
    expect(input.ExpressionAttributeValues).toEqual({
      ':queue': 'billing',
      ':assignedAt': '2026-12-02T05:00:00.000Z',
    });
  });

  it('unassigns with an empty agent id and leaves the queue alone when none is given', () => {
    expect(assignConversationInput('t', 'cv_1', { agentId: '' })).toEqual({
      TableName: 't',
      Key: conversationKey,
      UpdateExpression: 'REMOVE assignee',
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it('assigns only a conversation still open and nobody\u2019s when asked to', () => {
    expect(assignConversationInput('t', 'cv_1', { agentId: 'ag_1' }, { ifUnassigned: true })).toEqual({
      TableName: 't',
      Key: conversationKey,
      UpdateExpression: 'SET assignee = :agent ADD #loadAgents :loadAgent',
      ConditionExpression: 'attribute_exists(pk) AND #status = :open AND attribute_not_exists(assignee)',
      ExpressionAttributeNames: { '#status': 'status', '#loadAgents': 'loadAgents' },
      ExpressionAttributeValues: { ':agent': 'ag_1', ':open': 'open', ':loadAgent': new Set(['ag_1']) },
    });
  });

  it('reads one shard of the inbox after a sort key', () => {
    const input = queryInboxInput(
      't',
      { status: 'open', assignee: 'ag_1' },
      { limit: 5, partition: 'INBOX#open#7', after: '2025-06-09T08:00:00.000Z#cv_1' },
    );
    expect(input.KeyConditionExpression).toBe('gsi1pk = :pk AND gsi1sk > :after');
    expect(input.ExpressionAttributeValues).toEqual({
      ':pk': 'INBOX#open#7',
      ':after': '2025-06-09T08:00:00.000Z#cv_1',
      ':assignee': 'ag_1',
    });
    expect(input.ScanIndexForward).toBe(true);
  });

  it("claims a survey's one score on its conversation: the same answer again passes, another fails", () => {
    expect(
      claimCsatAnswerInput('t', { conversationId: 'cv_1', surveyId: 'sv_1', source: 'sms:SM1' }),
    ).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      UpdateExpression: 'SET #claim = :source',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#claim) OR #claim = :source)',
      ExpressionAttributeNames: { '#claim': 'csatAnswer_sv_1' },
      ExpressionAttributeValues: { ':source': 'sms:SM1' },
    });
  });
});
