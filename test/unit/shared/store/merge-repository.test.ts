import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { ConflictError, ValidationError } from '#shared/errors.js';
import { mergeRepository } from '#shared/store/merge-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const profiles: Record<string, Record<string, unknown>> = {
  'CUSTOMER#cu_t': { entity: 'customer', id: 'cu_t', identities: new Set(['phone#+1']) },
  'CUSTOMER#cu_s': {
    entity: 'customer',
    id: 'cu_s',
    identities: new Set(['email#s@x.io']),
    channels: new Set(['email']),
  },
  'CUSTOMER#cu_m': { entity: 'customer', id: 'cu_m', mergedInto: 'cu_t', identities: new Set(['phone#+3']) },
};

function repository() {
  const deps = {
    suggestions: { acceptSuggestion: vi.fn(async () => {}), reopenSuggestion: vi.fn(async () => {}) },
    timeline: { putTimelineItem: vi.fn(async (_item: TimelineItem, _raw: unknown) => true) },
  };
  return { merges: mergeRepository(db, deps), ...deps };
}

const updates = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((call) => [call.args[0].input.Key, call.args[0].input.UpdateExpression]);

describe('mergeRepository', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({ Item: profiles[input.Key.pk] }));
    ddb.on(UpdateCommand).resolves({});
  });

  it('lists the source on the target, points the source, re-points its identities, then shows them', async () => {
    const { merges, suggestions, timeline } = repository();
    await merges.merge('cu_t', 'cu_s', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(updates()).toEqual([
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'ADD mergedFrom :source'],
      [
        { pk: 'CUSTOMER#cu_s', sk: 'PROFILE' },
        'SET mergedInto = :target, mergedAt = :now, mergedBy = :agent, targetAtMerge = :before',
      ],
      [{ pk: 'IDENTITY#email#s@x.io', sk: 'IDENTITY' }, 'SET customerId = :target, mergedFrom = :source'],
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'ADD identities :identities, channels :channels'],
    ]);
    // What the target held as the merge read it, for the unmerge: no channel, no time.
    const pointed = ddb.commandCalls(UpdateCommand)[1]?.args[0].input;
    expect(pointed?.ExpressionAttributeValues?.[':before']).toEqual({ channels: [], times: {} });
    expect(suggestions.acceptSuggestion).toHaveBeenCalledWith('cu_t', 'cu_s');
    expect(timeline.putTimelineItem).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'merge:cu_s:2025-06-10T09:00:00.000Z',
        event: 'merge',
        customerId: 'cu_t',
      }),
      undefined,
    );
  });

  it('only accepts the suggestion when both sides already stand for the same customer', async () => {
    const { merges, suggestions } = repository();
    await merges.merge('cu_t', 'cu_m', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(updates()).toEqual([]);
    expect(suggestions.acceptSuggestion).toHaveBeenCalledWith('cu_t', 'cu_m');
  });

  it('refuses to merge a customer into itself, and a source merged elsewhere meanwhile', async () => {
    const { merges } = repository();
    await expect(merges.merge('cu_t', 'cu_t', 'ag_1', 'n')).rejects.toBeInstanceOf(ValidationError);
    ddb
      .on(UpdateCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(merges.merge('cu_t', 'cu_s', 'ag_1', 'n')).rejects.toThrow(
      new ConflictError('customer cu_s was merged elsewhere meanwhile'),
    );
  });

  it('gives the source its own identities back on unmerge and records it on both timelines', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const { merges, timeline } = repository();
    expect(await merges.unmerge('cu_t', 'cu_m', 'ag_1', '2025-06-10T09:00:00.000Z')).toEqual({
      complete: true,
      moved: 0,
    });
    expect(updates()).toEqual([
      // First the unmerge's note on the target (its group's root): an erasure now waits for it.
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'ADD unmergingSources :source'],
      [
        { pk: 'IDENTITY#phone#+3', sk: 'IDENTITY' },
        'SET customerId = :source, unmergedFrom = :target REMOVE mergedFrom',
      ],
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'DELETE mergedFrom :source, identities :identities'],
      // The target's reply addresses, while they are the source's number (conditional).
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'REMOVE #address'],
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'REMOVE #address'],
      [
        { pk: 'CUSTOMER#cu_m', sk: 'PROFILE' },
        'SET unmergedAt = :now, unmergedBy = :agent, unmergedFrom = :target, unmergingFrom = :target REMOVE mergedInto, mergedAt, mergedBy',
      ],
      [{ pk: 'CUSTOMER#cu_m', sk: 'PROFILE' }, 'REMOVE unmergingFrom, unmergeCursor, unmergeOwners'],
      // Done: the note leaves the root, after the source's own end (a crash between: the next call does it).
      [{ pk: 'CUSTOMER#cu_t', sk: 'PROFILE' }, 'DELETE unmergingSources :source'],
    ]);
    expect(timeline.putTimelineItem.mock.calls.map(([item]) => [item.customerId, item.event])).toEqual([
      ['cu_t', 'unmerge'],
      ['cu_m', 'unmerge'],
    ]);
    await expect(merges.unmerge('cu_t', 'cu_s', 'ag_1', 'n')).rejects.toBeInstanceOf(ConflictError);
  });

  it("moves what came through the source's identities back, and nothing else, reading the target strongly", async () => {
    const at = '2025-06-10T08:00:00.000Z';
    const item = (id: string, extra: Record<string, unknown>) => ({
      pk: 'CUSTOMER#cu_t',
      sk: `TIMELINE#${at}#${id}`,
      entity: 'timeline',
      id,
      at,
      customerId: 'cu_t',
      ...extra,
    });
    const theirs = item('whatsapp:wamid.1', {
      type: 'message',
      channel: 'whatsapp',
      providerMessageId: 'wamid.1',
      from: { kind: 'phone', value: '+3' },
      raw: '{"from":"3"}',
    });
    const own = item('whatsapp:wamid.2', { type: 'message', from: { kind: 'phone', value: '+1' } });
    const reply = item('reply:rp_1', { type: 'message', direction: 'outbound' });
    ddb.on(QueryCommand).resolves({ Items: [own, theirs, reply] });
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    const { merges } = repository();
    expect(await merges.unmerge('cu_t', 'cu_m', 'ag_1', '2025-06-10T09:00:00.000Z')).toEqual({
      complete: true,
      moved: 1,
    });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item)).toEqual([
      { ...theirs, pk: 'CUSTOMER#cu_m', customerId: 'cu_m', movedFrom: 'cu_t' },
    ]);
    expect(updates()).toContainEqual([
      { pk: 'MESSAGE#whatsapp#wamid.1', sk: 'MESSAGE' },
      'SET customerId = :source',
    ]);
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key)).toEqual([
      { pk: 'CUSTOMER#cu_t', sk: theirs.sk },
    ]);
    // Its raw payload rides on it: no read for one kept aside (the target's first read finds its group's
    // root, its second what the source's messages left on its profile once the move is done).
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input.Key?.pk)).toEqual([
      'CUSTOMER#cu_m',
      'CUSTOMER#cu_t',
      'CUSTOMER#cu_t',
    ]);
  });

  it("moves what routing wrote for the source's message with it, before it: its decision and hand-off note", async () => {
    const at = '2025-06-10T08:00:00.000Z';
    const sk = (time: string, id: string) => `TIMELINE#${time}#${id}`;
    const theirs = {
      pk: 'CUSTOMER#cu_t',
      sk: sk(at, 'whatsapp:wamid.1'),
      entity: 'timeline',
      id: 'whatsapp:wamid.1',
      type: 'message',
      direction: 'inbound',
      channel: 'whatsapp',
      at,
      customerId: 'cu_t',
      from: { kind: 'phone', value: '+3' },
      raw: '{}',
    };
    const routed = {
      pk: 'CUSTOMER#cu_t',
      sk: sk(at, 'route:whatsapp:wamid.1'),
      entity: 'timeline',
      type: 'event',
    };
    const note = {
      pk: 'CUSTOMER#cu_t',
      sk: sk('2025-06-10T08:00:00.001Z', 'note:handoff:whatsapp:wamid.1'),
      entity: 'timeline',
      type: 'note',
    };
    const keyed: Record<string, Record<string, unknown>> = { [routed.sk]: routed, [note.sk]: note };
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => ({
      Item: input.Key.sk === 'PROFILE' ? profiles[input.Key.pk] : keyed[input.Key.sk],
    }));
    ddb.on(QueryCommand).resolves({ Items: [routed, theirs] });
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    expect(await repository().merges.unmerge('cu_t', 'cu_m', 'ag_1', '2025-06-10T09:00:00.000Z')).toEqual({
      complete: true,
      moved: 1,
    });
    // Read strongly by their keys, copied to the source, deleted from the target, the message last.
    const gets = ddb.commandCalls(GetCommand).map((call) => call.args[0].input);
    expect(gets.filter((input) => input.Key?.sk !== 'PROFILE')).toEqual([
      expect.objectContaining({ Key: { pk: 'CUSTOMER#cu_t', sk: routed.sk }, ConsistentRead: true }),
      expect.objectContaining({ Key: { pk: 'CUSTOMER#cu_t', sk: note.sk }, ConsistentRead: true }),
    ]);
    const puts = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(puts.filter((item) => item?.entity === 'timeline').map((item) => [item?.pk, item?.sk])).toEqual([
      ['CUSTOMER#cu_m', routed.sk],
      ['CUSTOMER#cu_m', note.sk],
      ['CUSTOMER#cu_m', theirs.sk],
    ]);
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.sk)).toEqual([
      routed.sk,
      note.sk,
      theirs.sk,
    ]);
  });

  it('refuses a merge while either customer is being unmerged', async () => {
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
      Item: {
        ...profiles[input.Key.pk],
        ...(input.Key.pk === 'CUSTOMER#cu_s' ? { unmergingFrom: 'cu_x' } : {}),
      },
    }));
    const { merges } = repository();
    await expect(merges.merge('cu_t', 'cu_s', 'ag_1', 'n')).rejects.toThrow(/being unmerged from cu_x/);
    expect(updates()).toEqual([]);
  });

  describe("the source's WhatsApp id that is not its number", () => {
    const brazilian = {
      entity: 'customer',
      id: 'cu_b',
      identities: new Set(['phone#+5541988887777']),
      whatsappAddress: '+554188887777',
      lastInbound_whatsapp: '2025-06-10T08:00:00.000Z',
    };
    const withProfiles = (extra: Record<string, Record<string, unknown>>) =>
      ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
        Item: { ...profiles, 'CUSTOMER#cu_b': brazilian, ...extra }[input.Key.pk],
      }));
    const carried = () =>
      ddb
        .commandCalls(UpdateCommand)
        .map((call) => call.args[0].input)
        .filter(
          (input) =>
            input.UpdateExpression?.includes('whatsappAddress') ||
            input.ExpressionAttributeNames?.['#address'] !== undefined,
        );

    const numbers = () =>
      ddb
        .commandCalls(UpdateCommand)
        .map((call) => call.args[0].input)
        .filter((input) => input.UpdateExpression === 'SET #number = :number');

    it('goes to a target that has a phone of its own but wrote on WhatsApp before, while it has not since', async () => {
      withProfiles({
        'CUSTOMER#cu_t': { ...profiles['CUSTOMER#cu_t'], lastInbound_whatsapp: '2025-06-10T07:00:00.000Z' },
      });
      await repository().merges.merge('cu_t', 'cu_b', 'ag_1', '2025-06-10T09:00:00.000Z');
      expect(numbers()).toEqual([
        expect.objectContaining({
          Key: { pk: 'CUSTOMER#cu_t', sk: 'PROFILE' },
          ConditionExpression: 'entity = :customer AND (attribute_not_exists(#at) OR #at < :at)',
          ExpressionAttributeNames: { '#number': 'whatsappAddress', '#at': 'lastInbound_whatsapp' },
          ExpressionAttributeValues: {
            ':customer': 'customer',
            ':number': '+554188887777',
            ':at': '2025-06-10T08:00:00.000Z',
          },
        }),
      ]);
    });

    it('does not go to a target that wrote on WhatsApp after the source (replies go to its own number)', async () => {
      withProfiles({
        'CUSTOMER#cu_t': { ...profiles['CUSTOMER#cu_t'], lastInbound_whatsapp: '2025-06-10T08:30:00.000Z' },
      });
      await repository().merges.merge('cu_t', 'cu_b', 'ag_1', '2025-06-10T09:00:00.000Z');
      expect(numbers()).toEqual([]);
    });

    it('is asked again after a crash past the pointer: the target is read again and gets it', async () => {
      withProfiles({
        'CUSTOMER#cu_b': { ...brazilian, mergedInto: 'cu_s', mergedAt: '2025-06-10T09:00:00.000Z' },
        'CUSTOMER#cu_s': { ...profiles['CUSTOMER#cu_s'], mergedFrom: new Set(['cu_b']) },
      });
      await repository().merges.merge('cu_s', 'cu_b', 'ag_1', '2025-06-10T09:05:00.000Z');
      expect(numbers().map((input) => input.ExpressionAttributeValues?.[':number'])).toEqual([
        '+554188887777',
      ]);
    });

    it('leaves the target on unmerge when it is one of the source phones or its WhatsApp form, on WhatsApp and SMS', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      withProfiles({
        'CUSTOMER#cu_b': { ...brazilian, mergedInto: 'cu_s' },
        'CUSTOMER#cu_s': { ...profiles['CUSTOMER#cu_s'], whatsappAddress: '+554188887777' },
      });
      await repository().merges.unmerge('cu_s', 'cu_b', 'ag_1', '2025-06-10T09:00:00.000Z');
      expect(carried()).toEqual([
        expect.objectContaining({
          Key: { pk: 'CUSTOMER#cu_s', sk: 'PROFILE' },
          UpdateExpression: 'REMOVE #address',
          ConditionExpression: '#address IN (:a0, :a1)',
          ExpressionAttributeNames: { '#address': 'whatsappAddress' },
          ExpressionAttributeValues: { ':a0': '+5541988887777', ':a1': '+554188887777' },
        }),
        expect.objectContaining({
          UpdateExpression: 'REMOVE #address',
          ConditionExpression: '#address IN (:a0)',
          ExpressionAttributeNames: { '#address': 'smsAddress' },
          ExpressionAttributeValues: { ':a0': '+5541988887777' },
        }),
      ]);
    });
  });
});

