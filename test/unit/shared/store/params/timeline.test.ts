import { describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import {
  advanceMessageRefInput,
  advanceReplyStatusInput,
  advanceTimelineStatusInput,
  onlyForward,
  putProviderEventInput,
  putRawPayloadInput,
  putTimelineItemInput,
  queryLastInboundInput,
  queryTimelineInput,
  queryWatermarkInput,
  RAW_INLINE_MAX,
  rawAside,
  statusReached,
} from '#shared/store/params/timeline.js';

describe('status params of a reply named by its key', () => {
  const key = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-01-01T00:00:00.000Z#reply:rp_1' };
  const change = { status: 'delivered' as const, at: '2026-01-01T00:00:05.000Z' };

  it('moves only an outbound item of that provider id, or one held by its send, forward; records the id', () => {
    expect(advanceReplyStatusInput('t', key, change, 'wamid.1')).toEqual({
      TableName: 't',
      Key: key,
      UpdateExpression:
        'SET #status = :status, statusRank = :rank, statusAt = :statusAt, providerMessageId = if_not_exists(providerMessageId, :pmid)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': 'delivered',
        ':rank': 2,
        ':statusAt': '2026-01-01T00:00:05.000Z',
        ':pmid': 'wamid.1',
        ':outbound': 'outbound',
      },
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :rank) AND direction = :outbound AND (providerMessageId = :pmid OR (attribute_not_exists(providerMessageId) AND attribute_exists(sendLeaseUntil)))',
    });
  });

  it('records a status only forward, keeping the condition it had', () => {
    const input = {
      TableName: 't',
      Key: key,
      UpdateExpression: 'SET x = :x',
      ConditionExpression: 'attribute_exists(pk)',
    };
    expect(onlyForward(input).ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    );
    expect(onlyForward({ ...input, ConditionExpression: undefined }).ConditionExpression).toBe(
      '(attribute_not_exists(statusRank) OR statusRank < :rank)',
    );
  });

  it('says an item read at a status or beyond needs no write of it', () => {
    expect(statusReached({ statusRank: 1 }, 'sent')).toBe(true);
    expect(statusReached({ statusRank: 3 }, 'delivered')).toBe(true);
    expect(statusReached({ statusRank: 0 }, 'sent')).toBe(false);
    expect(statusReached({}, 'sent')).toBe(false);
    expect(statusReached(undefined, 'sent')).toBe(false);
  });
});

describe('timeline params', () => {
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
    // Never onto an erasure's marker: a late status would put back what the erasure took.
    expect(input.ConditionExpression).toBe(
      'attribute_not_exists(erasedAt) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    );
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

  it("reads a customer's latest inbound messages on a channel, newest first", () => {
    expect(queryLastInboundInput('t', 'cu_1', 'sms')).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'channel = :channel AND direction = :inbound',
      ExpressionAttributeValues: {
        ':pk': 'CUSTOMER#cu_1',
        ':prefix': 'TIMELINE#',
        ':channel': 'sms',
        ':inbound': 'inbound',
      },
      ScanIndexForward: false,
      Limit: 100,
    });
  });

  it('keeps a raw provider event once, apart from the timeline', () => {
    const envelope = { id: 'ev_1', provider: 'meta', occurredAt: '2025-06-08T20:59:43.000Z' } as Envelope;
    expect(putProviderEventInput('t', envelope)).toEqual({
      TableName: 't',
      Item: {
        pk: 'PROVIDER_EVENT#meta',
        sk: '2025-06-08T20:59:43.000Z#ev_1',
        entity: 'provider_event',
        envelope: JSON.stringify(envelope),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('keeps a raw payload over 2 KB off the timeline item, as its own RAW# item written once', () => {
    const item = {
      id: 'email:m1',
      type: 'message' as const,
      at: '2025-06-10T09:00:00.000Z',
      customerId: 'cu_1',
    };
    const small = { mime: 'x'.repeat(100) };
    const large = { mime: 'x'.repeat(RAW_INLINE_MAX) };
    expect(putTimelineItemInput('t', item, small).Item?.raw).toBe(JSON.stringify(small));
    expect(rawAside(small)).toBeUndefined();
    expect(putTimelineItemInput('t', item, large).Item?.raw).toBeUndefined();
    expect(putRawPayloadInput('t', item, rawAside(large) ?? '')).toEqual({
      TableName: 't',
      Item: {
        pk: 'CUSTOMER#cu_1',
        sk: 'RAW#TIMELINE#2025-06-10T09:00:00.000Z#email:m1',
        entity: 'raw_payload',
        raw: JSON.stringify(large),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });
});

describe('the replies a watermark receipt reads', () => {
  it('reads a page of 20 items at or before the watermark: sent replies of its channel, with their rank', () => {
    const receipt = {
      channel: 'messenger' as const,
      at: '2026-12-04T10:00:00.123Z',
      status: 'read' as const,
    };
    expect(queryWatermarkInput('t', 'cu_1', receipt)).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression:
        'channel = :channel AND direction = :outbound AND attribute_exists(providerMessageId) AND statusRank >= :sent AND #status <> :failed',
      ProjectionExpression: 'pk, sk, statusRank',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': 'CUSTOMER#cu_1',
        ':from': 'TIMELINE#',
        ':to': 'TIMELINE#2026-12-04T10:00:00.123Z$',
        ':channel': 'messenger',
        ':outbound': 'outbound',
        ':sent': 1,
        ':failed': 'failed',
      },
      ScanIndexForward: false,
      Limit: 20,
    });
    // The next page starts after the last key of the one before.
    const start = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-12-04T09:00:00.000Z#messenger:m_1' };
    expect(queryWatermarkInput('t', 'cu_1', receipt, start).ExclusiveStartKey).toEqual(start);
  });

  it('takes in every item of the watermark millisecond and none of the next', () => {
    const { ExpressionAttributeValues: values } = queryWatermarkInput('t', 'cu_1', {
      channel: 'instagram',
      at: '2026-12-04T10:00:00.123Z',
      status: 'delivered',
    });
    const to = String(values?.[':to']);
    expect('TIMELINE#2026-12-04T10:00:00.123Z#reply:rp_zzz' < to).toBe(true);
    expect('TIMELINE#2026-12-04T10:00:00.124Z#reply:rp_000' > to).toBe(true);
  });
});
