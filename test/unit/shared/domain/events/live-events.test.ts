import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import {
  latestOfBatch,
  liveEventsOfChange,
  loadsOfChanges,
  presenceOfChange,
} from '#shared/domain/events/live-events.js';
import { customerOfItem } from '#shared/domain/stored-items.js';

const change = (
  keys: ChangeRecord['keys'],
  newImage: Record<string, unknown> | undefined,
  oldImage?: Record<string, unknown>,
  kind: ChangeRecord['kind'] = oldImage ? 'modify' : 'insert',
): ChangeRecord => ({
  id: `rec-${Math.random()}`,
  kind,
  keys,
  ...(newImage ? { newImage } : {}),
  ...(oldImage ? { oldImage } : {}),
  sequence: '1',
  at: '2026-12-03T10:00:00.000Z',
});
const TIMELINE_KEY = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-12-03T09:59:00.000Z#reply:rp_1' };
const reply = {
  pk: TIMELINE_KEY.pk,
  sk: TIMELINE_KEY.sk,
  entity: 'timeline',
  id: 'reply:rp_1',
  type: 'message',
  channel: 'whatsapp',
  direction: 'outbound',
  text: 'On its way',
  at: '2026-12-03T09:59:00.000Z',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  status: 'queued',
  claim: 'worker-1',
};
const conversation = {
  entity: 'conversation',
  ...{ pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
  ...{ id: 'cv_1', customerId: 'cu_1', createdAt: '2026-12-03T09:58:00.000Z' },
  channels: new Set(['whatsapp', 'sms']),
  status: 'open',
  gsi1pk: 'INBOX#open#3',
  waitingSince: '2026-12-03T09:58:00.000Z',
};

describe('liveEventsOfChange', () => {
  it('makes a timeline.item of a new timeline item, as the API shows it (no keys, no internal attributes)', () => {
    const [event, ...rest] = liveEventsOfChange(change(TIMELINE_KEY, reply));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'timeline.item', customerId: 'cu_1', conversationId: 'cv_1' });
    const { pk: _pk, sk: _sk, entity: _entity, claim: _claim, ...shown } = reply;
    expect(event?.item).toEqual(shown);
  });

  it('makes another timeline.item with the same item id when the status moves, with a new event id', () => {
    const [queued] = liveEventsOfChange(change(TIMELINE_KEY, reply));
    const [sent] = liveEventsOfChange(change(TIMELINE_KEY, { ...reply, status: 'sent' }, reply));
    expect(sent?.item).toMatchObject({ id: 'reply:rp_1', status: 'sent' });
    expect(sent?.id).not.toBe(queued?.id);
  });

  it('gives the same id to the same change delivered twice', () => {
    const record = change(TIMELINE_KEY, { ...reply, status: 'read' }, reply);
    expect(liveEventsOfChange(record)[0]?.id).toBe(liveEventsOfChange({ ...record, id: 'again' })[0]?.id);
  });

  it('makes nothing of a change the API does not show (a claim), of a removal, or of other entities', () => {
    expect(liveEventsOfChange(change(TIMELINE_KEY, { ...reply, claim: 'worker-2' }, reply))).toEqual([]);
    expect(liveEventsOfChange(change(TIMELINE_KEY, undefined, reply, 'remove'))).toEqual([]);
    expect(
      liveEventsOfChange(change({ pk: 'LIVE#x#1', sk: '1#a' }, { entity: 'live_event', event: '{}' })),
    ).toEqual([]);
    expect(liveEventsOfChange(change(TIMELINE_KEY, { ...reply, at: 'not a time' }))).toEqual([]);
  });

  it('makes conversation.updated with the inbox shape: channels as a list, the channel switch derived', () => {
    const [event] = liveEventsOfChange(change({ pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' }, conversation));
    expect(event).toMatchObject({ type: 'conversation.updated', customerId: 'cu_1', conversationId: 'cv_1' });
    expect(event?.item).toMatchObject({ channels: ['sms', 'whatsapp'], channelSwitch: true, status: 'open' });
    expect(event?.item).not.toHaveProperty('gsi1pk');
    const assigned = { ...conversation, assignee: 'ann' };
    const [moved] = liveEventsOfChange(
      change({ pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' }, assigned, conversation),
    );
    expect(moved?.item).toMatchObject({ assignee: 'ann' });
  });

  it('carries the profile as the API reads it: the reply windows by channel, an unknown identity kind left out', () => {
    const key = { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' };
    const profile = {
      ...{ ...key, entity: 'customer', id: 'cu_1', createdAt: '2026-12-03T09:00:00.000Z' },
      ...{
        identities: new Set(['phone#+14155550100', 'fax#+14155550101']),
        channels: new Set(['sms', 'whatsapp']),
      },
    };
    const wrote = {
      ...profile,
      lastInboundAt: '2026-12-03T09:59:00.000Z',
      lastInboundChannel: 'whatsapp',
      lastInbound_whatsapp: '2026-12-03T09:59:00.000Z',
      lastInbound_sms: '2026-12-03T09:30:00.000Z',
    };
    const [event] = liveEventsOfChange(change(key, wrote, profile));
    expect(event?.type === 'customer.updated' && event.item.customer).toEqual(customerOfItem(wrote));
    expect(event?.type === 'customer.updated' && event.item.customer).toMatchObject({
      identities: [{ kind: 'phone', value: '+14155550100' }],
      lastInboundByChannel: { whatsapp: '2026-12-03T09:59:00.000Z', sms: '2026-12-03T09:30:00.000Z' },
    });
    const [windowOnly] = liveEventsOfChange(
      change(key, { ...wrote, lastInbound_sms: '2026-12-03T09:59:30.000Z' }, wrote),
    );
    expect(windowOnly?.item).toMatchObject({ change: 'profile' });
  });

  it('makes customer.updated of a profile change, a merge, an erasure and a suggestion', () => {
    const key = { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' };
    const profile = {
      ...key,
      entity: 'customer',
      id: 'cu_1',
      identities: new Set(['phone#+14155550100', 'email#lia@example.com']),
      channels: new Set(['whatsapp']),
      createdAt: '2026-12-03T09:00:00.000Z',
    };
    const [tagged] = liveEventsOfChange(change(key, { ...profile, tags: new Set(['vip']) }, profile));
    expect(tagged?.item).toMatchObject({ change: 'profile', customer: { tags: ['vip'] } });
    expect(tagged?.type === 'customer.updated' && tagged.item.customer?.identities).toEqual([
      { kind: 'email', value: 'lia@example.com' },
      { kind: 'phone', value: '+14155550100' },
    ]);
    const [merged] = liveEventsOfChange(change(key, { ...profile, mergedInto: 'cu_2' }, profile));
    expect(merged?.item).toMatchObject({ change: 'merged', customer: { mergedInto: 'cu_2' } });
    const [erased] = liveEventsOfChange(
      change(key, { ...key, entity: 'erased_customer', id: 'cu_1' }, profile),
    );
    expect(erased?.item).toEqual({ change: 'erased' });
    const suggestion = {
      pk: 'CUSTOMER#cu_1',
      sk: 'SUGGESTION#cu_2',
      entity: 'suggestion',
      customerId: 'cu_1',
      otherId: 'cu_2',
      status: 'open',
      createdAt: '2026-12-03T09:00:00.000Z',
      evidence: new Set([
        JSON.stringify({
          id: 'e1',
          identity: { kind: 'email', value: 'lia@example.com' },
          reason: 'mentioned',
          at: '2026-12-03T09:00:00.000Z',
          envelopeId: 'env1',
        }),
      ]),
    };
    const [suggested] = liveEventsOfChange(change({ pk: suggestion.pk, sk: suggestion.sk }, suggestion));
    expect(suggested).toMatchObject({
      type: 'customer.updated',
      customerId: 'cu_1',
      item: { change: 'suggestion' },
    });
  });
});

describe('presenceOfChange', () => {
  const key = { pk: 'AGENT#ann', sk: 'AGENT' };
  const agent = { ...key, entity: 'agent', id: 'ann', presence: 'online' };
  it('answers the presence an agent set, only when it moved', () => {
    expect(presenceOfChange(change(key, { ...agent, presence: 'away' }, agent))).toEqual({
      agentId: 'ann',
      presence: 'away',
    });
    expect(presenceOfChange(change(key, { ...agent, capacity: 3 }, agent))).toBeUndefined();
    expect(presenceOfChange(change(TIMELINE_KEY, reply))).toBeUndefined();
  });
});

describe('loadsOfChanges', () => {
  const key = { pk: 'AGENT#ann', sk: 'AGENT' };
  const agent = { ...key, entity: 'agent', id: 'ann', presence: 'away' };
  const holding = (...ids: string[]) => ({ ...agent, openConversationIds: new Set(ids) });
  const loads = (...records: ChangeRecord[]) => loadsOfChanges(records);

  it("answers an agent's open conversations as their set holds them now, only when the count moved", () => {
    // A take, a second one, a transfer away (DynamoDB drops a set emptied: the attribute goes).
    expect(loads(change(key, holding('cv_1'), agent))).toEqual([{ agentId: 'ann', openConversations: 1 }]);
    expect(loads(change(key, holding('cv_1', 'cv_2'), holding('cv_1')))).toEqual([
      { agentId: 'ann', openConversations: 2 },
    ]);
    expect(loads(change(key, agent, holding('cv_1')))).toEqual([{ agentId: 'ann', openConversations: 0 }]);
    // A registration holds nothing; a presence or capacity change moves no load; nor does another item.
    expect(loads(change(key, agent))).toEqual([]);
    expect(loads(change(key, { ...holding('cv_1'), presence: 'online' }, holding('cv_1')))).toEqual([]);
    expect(loads(change(TIMELINE_KEY, reply))).toEqual([]);
    expect(loads(change(key, undefined, holding('cv_1'), 'remove'))).toEqual([]);
  });

  it("keeps each agent's newest load of a batch, in the order the agents came", () => {
    const bob = { pk: 'AGENT#bob', sk: 'AGENT', entity: 'agent', id: 'bob', presence: 'away' };
    expect(
      loads(
        change(key, holding('cv_1'), agent),
        change({ pk: bob.pk, sk: bob.sk }, { ...bob, openConversationIds: new Set(['cv_1']) }, bob),
        change(key, agent, holding('cv_1')),
      ),
    ).toEqual([
      { agentId: 'ann', openConversations: 0 },
      { agentId: 'bob', openConversations: 1 },
    ]);
  });
});

describe('latestOfBatch', () => {
  const profile = {
    pk: 'CUSTOMER#cu_1',
    sk: 'PROFILE',
    entity: 'customer',
    id: 'cu_1',
    createdAt: '2026-12-03T09:00:00.000Z',
  };
  const events = (...records: ChangeRecord[]) => records.flatMap(liveEventsOfChange);

  it('keeps only the newest event of an item, a conversation or a profile changed several times, in order', () => {
    const sent = { ...reply, status: 'sent' };
    const delivered = { ...reply, status: 'delivered' };
    const batch = events(
      change(TIMELINE_KEY, reply),
      change({ pk: conversation.pk, sk: conversation.sk }, conversation),
      change(TIMELINE_KEY, sent, reply),
      change({ pk: profile.pk, sk: profile.sk }, profile),
      change({ pk: profile.pk, sk: profile.sk }, { ...profile, name: 'Ana' }, profile),
      change(TIMELINE_KEY, delivered, sent),
    );
    expect(batch).toHaveLength(6);
    const kept = latestOfBatch(batch);
    expect(kept.map((e) => e.type)).toEqual(['conversation.updated', 'customer.updated', 'timeline.item']);
    expect(kept[2]?.item).toMatchObject({ id: 'reply:rp_1', status: 'delivered' });
    expect(kept[1]?.item).toMatchObject({ change: 'profile', customer: { name: 'Ana' } });
  });

  it('never drops a merged or erased event, nor items of different customers that share an item id', () => {
    const merged = { ...profile, mergedFrom: new Set(['cu_2']) };
    const otherKey = { pk: 'CUSTOMER#cu_9', sk: TIMELINE_KEY.sk };
    const batch = events(
      change({ pk: profile.pk, sk: profile.sk }, merged, profile),
      change({ pk: profile.pk, sk: profile.sk }, { ...merged, name: 'Ana' }, merged),
      change(TIMELINE_KEY, reply),
      change(otherKey, { ...reply, ...otherKey, customerId: 'cu_9' }),
      change({ pk: profile.pk, sk: profile.sk }, { entity: 'erased_customer', id: 'cu_1' }, merged),
    );
    const kept = latestOfBatch(batch);
    expect(kept.map((e) => (e.type === 'customer.updated' ? e.item.change : e.customerId))).toEqual([
      'merged',
      'profile',
      'cu_1',
      'cu_9',
      'erased',
    ]);
    expect(latestOfBatch([])).toEqual([]);
  });
});
