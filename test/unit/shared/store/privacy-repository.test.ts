import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextConversationId } from '#shared/domain/conversation.js';
import { GoneError } from '#shared/errors.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const FIRST = nextConversationId('cu_1', undefined);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const profile = {
  entity: 'customer',
  id: 'cu_1',
  identities: new Set(['phone#+1']),
  conversationIds: new Set(['cv_1']),
  mentioned: new Set(['email#a@x.io']),
};

/** Where an erasure keeps its marker of a provider reference: under the SHA-256 of the reference's key. */
const markerPk = (referencePk: string) => `ERASED#${createHash('sha256').update(referencePk).digest('hex')}`;

function repository() {
  return privacyRepository(db, {
    customers: { mergedPartitions: vi.fn(async () => ['cu_1']) },
    conversations: { getConversation: vi.fn(async () => undefined) },
    suggestions: { suggestionsOn: vi.fn(async () => []) },
    timeline: {
      timeline: vi.fn(async () => ({ items: [], cursor: null })),
      rawPayloads: vi.fn(async () => []),
    },
  });
}

describe('privacyRepository', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: profile });
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) =>
      input.ExpressionAttributeValues[':pk'] === 'CUSTOMER#cu_1'
        ? {
            Items: [{ pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#t#m1', channel: 'sms', providerMessageId: 'SM1' }],
          }
        : input.ExpressionAttributeValues[':pk'] === 'CONTACT#phone#+1'
          ? // The number's own state (stored before opt-outs were per number) and a STOP to one of ours.
            {
              Items: [
                { pk: 'CONTACT#phone#+1', sk: 'CONTACT' },
                { pk: 'CONTACT#phone#+1', sk: 'CONTACT#+15017120001' },
              ],
            }
          : { Items: [] },
    );
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1' } })
      .callsFake(
        (input: { ExclusiveStartKey?: unknown; ExpressionAttributeValues: Record<string, string> }) =>
          // No raw payloads kept aside (RAW#): one timeline item, one page. One conversation has its
          // membership item, an older one is only in the set the profile carried before them.
          input.ExclusiveStartKey ||
          input.ExpressionAttributeValues[':prefix'] === 'RAW#' ||
          input.ExpressionAttributeValues[':prefix'] === 'THREADLINK#' ||
          input.ExpressionAttributeValues[':prefix'] === 'DELETIONMARK#'
            ? { Items: [] }
            : input.ExpressionAttributeValues[':prefix'] === 'CONVERSATION#'
              ? { Items: [{ pk: 'CUSTOMER#cu_1', sk: 'CONVERSATION#cv_2', conversationId: 'cv_2' }] }
              : {
                  Items: [
                    { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#t#m1', channel: 'sms', providerMessageId: 'SM1' },
                  ],
                },
      );
    ddb.on(DeleteCommand).resolves({ Attributes: { pk: 'x' } });
    // The customer's first conversation (its id follows from theirs) was never written here.
    ddb.on(DeleteCommand, { Key: { pk: `CONVERSATION#${FIRST}` } }).resolves({});
    ddb.on(DeleteCommand, { Key: { sk: `CONVERSATION#${FIRST}` } }).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
  });

  it('deletes identities, mentions, conversations and the timeline, and writes the tombstone last', async () => {
    const report = await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(report).toEqual({
      customerId: 'cu_1',
      customerIds: ['cu_1'],
      erasedAt: '2025-06-10T09:00:00.000Z',
      erasedBy: 'ag_1',
      customers: 1,
      identities: 1,
      timelineItems: 1,
      conversations: 2,
      liveEvents: 0,
      complete: true,
    });
    expect(
      ddb.commandCalls(DeleteCommand).map((call) => Object.values(call.args[0].input.Key ?? {})),
    ).toEqual([
      // The message's provider reference goes before the identities (its marker put first), and again
      // with its item (a reference a send under way wrote since).
      ['MESSAGE#sms#SM1', 'MESSAGE'],
      ['IDENTITY#phone#+1', 'IDENTITY'],
      ['CONTACT#phone#+1', 'CONTACT'],
      ['CONTACT#phone#+1', 'CONTACT#+15017120001'],
      ['MENTION#email#a@x.io', 'CUSTOMER#cu_1'],
      // The word entries a search finds them by (every one they may have).
      ['CUSTOMER#cu_1', 'NAMEWORD#1'],
      ['CUSTOMER#cu_1', 'NAMEWORD#2'],
      ['CUSTOMER#cu_1', 'NAMEWORD#3'],
      ['CUSTOMER#cu_1', 'NAMEWORD#4'],
      // A customer-list item of the version before (the list's keys are on the profile now, which the
      // tombstone replaces).
      ['CUSTOMER#cu_1', 'LISTED'],
      [`CONVERSATION#${FIRST}`, 'CONVERSATION'],
      ['CUSTOMER#cu_1', `CONVERSATION#${FIRST}`],
      ['CONVERSATION#cv_1', 'CONVERSATION'],
      ['CUSTOMER#cu_1', 'CONVERSATION#cv_1'],
      ['CONVERSATION#cv_2', 'CONVERSATION'],
      ['CUSTOMER#cu_1', 'CONVERSATION#cv_2'],
      ['MESSAGE#sms#SM1', 'MESSAGE'],
      ['CUSTOMER#cu_1', 'TIMELINE#t#m1'],
    ]);
    // The message's provider reference gives way to a marker naming nobody, kept 14 days under a hash
    // of the reference's key (no provider id: a WhatsApp id decodes to the number): a provider's retry
    // of the message finds it and is dropped instead of starting a new customer.
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toEqual({
      pk: markerPk('MESSAGE#sms#SM1'),
      sk: 'ERASED',
      entity: 'erased_message',
      erasedAt: '2025-06-10T09:00:00.000Z',
      ttl: Date.parse('2025-06-10T09:00:00.000Z') / 1000 + 14 * 24 * 3600,
    });
    // Every query the erasure makes, counted: the timeline's email thread links and the noted ones first,
    // then its followers' connections, per identity its connections, sessions, contact states (its own
    // and one per number of ours) and mentioners, then its
    // conversations, raw payloads, timeline, each provider's unattached events, its live-log notes and
    // the windows an unmerge noted under it.
    expect(
      ddb.commandCalls(QueryCommand).map((call) => {
        const values = call.args[0].input.ExpressionAttributeValues ?? {};
        return `${values[':pk']}${values[':prefix'] ? ` ${values[':prefix']}` : ''}`;
      }),
    ).toEqual([
      'CUSTOMER#cu_1 TIMELINE#',
      'CUSTOMER#cu_1 THREADLINK#',
      'CUSTOMER#cu_1 DELETIONMARK#',
      'WEBCHAT_LIVE#cu_1',
      'WEBCHAT_LIVE_ID#phone#+1',
      'WEBCHAT_SESSIONS#phone#+1 SESSION#',
      'CONTACT#phone#+1',
      'MENTION#phone#+1',
      'CUSTOMER#cu_1 CONVERSATION#',
      'CUSTOMER#cu_1 RAW#',
      'CUSTOMER#cu_1 TIMELINE#',
      'PROVIDER_EVENT#whatsapp',
      'PROVIDER_EVENT#twilio',
      'PROVIDER_EVENT#meta',
      'PROVIDER_EVENT#ses',
      'PROVIDER_EVENT#webchat',
      'LIVE#OF#cu_1 LIVE#',
      'LIVE#OF#cu_1 MERGED#',
      'WEBHOOK_DELIVERY_OF#cu_1',
    ]);
    const last = ddb.calls().at(-1)?.args[0];
    expect(last).toBeInstanceOf(PutCommand);
    expect((last as PutCommand).input.Item).toMatchObject({ entity: 'erased_customer', ...report });
  });

  it('deletes every page of mentions of an erased identity, the replies, and provider events naming it', async () => {
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'MENTION#phone#+1' } })
      .callsFake((input: { ExclusiveStartKey?: { sk: string } }) =>
        input.ExclusiveStartKey
          ? { Items: [{ pk: 'MENTION#phone#+1', sk: 'CUSTOMER#cu_9', customerId: 'cu_9' }] }
          : {
              Items: [{ pk: 'MENTION#phone#+1', sk: 'CUSTOMER#cu_8', customerId: 'cu_8' }],
              LastEvaluatedKey: { pk: 'MENTION#phone#+1', sk: 'CUSTOMER#cu_8' },
            },
      );
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1' } }).resolves({
      Items: [{ pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#t#reply:rp_1', id: 'reply:rp_1', channel: 'sms' }],
    });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PROVIDER_EVENT#twilio' } })
      .callsFake((input: { ExclusiveStartKey?: unknown }) =>
        input.ExclusiveStartKey
          ? { Items: [{ pk: 'PROVIDER_EVENT#twilio', sk: 't2#e2' }] }
          : { Items: [], LastEvaluatedKey: { pk: 'PROVIDER_EVENT#twilio', sk: 't1#e1' } },
      );
    await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    const deleted = ddb
      .commandCalls(DeleteCommand)
      .map((call) => Object.values(call.args[0].input.Key ?? {}).join(' '));
    expect(deleted).toEqual(
      expect.arrayContaining([
        'MENTION#phone#+1 CUSTOMER#cu_8',
        'MENTION#phone#+1 CUSTOMER#cu_9',
        'REPLY#rp_1 REPLY',
        'PROVIDER_EVENT#twilio t2#e2',
      ]),
    );
    // The profile is marked as being erased first; then the mentioners' profiles forget the identity.
    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key?.pk)).toEqual([
      'CUSTOMER#cu_1',
      'CUSTOMER#cu_8',
      'CUSTOMER#cu_9',
    ]);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).toContain('erasingSince');
    const eventQuery = ddb
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.ExpressionAttributeValues?.[':pk'] === 'PROVIDER_EVENT#twilio');
    expect(eventQuery?.ExpressionAttributeValues).toMatchObject({ ':v0': '+1', ':v1': '1' });
  });

  it('stops after its share of deletes, keeps the count so far, and the next call carries on', async () => {
    ddb.on(DeleteCommand).resolves({ Attributes: { pk: 'x' } });
    // The customer's first conversation (its id follows from theirs) was never written here.
    ddb.on(DeleteCommand, { Key: { pk: `CONVERSATION#${FIRST}` } }).resolves({});
    ddb.on(DeleteCommand, { Key: { sk: `CONVERSATION#${FIRST}` } }).resolves({});
    const paused = privacyRepository(
      db,
      {
        customers: { mergedPartitions: vi.fn(async () => ['cu_1']) },
        conversations: { getConversation: vi.fn(async () => undefined) },
        suggestions: { suggestionsOn: vi.fn(async () => []) },
        timeline: {
          timeline: vi.fn(async () => ({ items: [], cursor: null })),
          rawPayloads: vi.fn(async () => []),
        },
      },
      { deletesPerCall: 2 },
    );
    const report = await paused.erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(report).toMatchObject({ complete: false, timelineItems: 0 });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(2);
    // Only the erased marker of the timeline's provider reference, put before the identities go.
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.entity)).toEqual([
      'erased_message',
    ]);
    expect(ddb.commandCalls(UpdateCommand).at(-1)?.args[0].input).toMatchObject({
      Key: { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
      UpdateExpression:
        'SET erasedTimelineItems = :n, erasedConversations = :c, erasedLiveEvents = :l, erasureStep = :step, erasureSteps = :steps REMOVE erasureCursor',
      ExpressionAttributeValues: expect.objectContaining({ ':steps': 11 }),
    });
    ddb.on(GetCommand).resolves({
      Item: { ...profile, erasedTimelineItems: 4, erasedConversations: 1, erasureStep: 2, erasureSteps: 11 },
    });
    ddb.on(DeleteCommand).resolves({});
    expect(await paused.erase('cu_1', 'ag_1', '2025-06-10T09:00:01.000Z')).toMatchObject({
      complete: true,
      timelineItems: 5,
      conversations: 1,
    });
    const tombstones = ddb
      .commandCalls(PutCommand)
      .filter((call) => call.args[0].input.Item?.entity === 'erased_customer');
    expect(tombstones).toHaveLength(1);
  });

  it('deletes the exports written aside of every customer erased, first, before its share of deletes', async () => {
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
      Item: { ...profile, id: input.Key.pk.replace('CUSTOMER#', '') },
    }));
    const removeAllOf = vi.fn(async () => 1);
    const erasing = (deletesPerCall: number) =>
      privacyRepository(
        db,
        {
          customers: { mergedPartitions: vi.fn(async () => ['cu_1', 'cu_2']) },
          conversations: { getConversation: vi.fn(async () => undefined) },
          suggestions: { suggestionsOn: vi.fn(async () => []) },
          timeline: {
            timeline: vi.fn(async () => ({ items: [], cursor: null })),
            rawPayloads: vi.fn(async () => []),
          },
          exports: { removeAllOf },
        },
        { deletesPerCall },
      );
    // A call that stops at its first delete has removed the exports already.
    expect(await erasing(1).erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z')).toMatchObject({
      complete: false,
    });
    expect(removeAllOf.mock.calls).toEqual([['cu_1']]);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(1);
    removeAllOf.mockClear();
    expect(await erasing(1000).erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z')).toMatchObject({
      complete: true,
    });
    expect(removeAllOf.mock.calls).toEqual([['cu_1'], ['cu_2']]);
  });

  it('resumes at the step and the page where the last call stopped, reading nothing it went through', async () => {
    const startKey = { pk: 'PROVIDER_EVENT#twilio', sk: 't5#e5' };
    ddb.on(GetCommand).resolves({
      Item: {
        ...profile,
        erasingSince: '2025-06-10T08:00:00.000Z',
        erasedTimelineItems: 7,
        erasedConversations: 2,
        // Eight steps done (exports to timeline) of eleven; the provider-event scan stopped in twilio's partition.
        erasureStep: 8,
        erasureSteps: 11,
        erasureCursor: JSON.stringify({ provider: 1, startKey }),
      },
    });
    const report = await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(report).toMatchObject({ complete: true, timelineItems: 7, conversations: 2, identities: 1 });
    const queried = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queried.map((input) => input.ExpressionAttributeValues?.[':pk'])).toEqual([
      'PROVIDER_EVENT#twilio',
      'PROVIDER_EVENT#meta',
      'PROVIDER_EVENT#ses',
      'PROVIDER_EVENT#webchat',
      'LIVE#OF#cu_1',
      'LIVE#OF#cu_1',
      'WEBHOOK_DELIVERY_OF#cu_1',
    ]);
    expect(queried[0]?.ExclusiveStartKey).toEqual(startKey);
    expect(ddb.commandCalls(DeleteCommand)).toEqual([]);
  });

  it("deletes the timeline's email thread links and marks its provider references before the identities, resuming at the page it stopped", async () => {
    const mail = {
      pk: 'CUSTOMER#cu_1',
      sk: 'TIMELINE#t#m2',
      channel: 'email',
      providerMessageId: 'ses-m2',
      data: { messageId: '<m2@acme.example>' },
    };
    const reply = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#t#r1', channel: 'email', messageIdHeader: '<r1@us>' };
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':prefix': 'TIMELINE#' } })
      .callsFake((input: { FilterExpression?: string; ExclusiveStartKey?: unknown }) =>
        !input.FilterExpression
          ? { Items: [] }
          : input.ExclusiveStartKey
            ? { Items: [reply] }
            : { Items: [mail], LastEvaluatedKey: { pk: mail.pk, sk: mail.sk } },
      );
    await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    const deleted = ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.pk);
    expect(deleted.slice(0, 4)).toEqual([
      'MESSAGE#email#<m2@acme.example>',
      'MESSAGE#email#ses-m2',
      'MESSAGE#email#<r1@us>',
      'IDENTITY#phone#+1',
    ]);
    const linkQuery = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    // With each mail's From and Reply-To, and a suppression's event: their suppressions go in the same read.
    expect(linkQuery?.ProjectionExpression).toBe(
      'pk, sk, channel, direction, #from, #data.messageId, #data.replyToAddresses, messageIdHeader, providerMessageId, #type, #id, #event',
    );
    // A redelivery of the mail once the identity is gone finds its marker: written before, link first.
    const writes = ddb
      .calls()
      .map((call) => call.args[0].input as { Key?: { pk?: string }; Item?: { pk?: string; entity?: string } })
      .map((input) => (input.Item ? `put ${input.Item.pk}` : `delete ${input.Key?.pk}`))
      .filter((write) => /MESSAGE#|IDENTITY#|ERASED#/.test(write));
    expect(writes.slice(0, 5)).toEqual([
      'delete MESSAGE#email#<m2@acme.example>',
      `put ${markerPk('MESSAGE#email#ses-m2')}`,
      'delete MESSAGE#email#ses-m2',
      'delete MESSAGE#email#<r1@us>',
      'delete IDENTITY#phone#+1',
    ]);

    // A call that stopped on the second page starts there, reading the first no more.
    ddb.resetHistory();
    ddb.on(GetCommand).resolves({
      Item: {
        ...profile,
        erasingSince: '2025-06-10T08:00:00.000Z',
        erasureStep: 1,
        erasureSteps: 11,
        erasureCursor: JSON.stringify({ provider: 0, startKey: { pk: mail.pk, sk: mail.sk } }),
      },
    });
    await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: mail.pk,
      sk: mail.sk,
    });
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key?.pk).toBe('MESSAGE#email#<r1@us>');
  });

  it('deletes the thread links noted under the customer (replies sent before they kept their Message-ID)', async () => {
    const note = {
      pk: 'CUSTOMER#cu_1',
      sk: 'THREADLINK#email#<old@support.example>',
      channel: 'email',
      threadId: '<old@support.example>',
    };
    // Each call reads the first notes left: deleted ones are not answered again.
    let left = [note];
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':prefix': 'THREADLINK#' } })
      .callsFake(() => ({ Items: left }));
    ddb.on(DeleteCommand, { Key: { sk: note.sk } }).callsFake(() => {
      left = [];
      return { Attributes: note };
    });
    await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    const deleted = ddb
      .commandCalls(DeleteCommand)
      .map((call) => Object.values(call.args[0].input.Key ?? {}));
    expect(deleted).toEqual(
      expect.arrayContaining([
        ['MESSAGE#email#<old@support.example>', 'MESSAGE'],
        ['CUSTOMER#cu_1', 'THREADLINK#email#<old@support.example>'],
      ]),
    );
  });

  it("takes the marks the customer's deletions left on references of messages that never came", async () => {
    const note = (id: string) => ({
      pk: 'CUSTOMER#cu_1',
      sk: `DELETIONMARK#whatsapp#${id}`,
      channel: 'whatsapp',
      providerMessageId: id,
    });
    let left = [note('wamid.never'), note('wamid.linked')];
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CUSTOMER#cu_1', ':prefix': 'DELETIONMARK#' } })
      .callsFake(() => ({ Items: left }));
    ddb.on(DeleteCommand, { Key: { pk: 'CUSTOMER#cu_1' } }).callsFake((input: { Key: { sk: string } }) => {
      left = left.filter((n) => n.sk !== input.Key.sk);
      return { Attributes: { pk: 'x' } };
    });
    // Each reference read strongly: the never-come one still marked by them; the linked one's message
    // came since (to someone).
    const refs: Record<string, Record<string, unknown>> = {
      'MESSAGE#whatsapp#wamid.never': { deletedBy: 'cu_1' },
      'MESSAGE#whatsapp#wamid.linked': { deletedBy: 'cu_1', timelineSk: 'TIMELINE#t#x' },
    };
    ddb
      .on(GetCommand, { Key: { sk: 'MESSAGE' } })
      .callsFake((input: { Key: { pk: string } }) => ({ Item: refs[input.Key.pk] }));
    await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    const marks = ddb
      .commandCalls(PutCommand)
      .map((call) => call.args[0].input)
      .filter((input) => Object.keys(refs).map(markerPk).includes(String(input.Item?.pk)));
    // The never-come one's marker, under the hash of its reference (no `wamid.`: it decodes to the number).
    expect(marks.map((input) => [input.Item?.pk, input.Item?.entity])).toEqual([
      [markerPk('MESSAGE#whatsapp#wamid.never'), 'erased_message'],
    ]);
    expect(marks[0]?.Item).not.toHaveProperty('deletedBy');
    const taken = ddb
      .commandCalls(DeleteCommand)
      .map((call) => call.args[0].input)
      .filter((input) => String(input.Key?.pk).startsWith('MESSAGE#whatsapp#'));
    expect(taken).toEqual([
      expect.objectContaining({
        Key: { pk: 'MESSAGE#whatsapp#wamid.never', sk: 'MESSAGE' },
        ConditionExpression: 'attribute_not_exists(timelineSk) AND deletedBy = :by',
      }),
    ]);
    const unmarked = ddb
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => String(input.Key?.pk).startsWith('MESSAGE#'));
    expect(unmarked).toEqual([
      expect.objectContaining({
        Key: { pk: 'MESSAGE#whatsapp#wamid.linked', sk: 'MESSAGE' },
        UpdateExpression: 'REMOVE deletedBy, deletedAt',
        ConditionExpression: 'deletedBy = :by',
        ExpressionAttributeValues: { ':by': 'cu_1' },
      }),
    ]);
    expect(left).toEqual([]);
  });

  it('starts over from the exports when the marker was written by a version with other steps', async () => {
    // A marker from before markers named their steps: its step 7 counted another list of steps.
    ddb.on(GetCommand).resolves({
      Item: { ...profile, erasingSince: '2025-06-10T08:00:00.000Z', erasureStep: 7 },
    });
    const removeAllOf = vi.fn(async () => 0);
    const erasing = privacyRepository(db, {
      customers: { mergedPartitions: vi.fn(async () => ['cu_1']) },
      conversations: { getConversation: vi.fn(async () => undefined) },
      suggestions: { suggestionsOn: vi.fn(async () => []) },
      timeline: {
        timeline: vi.fn(async () => ({ items: [], cursor: null })),
        rawPayloads: vi.fn(async () => []),
      },
      exports: { removeAllOf },
    });
    expect(await erasing.erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z')).toMatchObject({ complete: true });
    expect(removeAllOf.mock.calls).toEqual([['cu_1']]);
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.pk)).toContain(
      'IDENTITY#phone#+1',
    );
  });

  it('takes the customer out of the live log by their notes: a pack only theirs deleted, a shared one rewritten', async () => {
    const theirs = {
      id: 'live_1',
      seq: 1,
      type: 'timeline.item',
      customerId: 'cu_1',
      item: { text: 'secret' },
    };
    const others = {
      id: 'live_2',
      seq: 2,
      type: 'timeline.item',
      customerId: 'cu_2',
      item: { text: 'kept' },
    };
    const note = (n: number) => ({ pk: 'LIVE#OF#cu_1', sk: `p${n}`, packPk: `LIVE#h#${n}`, packSk: `s${n}` });
    // Each call reads the first notes left: deleted ones are not answered again.
    let left = [note(1), note(2)];
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'LIVE#OF#cu_1' } }).callsFake(() => ({
      Items: left,
    }));
    ddb.on(DeleteCommand, { Key: { pk: 'LIVE#OF#cu_1' } }).callsFake((input: { Key: { sk: string } }) => {
      left = left.filter((n) => n.sk !== input.Key.sk);
      return { Attributes: { pk: 'x' } };
    });
    ddb.on(GetCommand, { Key: { pk: 'LIVE#h#1' } }).resolves({ Item: { events: JSON.stringify([theirs]) } });
    ddb
      .on(GetCommand, { Key: { pk: 'LIVE#h#2' } })
      .resolves({ Item: { events: JSON.stringify([theirs, others]) } });
    const report = await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(report).toMatchObject({ complete: true, liveEvents: 2 });
    const deleted = ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.pk);
    expect(deleted.filter((pk) => String(pk).startsWith('LIVE#'))).toEqual([
      'LIVE#h#1',
      'LIVE#OF#cu_1',
      'LIVE#OF#cu_1',
    ]);
    const rewrite = ddb.commandCalls(UpdateCommand).find((call) => call.args[0].input.Key?.pk === 'LIVE#h#2');
    expect(rewrite?.args[0].input).toMatchObject({
      ConditionExpression: 'events = :before',
      ExpressionAttributeValues: { ':events': JSON.stringify([others]) },
    });
    // Each pack read strongly, once.
    const packReads = ddb
      .commandCalls(GetCommand)
      .filter((c) => String(c.args[0].input.Key?.pk).startsWith('LIVE#'));
    expect(packReads.map((c) => c.args[0].input.ConsistentRead)).toEqual([true, true]);
  });

  it('refuses to export a customer being erased', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...profile, erasingSince: '2025-06-10T08:00:00.000Z' } });
    await expect(repository().export('cu_1', 'n')).rejects.toBeInstanceOf(GoneError);
  });

  it('refuses to export an erased customer', async () => {
    ddb.on(GetCommand).resolves({ Item: { entity: 'erased_customer', id: 'cu_1' } });
    await expect(repository().export('cu_1', 'n')).rejects.toBeInstanceOf(GoneError);
  });
});