describe('an unmerge and what the merge left on the target', () => {
  const at = '2025-06-10T09:00:00.000Z';
  const survey = {
    surveyId: 'sv_1',
    conversationId: 'cv_s1',
    channel: 'sms',
    sentAt: '2025-06-10T08:00:00.000Z',
    until: '2025-06-11T08:00:00.000Z',
  };
  const source = {
    entity: 'customer',
    id: 'cu_e',
    mergedInto: 'cu_t',
    identities: new Set(['phone#+2']),
    lastConversationId: 'cv_s1',
    csatPending: survey,
  };
  const inputsOn = (key: string, attribute: string) =>
    ddb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key?.pk === key && input.UpdateExpression?.includes(attribute));

  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
      Item: { ...profiles, 'CUSTOMER#cu_e': source }[input.Key.pk],
    }));
    ddb.on(UpdateCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
  });

  it("takes the source's carried survey off the target, only while it is about a source's conversation", async () => {
    await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
    expect(inputsOn('CUSTOMER#cu_t', 'csatPending')).toEqual([
      expect.objectContaining({
        UpdateExpression: 'REMOVE csatPending',
        ConditionExpression: 'csatPending.conversationId IN (:c0)',
        ExpressionAttributeValues: { ':c0': 'cv_s1' },
      }),
    ]);
    // The source kept its own: a "5" from its phone answers it there.
    expect(inputsOn('CUSTOMER#cu_e', 'csatPending')).toEqual([]);
  });

  it("points the email thread links of the source's conversations back at it, and no other", async () => {
    // Profiles only: routing wrote nothing for the mails.
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => ({
      Item:
        input.Key.sk === 'PROFILE'
          ? { ...profiles, 'CUSTOMER#cu_e': { ...source, identities: new Set(['email#e@x.io']) } }[
              input.Key.pk
            ]
          : undefined,
    }));
    const item = (n: number, conversationId: string, extra: Record<string, unknown>) => ({
      pk: 'CUSTOMER#cu_t',
      sk: `TIMELINE#2025-06-10T08:0${n}:00.000Z#item${n}`,
      entity: 'timeline',
      id: `item${n}`,
      at: `2025-06-10T08:0${n}:00.000Z`,
      customerId: 'cu_t',
      channel: 'email',
      type: 'message',
      conversationId,
      ...extra,
    });
    const mail = (from: string, messageId: string) => ({
      direction: 'inbound',
      from: { kind: 'email', value: from },
      data: { messageId },
      raw: '{}',
    });
    const reply = (messageIdHeader: string) => ({ direction: 'outbound', messageIdHeader });
    ddb.on(QueryCommand).resolves({
      Items: [
        // The target's own conversation: its mail, then the source's in it, then our answer there.
        item(1, 'cv_t', mail('t@x.io', '<t1@x.io>')),
        item(2, 'cv_t', mail('e@x.io', '<e1@x.io>')),
        item(3, 'cv_t', reply('<r3@ours>')),
        // The source's conversation before the merge (its profile names it): our answer there.
        item(4, 'cv_s1', reply('<r1@ours>')),
        // A conversation the source started while merged: its mail and our answer.
        item(5, 'cv_new', mail('e@x.io', '<e2@x.io>')),
        item(6, 'cv_new', reply('<r2@ours>')),
      ],
    });
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
    const links = ddb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key?.pk.startsWith('MESSAGE#'));
    expect(links.map((input) => input.Key?.pk)).toEqual([
      'MESSAGE#email#<r1@ours>',
      'MESSAGE#email#<e2@x.io>',
      'MESSAGE#email#<r2@ours>',
    ]);
    expect(links[0]).toMatchObject({
      UpdateExpression: 'SET customerId = :source',
      ConditionExpression: 'customerId = :target',
      ExpressionAttributeValues: { ':source': 'cu_e', ':target': 'cu_t' },
    });
    // Both of the source's mails went back with it, wherever they were filed.
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.sk)).toEqual([
      'TIMELINE#2025-06-10T08:02:00.000Z#item2',
      'TIMELINE#2025-06-10T08:05:00.000Z#item5',
    ]);
  });

  it('keeps whose each conversation is between the calls of a paused unmerge', async () => {
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
      Item: {
        ...profiles,
        'CUSTOMER#cu_e': {
          ...source,
          mergedInto: undefined,
          unmergingFrom: 'cu_t',
          unmergedAt: at,
          unmergeCursor: 'TIMELINE#2025-06-10T08:05:00.000Z#item5',
          unmergeOwners: { cv_new: 's', cv_t: 't' },
        },
      }[input.Key.pk],
    }));
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'CUSTOMER#cu_t',
          sk: 'TIMELINE#2025-06-10T08:06:00.000Z#item6',
          channel: 'email',
          conversationId: 'cv_new',
          messageIdHeader: '<r2@ours>',
        },
      ],
    });
    await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
    const onLinks = updates().filter(([key]) => JSON.stringify(key).includes('MESSAGE#'));
    expect(onLinks).toEqual([[{ pk: 'MESSAGE#email#<r2@ours>', sk: 'MESSAGE' }, 'SET customerId = :source']]);
  });

  describe("the kept customer's channels and last inbound, learned from the source's messages", () => {
    const email = { ...source, identities: new Set(['email#e@x.io']) };
    /** The target's profile as the unmerge reads it once the move is done (its group's root read is the same). */
    const targetAfter = (extra: Record<string, unknown>) => {
      ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
        Item: {
          ...profiles,
          'CUSTOMER#cu_e': email,
          'CUSTOMER#cu_t': {
            entity: 'customer',
            id: 'cu_t',
            identities: new Set(['phone#+1']),
            channels: new Set(['whatsapp', 'email']),
            lastInboundChannel: 'email',
            lastInboundAt: '2025-06-10T08:30:00.000Z',
            lastInbound_email: '2025-06-10T08:30:00.000Z',
            lastInbound_whatsapp: '2025-06-10T07:00:00.000Z',
            ...extra,
          },
        }[input.Key.pk],
      }));
    };

    it("drops the source's channel and its time; the last inbound is the target's own latest", async () => {
      targetAfter({ lastInbound_sms: '2025-06-09T08:00:00.000Z' });
      await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
      // The source, the target as its group's root, the source's conversation (one the merge gave the
      // target goes back), the target once the move is done: no query of its own.
      expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input.Key?.pk)).toEqual([
        'CUSTOMER#cu_e',
        'CUSTOMER#cu_t',
        'CONVERSATION#cv_s1',
        'CUSTOMER#cu_t',
      ]);
      expect(ddb.commandCalls(GetCommand)[3]?.args[0].input.ConsistentRead).toBe(true);
      // The timeline's scan and the source's live-log windows (see closeMergedWindows).
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
      expect(inputsOn('CUSTOMER#cu_t', 'lastInbound')).toEqual([
        {
          TableName: 'threadline',
          Key: { pk: 'CUSTOMER#cu_t', sk: 'PROFILE' },
          UpdateExpression:
            'SET lastInboundChannel = :channel, lastInboundAt = :at REMOVE #t0 DELETE channels :drop',
          ConditionExpression: 'attribute_exists(pk) AND #t0 = :w0 AND lastInboundAt = :wasAt',
          ExpressionAttributeNames: { '#t0': 'lastInbound_email' },
          ExpressionAttributeValues: {
            ':w0': '2025-06-10T08:30:00.000Z',
            ':channel': 'whatsapp',
            ':at': '2025-06-10T07:00:00.000Z',
            ':wasAt': '2025-06-10T08:30:00.000Z',
            ':drop': new Set(['email']),
          },
        },
      ]);
    });

    /** The target's own inbound email at 06:00, and nothing at `atExactly` but what it lists. */
    const ownEmail = (atExactly: unknown[] = []) => {
      const own = {
        pk: 'CUSTOMER#cu_t',
        sk: 'TIMELINE#2025-06-10T06:00:00.000Z#email:t1',
        at: '2025-06-10T06:00:00.000Z',
        channel: 'email',
        direction: 'inbound',
      };
      ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
        const prefix = input.ExpressionAttributeValues?.[':prefix'];
        if (!input.ExpressionAttributeValues?.[':channel']) return { Items: [] };
        return { Items: prefix === 'TIMELINE#' ? [own] : atExactly };
      });
    };

    it("puts a channel both hold back to the target's own latest message there (bounded queries)", async () => {
      targetAfter({ identities: new Set(['phone#+1', 'email#t@x.io']) });
      ownEmail();
      await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
      const ownQuery = ddb.commandCalls(QueryCommand)[1]?.args[0].input;
      expect(ownQuery).toMatchObject({
        ConsistentRead: true,
        ScanIndexForward: false,
        ExpressionAttributeValues: expect.objectContaining({ ':channel': 'email', ':pk': 'CUSTOMER#cu_t' }),
      });
      // Older than the time the profile holds: is there an own message at that very millisecond? None.
      expect(ddb.commandCalls(QueryCommand)[2]?.args[0].input).toMatchObject({
        ConsistentRead: true,
        Limit: 25,
        ExpressionAttributeValues: expect.objectContaining({
          ':prefix': 'TIMELINE#2025-06-10T08:30:00.000Z#',
        }),
      });
      expect(inputsOn('CUSTOMER#cu_t', 'lastInbound')).toEqual([
        expect.objectContaining({
          UpdateExpression: 'SET #t0 = :t0, lastInboundChannel = :channel, lastInboundAt = :at',
          ExpressionAttributeValues: {
            ':w0': '2025-06-10T08:30:00.000Z',
            ':t0': '2025-06-10T06:00:00.000Z',
            ':channel': 'whatsapp',
            ':at': '2025-06-10T07:00:00.000Z',
            ':wasAt': '2025-06-10T08:30:00.000Z',
          },
        }),
      ]);
    });

    it('keeps the time the profile holds when its own message is there, however far back', async () => {
      targetAfter({ identities: new Set(['phone#+1', 'email#t@x.io']) });
      ownEmail([{ at: '2025-06-10T08:30:00.000Z', channel: 'email', direction: 'inbound' }]);
      await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
      expect(inputsOn('CUSTOMER#cu_t', 'lastInbound')).toEqual([]);
    });

    it('keeps the channel and time the target had when merged, when nothing of its own is found', async () => {
      targetAfter({ identities: new Set(['phone#+1', 'email#t@x.io']), lastInbound_whatsapp: undefined });
      const before = { channels: ['email'], times: { email: '2025-06-10T05:00:00.000Z' } };
      ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
        Item: {
          'CUSTOMER#cu_e': { ...email, targetAtMerge: before },
          'CUSTOMER#cu_t': {
            entity: 'customer',
            id: 'cu_t',
            identities: new Set(['phone#+1', 'email#t@x.io']),
            channels: new Set(['email']),
            lastInboundChannel: 'email',
            lastInboundAt: '2025-06-10T08:30:00.000Z',
            lastInbound_email: '2025-06-10T08:30:00.000Z',
          },
        }[input.Key.pk],
      }));
      ddb.on(QueryCommand).resolves({ Items: [] });
      await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
      expect(inputsOn('CUSTOMER#cu_t', 'lastInbound')).toEqual([
        expect.objectContaining({
          // Email stays among its channels (no DELETE), with its time when merged.
          UpdateExpression: 'SET #t0 = :t0, lastInboundChannel = :channel, lastInboundAt = :at',
          ExpressionAttributeValues: {
            ':w0': '2025-06-10T08:30:00.000Z',
            ':t0': '2025-06-10T05:00:00.000Z',
            ':channel': 'email',
            ':at': '2025-06-10T05:00:00.000Z',
            ':wasAt': '2025-06-10T08:30:00.000Z',
          },
        }),
      ]);
    });

    it('removes the last inbound when the target holds no channel it wrote on, and reads again after a race', async () => {
      targetAfter({ identities: new Set(), channels: new Set(['email']), lastInbound_whatsapp: undefined });
      ddb
        .on(UpdateCommand, {
          ConditionExpression: 'attribute_exists(pk) AND #t0 = :w0 AND lastInboundAt = :wasAt',
        })
        .rejectsOnce(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))
        .resolves({});
      await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
      const writes = inputsOn('CUSTOMER#cu_t', 'lastInbound');
      expect(writes).toHaveLength(2);
      expect(writes[1]).toMatchObject({
        UpdateExpression: 'REMOVE #t0, lastInboundChannel, lastInboundAt DELETE channels :drop',
      });
    });

    it('changes nothing the target holds of its own', async () => {
      targetAfter({
        identities: new Set(['phone#+1']),
        channels: new Set(['whatsapp']),
        lastInboundChannel: 'whatsapp',
        lastInboundAt: '2025-06-10T07:00:00.000Z',
        lastInbound_email: undefined,
      });
      await repository().merges.unmerge('cu_t', 'cu_e', 'ag_1', at);
      expect(inputsOn('CUSTOMER#cu_t', 'lastInbound')).toEqual([]);
      // The timeline's scan and the source's live-log windows (see closeMergedWindows).
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
    });
  });
});
