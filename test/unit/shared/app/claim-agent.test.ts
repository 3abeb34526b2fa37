import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { claimAgent, MAX_AGENT_CLAIMS } from '#shared/app/claim-agent.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentRepository } from '#shared/store/agent-repository.js';
import { conversationRepository } from '#shared/store/conversation-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const agents = agentRepository(db);

/** An agent's item as stored: the profile, and their set of open conversations (none: no attribute). */
const agentItem = (id: string, open: string[], extra: Record<string, unknown> = {}) => ({
  pk: `AGENT#${id}`,
  sk: 'AGENT',
  entity: 'agent',
  gsi1pk: 'AGENTS',
  gsi1sk: id,
  id,
  queues: ['general'],
  languages: ['en'],
  capacity: 3,
  presence: 'online',
  updatedAt: '2026-12-01T09:00:00.000Z',
  ...(open.length ? { openConversationIds: new Set(open) } : {}),
  ...extra,
});

const refused = () => new ConditionalCheckFailedException({ message: 'no room', $metadata: {} });
const input = {
  conversation: { queue: 'general', language: 'en' },
  stickyDays: 30,
  now: new Date('2026-12-01T10:00:00.000Z'),
};
const claimsMade = () =>
  ddb.commandCalls(UpdateCommand).map((call) => {
    const { Key, ExpressionAttributeValues } = call.args[0].input;
    return [Key?.pk, ExpressionAttributeValues?.[':seen']];
  });

