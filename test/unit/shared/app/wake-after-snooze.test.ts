import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { fireTimer } from '#shared/app/fire-timer.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import { wakeConversationNow } from '#shared/app/wake-conversation-now.js';
import type { ConversationClockDeps } from '#shared/domain/clock-ports.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { snoozeTimer } from '#shared/domain/snooze.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { clockPorts, dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

/**
 * A wake right after a snooze, on DynamoDB's read consistency: an eventually consistent read of the
 * conversation may still show it as it was before the snooze (or before a snooze moved its time), a
 * strongly consistent one never does. Every path that ends a snooze (the agent's wake, the snooze's
 * timer, the customer's message) must decide on what the table holds, not on the lagging copy.
 */
const ddb = mockAws(DynamoDBDocumentClient);
const NOW = '2026-06-10T10:00:00.000Z';
const FIRST = '2026-06-10T12:00:00.000Z';
const MOVED = '2026-06-11T09:00:00.000Z';
const KEY = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const stored = {
  ...KEY,
  entity: 'conversation',
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  channel: 'whatsapp',
  channels: new Set(['whatsapp']),
  createdAt: '2026-06-10T08:00:00.000Z',
  queue: 'general',
  waitingSince: '2026-06-10T08:00:00.000Z',
};

/** The table holds `now`; an eventually consistent read answers `lagging`. */
function table(now: Record<string, unknown>, lagging: Record<string, unknown>) {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: lagging });
  ddb.on(GetCommand, { Key: KEY, ConsistentRead: true }).resolves({ Item: now });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
}

function clock() {
  const cancelled: string[] = [];
  const repos = dynamoRepositories(documentClient(new DynamoDBClient({ region: 'us-east-1' })), 'threadline');
  const deps: ConversationClockDeps = {
    store: clockPorts(repos),
    admin: {
      assign: async () => true,
      addNote: async () => undefined as never,
      resolveConversation: async () => undefined,
    },
    timers: { schedule: async () => undefined, cancel: async (id) => void cancelled.push(id) },
    policy: parseRoutingPolicy(JSON.stringify({ defaultQueue: 'general', queues: [{ name: 'general' }] })),
    clock: { now: () => new Date(NOW) },
  };
  return { deps, cancelled };
}

/** The conditional wake writes: the snooze time each was conditional on. */
const wakes = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.UpdateExpression?.startsWith('REMOVE snoozedUntil'))
    .map((input) => input.ExpressionAttributeValues?.[':until']);

/** The `woke` events put on the timeline: the snooze each says ended. */
const wokeEvents = () =>
  ddb
    .commandCalls(PutCommand)
    .map((call) => call.args[0].input.Item)
    .filter((item) => item?.event === 'woke')
    .map((item) => item?.data?.snoozedUntil);

describe('waking a conversation right after it was snoozed', () => {
  beforeEach(() => ddb.reset());

  it("the agent's wake finds the snooze an eventually consistent read does not show yet", async () => {
    table({ ...stored, snoozedUntil: FIRST }, stored);
    const { deps, cancelled } = clock();
    const awake = await wakeConversationNow(deps, { conversationId: 'cv_1', agentId: 'ag_1' });
    expect(awake.snoozedUntil).toBeUndefined();
    expect(wakes()).toEqual([FIRST]);
    expect(wokeEvents()).toEqual([FIRST]);
    expect(cancelled).toEqual([snoozeTimer('cv_1', FIRST).id]);
  });

  it("the agent's wake ends the snooze as moved, with no woke event for the earlier time", async () => {
    table({ ...stored, snoozedUntil: MOVED }, { ...stored, snoozedUntil: FIRST });
    const { deps } = clock();
    await wakeConversationNow(deps, { conversationId: 'cv_1', agentId: 'ag_1' });
    expect(wakes()).toEqual([MOVED]);
    expect(wokeEvents()).toEqual([MOVED]);
  });

  it('the snooze timer wakes it though the read that fires it lags behind the snooze', async () => {
    table({ ...stored, snoozedUntil: MOVED }, { ...stored, snoozedUntil: FIRST });
    const { deps } = clock();
    expect(await fireTimer(deps, snoozeTimer('cv_1', MOVED))).toBe('fired');
    expect(wakes()).toEqual([MOVED]);
  });

  it("the customer's message wakes it though the clock's read lags behind the snooze", async () => {
    table({ ...stored, snoozedUntil: FIRST }, stored);
    const { deps } = clock();
    // The message's own write saw the snooze (it answers the item as it left it).
    const seen = { ...stored, channels: ['whatsapp'], snoozedUntil: FIRST } as unknown as Conversation;
    await trackConversationClock(deps, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: NOW,
      conversation: seen,
    });
    expect(wakes()).toEqual([FIRST]);
    expect(wokeEvents()).toEqual([FIRST]);
  });
});
