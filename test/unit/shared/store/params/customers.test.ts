import { describe, expect, it } from 'vitest';
import { customerListPartition } from '#shared/store/customer-list.js';
import {
  changeTagsInputs,
  claimIdentityInput,
  putMembershipInput,
  queryMembershipsInput,
  setLastAgentInput,
  setNameInput,
  setTagsInput,
  touchProfileInput,
  voidCsatPendingInput,
} from '#shared/store/params/customers.js';

const phone = { kind: 'phone', value: '+16505551234' } as const;

describe('customer params', () => {
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
        'lastInboundAt = :at, lastInboundChannel = :channel, #channelInbound = :at ADD identities :identities, channels :channels',
    );
    expect(input.ConditionExpression).toBe(
      '(attribute_not_exists(entity) OR entity <> :erased) AND attribute_not_exists(erasingSince) AND (attribute_not_exists(lastEventAt) OR lastEventAt <= :at) AND (attribute_not_exists(lastResolvedAt) OR lastResolvedAt < :at)',
    );
    expect(input.ExpressionAttributeValues?.[':identities']).toEqual(new Set(['phone#+16505551234']));
    // The reply windows run per channel.
    expect(input.ExpressionAttributeNames?.['#channelInbound']).toBe('lastInbound_whatsapp');
  });

  it('keeps the WhatsApp provider of the latest message: Twilio set, the Cloud API removes it, older ones neither', () => {
    const twilio = touchProfileInput('t', { ...touch, whatsappProvider: 'twilio' }, 'current');
    expect(twilio.UpdateExpression).toContain('whatsappProvider = :whatsappProvider');
    expect(twilio.ExpressionAttributeValues?.[':whatsappProvider']).toBe('twilio');
    const cloud = touchProfileInput('t', { ...touch, whatsappProvider: null }, 'current');
    expect(cloud.UpdateExpression).toMatch(/ REMOVE whatsappProvider$/);
    const older = touchProfileInput('t', { ...touch, whatsappProvider: 'twilio' }, 'stale');
    expect(older.UpdateExpression).not.toContain('whatsappProvider');
  });

  it("lists a customer by their profile's first write only: the list's keys at its creation time, kept once set", () => {
    const firstContact = { ...touch, firstContact: true };
    for (const phase of ['current', 'stale'] as const) {
      const input = touchProfileInput('t', firstContact, phase);
      expect(input.UpdateExpression).toContain(
        'gsi3pk = if_not_exists(gsi3pk, :listPk), gsi3sk = if_not_exists(gsi3sk, :listSk)',
      );
      expect(input.ExpressionAttributeValues?.[':listPk']).toBe(customerListPartition('cu_1'));
      expect(input.ExpressionAttributeValues?.[':listSk']).toBe(`${touch.now}#cu_1`);
      expect(input.ExpressionAttributeValues?.[':now']).toBe(touch.now);
    }
    // A returning customer's touch leaves the list alone: no index write.
    expect(touchProfileInput('t', touch, 'current').UpdateExpression).not.toContain('gsi3');
  });

  it('only adds to the sets on the retry for an older event', () => {
    const input = touchProfileInput('t', touch, 'stale');
    expect(input.UpdateExpression).toBe(
      'SET entity = :entity, id = :id, createdAt = if_not_exists(createdAt, :now) ADD identities :identities, channels :channels',
    );
    // Only the guard against an erasure begun since the resolver read the profile.
    expect(input.ConditionExpression).toBe(
      '(attribute_not_exists(entity) OR entity <> :erased) AND attribute_not_exists(erasingSince)',
    );
  });

  it('keeps the email a web-chat visitor typed as a plain attribute, never among the identities', () => {
    const input = touchProfileInput('t', { ...touch, typedEmail: 'gina@example.com' }, 'stale');
    expect(input.UpdateExpression).toBe(
      'SET entity = :entity, id = :id, createdAt = if_not_exists(createdAt, :now), typedEmail = :typedEmail ADD identities :identities, channels :channels',
    );
    expect(input.ExpressionAttributeValues?.[':typedEmail']).toBe('gina@example.com');
    expect(input.ExpressionAttributeValues?.[':identities']).toEqual(new Set(['phone#+16505551234']));
  });

  it('records a conversation as its own item under the customer, not in a set on the profile', () => {
    expect(putMembershipInput('t', 'cu_1', 'cv_1')).toEqual({
      TableName: 't',
      Item: {
        pk: 'CUSTOMER#cu_1',
        sk: 'CONVERSATION#cv_1',
        entity: 'customer_conversation',
        customerId: 'cu_1',
        conversationId: 'cv_1',
      },
    });
    expect(touchProfileInput('t', touch, 'current').ExpressionAttributeValues).not.toHaveProperty(
      ':conversations',
    );
    expect(queryMembershipsInput('t', 'cu_1', { pk: 'CUSTOMER#cu_1', sk: 'CONVERSATION#cv_1' })).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':prefix': 'CONVERSATION#' },
      ProjectionExpression: 'pk, sk, conversationId',
      ExclusiveStartKey: { pk: 'CUSTOMER#cu_1', sk: 'CONVERSATION#cv_1' },
    });
  });

  it('keeps the name of the earliest event and indexes it for search', () => {
    const input = setNameInput('t', 'cu_1', 'Sheena Nelson', '2025-06-08T20:59:43.000Z');
    expect(input.ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(nameAt) OR nameAt > :nameAt)',
    );
    expect(input.ExpressionAttributeValues?.[':nameSk']).toBe('sheena nelson#cu_1');
  });

  it('replaces the tags of an existing profile, or removes them all', () => {
    expect(setTagsInput('t', 'cu_1', ['vip'])).toEqual({
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
      UpdateExpression: 'SET tags = :tags',
      ConditionExpression: 'entity = :customer',
      ExpressionAttributeValues: { ':customer': 'customer', ':tags': new Set(['vip']) },
    });
    expect(setTagsInput('t', 'cu_1', [])).toEqual({
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
      UpdateExpression: 'REMOVE tags',
      ConditionExpression: 'entity = :customer',
      ExpressionAttributeValues: { ':customer': 'customer' },
    });
  });

  it("adds and removes tags with the set's own ADD and DELETE, in two updates when both change", () => {
    const base = {
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
      ConditionExpression: 'entity = :customer',
    };
    expect(changeTagsInputs('t', 'cu_1', { add: ['vip'], remove: ['late'] })).toEqual([
      {
        ...base,
        UpdateExpression: 'ADD tags :tags',
        ExpressionAttributeValues: { ':customer': 'customer', ':tags': new Set(['vip']) },
      },
      {
        ...base,
        UpdateExpression: 'DELETE tags :tags',
        ExpressionAttributeValues: { ':customer': 'customer', ':tags': new Set(['late']) },
      },
    ]);
    expect(
      changeTagsInputs('t', 'cu_1', { add: [], remove: ['late'] }).map((i) => i.UpdateExpression),
    ).toEqual(['DELETE tags :tags']);
    expect(changeTagsInputs('t', 'cu_1', { add: [], remove: [] })).toEqual([]);
  });

  it('remembers the last agent only for a later reply', () => {
    expect(setLastAgentInput('t', 'cu_1', 'ag_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
      UpdateExpression: 'SET lastAgentId = :agent, lastAgentAt = :at',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastAgentAt) OR lastAgentAt <= :at)',
      ExpressionAttributeValues: { ':agent': 'ag_1', ':at': '2025-06-08T21:00:00.000Z' },
    });
  });

  it("voids only the reopened conversation's survey, of a resolve before the reopen", () => {
    expect(voidCsatPendingInput('t', 'cu_1', 'cv_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
      UpdateExpression: 'REMOVE csatPending',
      ConditionExpression:
        'csatPending.conversationId = :id AND (attribute_not_exists(csatPending.resolvedAt) OR csatPending.resolvedAt < :at)',
      ExpressionAttributeValues: { ':id': 'cv_1', ':at': '2025-06-08T21:00:00.000Z' },
    });
  });
});