describe('claimAgent over DynamoDB', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
    // Every online agent listed is at the console (a live socket's lease, read in one BatchGetItem).
    ddb
      .on(BatchGetCommand)
      .callsFake((command: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => ({
        Responses: {
          [db.table]: (command.RequestItems[db.table]?.Keys ?? []).map(({ pk }) => ({
            pk,
            sk: 'AGENT_LIVE',
            agentId: pk.replace('AGENT_LIVE#', ''),
            connectedUntil: '2026-12-01T10:10:00.000Z',
          })),
        },
      }));
  });

  it('claims the least-loaded agent the list shows, on their own item: one query, one conditional write', async () => {
    ddb.on(QueryCommand).resolves({ Items: [agentItem('ana', ['c1']), agentItem('bob', [])] });
    expect(await claimAgent(agents, 'cv_1', input)).toEqual({
      choice: { agentId: 'bob', reason: 'least_loaded' },
      holders: [],
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const [update] = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(update).toMatchObject({
      Key: { pk: 'AGENT#bob', sk: 'AGENT' },
      UpdateExpression: 'ADD #set :members',
      ExpressionAttributeNames: { '#set': 'openConversationIds' },
      ExpressionAttributeValues: { ':members': new Set(['cv_1']), ':conversation': 'cv_1', ':seen': 0 },
    });
    // Room, presence and the load chosen on are checked on the item; a retry (its set holds it) passes.
    expect(update?.ConditionExpression).toContain('contains(#set, :conversation)');
    expect(update?.ConditionExpression).toContain('size(#set) < #capacity AND size(#set) <= :seen');
    expect(update?.ConditionExpression).toContain('#presence = :online');
  });

  it('a lagging list: the refused agent is read strongly and the next least-loaded one claimed', async () => {
    // The index shows Ana empty; concurrent hand-offs have filled her since.
    ddb.on(QueryCommand).resolves({ Items: [agentItem('ana', []), agentItem('bob', ['c1'])] });
    ddb.on(UpdateCommand, { Key: { pk: 'AGENT#ana', sk: 'AGENT' } }).rejects(refused());
    ddb.on(GetCommand).resolves({ Item: agentItem('ana', ['c7', 'c8', 'c9']) });
    expect((await claimAgent(agents, 'cv_1', input)).choice).toEqual({
      agentId: 'bob',
      reason: 'least_loaded',
    });
    expect(claimsMade()).toEqual([
      ['AGENT#ana', 0],
      ['AGENT#bob', 1],
    ]);
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ Key: { pk: 'AGENT#ana', sk: 'AGENT' }, ConsistentRead: true }),
    ]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('spreads by load: refused because another hand-off took a slot, the agent is ranked again as they are', async () => {
    ddb.on(QueryCommand).resolves({ Items: [agentItem('ana', []), agentItem('bob', ['c1'])] });
    ddb
      .on(UpdateCommand, { Key: { pk: 'AGENT#ana', sk: 'AGENT' } })
      .rejectsOnce(refused())
      .resolves({});
    // One hand-off took a slot of Ana's meanwhile: she has one, as Bob does; Ana first by id again.
    ddb.on(GetCommand).resolves({ Item: agentItem('ana', ['c5']) });
    expect((await claimAgent(agents, 'cv_1', input)).choice).toMatchObject({ agentId: 'ana' });
    expect(claimsMade()).toEqual([
      ['AGENT#ana', 0],
      ['AGENT#ana', 1],
    ]);
  });

  it('nobody with room as their items say: the conversation waits, each refused agent read once', async () => {
    ddb.on(QueryCommand).resolves({ Items: [agentItem('ana', []), agentItem('bob', [])] });
    ddb.on(UpdateCommand).rejects(refused());
    ddb
      .on(GetCommand, { Key: { pk: 'AGENT#ana', sk: 'AGENT' } })
      .resolves({ Item: agentItem('ana', ['c1', 'c2', 'c3']) });
    ddb.on(GetCommand, { Key: { pk: 'AGENT#bob', sk: 'AGENT' } }).resolves({
      Item: agentItem('bob', [], { presence: 'away' }),
    });
    expect(await claimAgent(agents, 'cv_1', input)).toEqual({ choice: { waiting: true }, holders: [] });
    expect(claimsMade()).toEqual([
      ['AGENT#ana', 0],
      ['AGENT#bob', 0],
    ]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('gives up after so many claims, however the agents keep changing', async () => {
    ddb.on(QueryCommand).resolves({ Items: [agentItem('ana', [])] });
    ddb.on(UpdateCommand).rejects(refused());
    ddb.on(GetCommand).resolves({ Item: agentItem('ana', ['c1']) });
    expect((await claimAgent(agents, 'cv_1', input)).choice).toEqual({ waiting: true });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(MAX_AGENT_CLAIMS);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(MAX_AGENT_CLAIMS);
  });

  it('an earlier run claimed for this conversation, then crashed: that agent counts it no more, and is its holder', async () => {
    // Ana's set holds cv_1 (the crashed run's claim): at capacity by count, one of them this one; Bob has
    // fewer still, so he gets it and Ana's claim is let go (`holders`).
    ddb.on(QueryCommand).resolves({
      Items: [agentItem('ana', ['c1', 'c2', 'cv_1']), agentItem('bob', ['c3'])],
    });
    expect(await claimAgent(agents, 'cv_1', input)).toEqual({
      choice: { agentId: 'bob', reason: 'least_loaded' },
      holders: ['ana'],
    });
    ddb.resetHistory();
    ddb
      .on(QueryCommand)
      .resolves({ Items: [agentItem('ana', ['c1', 'cv_1']), agentItem('bob', ['c3', 'c4'])] });
    expect(await claimAgent(agents, 'cv_1', input)).toEqual({
      choice: { agentId: 'ana', reason: 'least_loaded' },
      holders: ['ana'],
    });
    expect(claimsMade()).toEqual([['AGENT#ana', 1]]);
  });
});

describe('assignRouted after a claim', () => {
  const conversation = {
    pk: 'CONVERSATION#cv_1',
    sk: 'CONVERSATION',
    entity: 'conversation',
    id: 'cv_1',
    customerId: 'cu_1',
    status: 'open',
    channel: 'whatsapp',
    channels: new Set(['whatsapp']),
    createdAt: '2026-12-01T09:59:00.000Z',
  };
  const change = {
    by: 'ai',
    now: '2026-12-01T10:00:00.001Z',
    eventId: 'assigned:cv_1:route:m1',
    routed: '2026-12-01T10:00:00.000Z#m1',
  };
  const timeline = { putTimelineItem: vi.fn(async (_item: TimelineItem) => true) };
  const conversationKey = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
  /** The conversation as routing's assignment of this item to `agentId` leaves it. */
  const routedTo = (agentId: string) => ({
    ...conversation,
    assignee: agentId,
    routedFor: change.routed,
    loadAgents: new Set([agentId]),
  });
  /** The conversation's write answers it as `assigned` left it (undefined: its condition fails). */
  const assignment = (assigned: Record<string, unknown> | undefined) => {
    ddb.on(GetCommand).resolves({ Item: conversation });
    const write = ddb.on(UpdateCommand, { Key: conversationKey });
    if (assigned) write.resolves({ Attributes: assigned });
    else write.rejects(refused());
    return conversationRepository(db, timeline);
  };
  const updatesMade = () =>
    ddb
      .commandCalls(UpdateCommand)
      .map((call) => [call.args[0].input.Key?.pk, call.args[0].input.UpdateExpression]);
  const conversationWrite = ['CONVERSATION#cv_1', expect.stringContaining('assignee = :agent')];

  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
    timeline.putTimelineItem.mockClear();
  });

  it('assigned: the claimed agent listed and counted, nothing released; 2 writes after the claim', async () => {
    const conversations = assignment(routedTo('ana'));
    const target = { agentId: 'ana', queue: 'general' };
    expect(await conversations.assignRouted('cv_1', target, change)).toEqual({ agentId: 'ana' });
    expect(updatesMade()).toEqual([conversationWrite, ['AGENT#ana', 'ADD #set :members']]);
  });

  it('another delivery of the item assigned Bob meanwhile: the claim on Ana is let go', async () => {
    const conversations = assignment(undefined);
    ddb.on(GetCommand, { Key: conversationKey, ConsistentRead: true }).resolves({ Item: routedTo('bob') });
    const target = { agentId: 'ana', queue: 'general' };
    expect(await conversations.assignRouted('cv_1', target, change)).toEqual({ agentId: 'bob' });
    expect(updatesMade()).toEqual([
      conversationWrite,
      ['AGENT#bob', 'ADD #set :members'],
      ['AGENT#ana', 'DELETE #set :members'],
    ]);
  });

  it('an earlier run\u2019s claim on another agent (a holder) is let go once the conversation is assigned', async () => {
    const conversations = assignment(routedTo('bob'));
    await conversations.assignRouted('cv_1', { agentId: 'bob' }, { ...change, release: ['ana'] });
    expect(updatesMade()).toEqual([
      conversationWrite,
      ['AGENT#bob', 'ADD #set :members'],
      ['AGENT#ana', 'DELETE #set :members'],
    ]);
  });

  it('the conversation is gone (erased meanwhile): the claim is let go, nothing recorded', async () => {
    const conversations = assignment(undefined);
    ddb.on(GetCommand, { Key: conversationKey, ConsistentRead: true }).resolves({});
    expect(await conversations.assignRouted('cv_1', { agentId: 'ana' }, change)).toBeUndefined();
    expect(updatesMade()).toEqual([conversationWrite, ['AGENT#ana', 'DELETE #set :members']]);
    expect(timeline.putTimelineItem).not.toHaveBeenCalled();
  });
});
