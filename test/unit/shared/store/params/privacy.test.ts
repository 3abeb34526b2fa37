import { describe, expect, it } from 'vitest';
import {
  forgetMentionInput,
  identitySearchTerms,
  putTombstoneInput,
  queryMentionersInput,
  queryProviderEventsNamingInput,
  queryTimelineItemsInput,
} from '#shared/store/params/privacy.js';

describe('privacy params', () => {
  it('continues the mentions of an identity after a page', () => {
    const startKey = { pk: 'MENTION#phone#+1', sk: 'CUSTOMER#cu_8' };
    expect(queryMentionersInput('t', 'phone#+1', startKey).ExclusiveStartKey).toEqual(startKey);
  });

  it('searches provider events for each identity value, a phone number also without its +', () => {
    expect(
      identitySearchTerms(['phone#+16505551234', 'email#dana@example.com', 'whatsapp#+16505551234']),
    ).toEqual(['+16505551234', '16505551234', 'dana@example.com']);
  });

  it("reads a provider's unattached events that name any of the terms, keys only", () => {
    expect(queryProviderEventsNamingInput('t', 'twilio', ['+1', '1'])).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'contains(#envelope, :v0) OR contains(#envelope, :v1)',
      ExpressionAttributeNames: { '#envelope': 'envelope' },
      ExpressionAttributeValues: { ':pk': 'PROVIDER_EVENT#twilio', ':v0': '+1', ':v1': '1' },
      ProjectionExpression: 'pk, sk',
    });
  });

  it('reads the keys of everyone who mentioned an identity', () => {
    expect(queryMentionersInput('t', 'phone#+16505551234')).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'MENTION#phone#+16505551234' },
      ProjectionExpression: 'pk, sk, customerId',
    });
  });

  it("takes an erased identity off a mentioner's profile if it is still there", () => {
    expect(forgetMentionInput('t', 'cu_2', 'phone#+16505551234')).toEqual({
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_2', sk: 'PROFILE' },
      UpdateExpression: 'DELETE mentioned :token',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':token': new Set(['phone#+16505551234']) },
    });
  });

  it("pages through a partition's whole timeline items", () => {
    const first = {
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':prefix': 'TIMELINE#' },
    };
    expect(queryTimelineItemsInput('t', 'cu_1')).toEqual(first);
    expect(queryTimelineItemsInput('t', 'cu_1', { pk: 'x', sk: 'y' })).toEqual({
      ...first,
      ExclusiveStartKey: { pk: 'x', sk: 'y' },
    });
  });

  it('leaves a tombstone with the report, or only the time and the agent', () => {
    const report = {
      customerId: 'cu_1',
      erasedAt: '2025-06-10T09:00:00.000Z',
      erasedBy: 'ag_1',
      customers: 2,
      identities: 3,
      timelineItems: 10,
      conversations: 1,
    };
    expect(putTombstoneInput('t', 'cu_1', report)).toEqual({
      TableName: 't',
      Item: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE', entity: 'erased_customer', id: 'cu_1', ...report },
    });
    expect(putTombstoneInput('t', 'cu_2', { erasedAt: report.erasedAt, erasedBy: 'ag_1' })).toEqual({
      TableName: 't',
      Item: {
        pk: 'CUSTOMER#cu_2',
        sk: 'PROFILE',
        entity: 'erased_customer',
        id: 'cu_2',
        erasedAt: report.erasedAt,
        erasedBy: 'ag_1',
      },
    });
  });
});
