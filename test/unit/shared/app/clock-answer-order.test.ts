import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import type { ConversationClockDeps } from '#shared/domain/clock-ports.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Timer } from '#shared/domain/timer-ports.js';
import { clockPorts, dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const repos = dynamoRepositories(documentClient(new DynamoDBClient({ region: 'us-east-1' })), 'threadline');

const T0 = '2026-06-10T10:00:00.000Z';
const at = (minutes: number, ms = 0) => new Date(Date.parse(T0) + minutes * 60_000 + ms).toISOString();

/** The one conversation item, as the table holds it: the SLA write applies when its version matches. */
let item: Record<string, unknown>;
let scheduled: Timer[];
let cancelled: string[];

function deps(): ConversationClockDeps {
  const policy = parseRoutingPolicy(
    JSON.stringify({
      defaultQueue: 'general',
      queues: [{ name: 'general' }],
      sla: {
        policies: [
          {
            name: 'chat',
            firstResponse: 'PT10M',
            nextResponse: 'PT10M',
            resolution: 'PT2H',
            aiRepliesCount: true,
          },
        ],
      },
    }),
  );
  return {
    store: clockPorts(repos),
    admin: repos.conversations,
    timers: { schedule: async (t) => void scheduled.push(t), cancel: async (id) => void cancelled.push(id) },
    policy,
    clock: { now: () => new Date(at(30)) },
  };
}

/** Every DynamoDB call made, in order: command and the kind of item (its key's partition prefix). */
const made = () =>
  ddb.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: { Key?: { pk?: string } } };
    return `${command.constructor.name.replace('Command', '')} ${String(command.input.Key?.pk).split('#')[0]}`;
  });
const sla = () => item.sla as SlaState;

beforeEach(() => {
  ddb.reset();
  scheduled = [];
  cancelled = [];
  item = {
    pk: 'CONVERSATION#cv_1',
    sk: 'CONVERSATION',
    entity: 'conversation',
    id: 'cv_1',
    customerId: 'cu_1',
    status: 'open',
    createdAt: T0,
    channels: new Set(['whatsapp']),
  };
  ddb.on(GetCommand).callsFake(async () => ({ Item: structuredClone(item) }));
  ddb.on(UpdateCommand).callsFake(async (input: { ExpressionAttributeValues: Record<string, unknown> }) => {
    const values = input.ExpressionAttributeValues;
    if (!(':sla' in values)) return {};
    if ((item.sla as SlaState | undefined)?.version !== values[':expected'])
      throw new Error('SLA version moved');
    item.sla = values[':sla'];
    return {};
  });
});

describe('the clock: an AI answer that reaches it before the message it answers', () => {
  it('counts it: the wait stays closed, no response target runs, and the message writes nothing', async () => {
    const d = deps();
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    await trackConversationClock(d, { type: 'reply', conversationId: 'cv_1', at: at(2), author: 'agent' });
    expect(sla()).toMatchObject({ waitingOn: 'customer', responded: true });
    ddb.resetHistory();
    scheduled = [];

    // The customer writes at minute 5; the AI's answer (placed 1 ms after it) is told first, as routing does.
    await trackConversationClock(d, { type: 'reply', conversationId: 'cv_1', at: at(5, 1), author: 'ai' });
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: at(5) });
    expect(sla()).toMatchObject({ waitingOn: 'customer', responded: true });
    expect(sla().nextResponseDue).toBeUndefined();
    expect(sla().resolutionDue).toBeUndefined();
    expect(scheduled).toEqual([]);
    // The answer: 1 read, 1 conditional write (its time kept); the message it answered: 1 read.
    expect(made()).toEqual(['Get CONVERSATION', 'Update CONVERSATION', 'Get CONVERSATION']);
  });

  it('applies them the same the other way round', async () => {
    const d = deps();
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    await trackConversationClock(d, { type: 'reply', conversationId: 'cv_1', at: at(2), author: 'agent' });
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: at(5) });
    expect(sla().nextResponseDue).toBe(at(15));
    await trackConversationClock(d, { type: 'reply', conversationId: 'cv_1', at: at(5, 1), author: 'ai' });
    expect(sla()).toMatchObject({ waitingOn: 'customer', responded: true });
    expect(sla().nextResponseDue).toBeUndefined();
  });
});

describe('the clock: a wait that left with an unmerge', () => {
  it('runs the response target from the kept customer’s own message, and sets its timers again on a retry', async () => {
    const d = deps();
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    await trackConversationClock(d, { type: 'reply', conversationId: 'cv_1', at: at(2), author: 'agent' });
    // The joined conversation's wait (minute 5), then the kept customer's own message (minute 7).
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: at(5) });
    await trackConversationClock(d, { type: 'inbound', conversationId: 'cv_1', at: at(7) });
    expect(sla().nextResponseDue).toBe(at(15));
    scheduled = [];
    const left = { type: 'waitLeft' as const, conversationId: 'cv_1', at: at(9), since: at(7) };
    await trackConversationClock(d, left);
    expect(sla()).toMatchObject({ waitingOn: 'agent', nextResponseDue: at(17), waitFrom: at(7) });
    const armed = scheduled.filter((t) => t.kind === 'sla_breached').map((t) => t.dueAt);
    expect(armed).toEqual([at(17)]);
    expect(cancelled.some((id) => id.includes(at(15)))).toBe(true);

    // Told again (the unmerge asked again after a crash before the timers were set): the SLA stays,
    // its timers are set again.
    const version = sla().version;
    scheduled = [];
    await trackConversationClock(d, left);
    expect(sla().version).toBe(version);
    expect(scheduled.filter((t) => t.kind === 'sla_breached').map((t) => t.dueAt)).toEqual([at(17), at(123)]);
  });
});
