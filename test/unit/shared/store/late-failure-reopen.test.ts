import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { waitAgainAfterFailure } from '#shared/app/wait-after-routing.js';
import type { DeliveryStatus, StatusEnvelope } from '#shared/domain/envelope.js';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import { statusRank } from '#shared/domain/status-rank.js';
import { lateFailureWait } from '#shared/domain/waiting.js';
import { conversationRepository } from '#shared/store/conversation-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineRepository } from '#shared/store/timeline-repository.js';
import { mockAws } from '../../../support/aws-mock.js';
import { status as statusEnvelope } from '../../fakes/envelopes.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const timeline = timelineRepository(db, { mergedPartitions: async (id) => [id] });
const conversations = conversationRepository(db, timeline);
const store = { ...timeline, ...conversations };
const REPLIED = '2025-06-10T10:00:00.000Z';
const NOW = '2025-06-10T10:30:00.000Z';
const SK = `TIMELINE#${REPLIED}#reply:rp_1`;
const ITEM_KEY = { pk: 'CUSTOMER#cu_1', sk: SK };
const CONVERSATION_KEY = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const PROFILE_KEY = { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

/** An agent's reply as stored, keyed at its time. */
const stored = (status: DeliveryStatus) => ({
  ...ITEM_KEY,
  entity: 'timeline',
  type: 'message',
  direction: 'outbound',
  channel: 'whatsapp',
  at: REPLIED,
  conversationId: 'cv_1',
  providerMessageId: 'wamid.out.1',
  status,
  statusRank: statusRank(status),
  data: { author: { kind: 'agent', id: 'ag_1' } },
});

/** The conversation as the reopen write leaves it (`ALL_NEW`): open, its assignee's again. */
const reopened = {
  ...CONVERSATION_KEY,
  entity: 'conversation',
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  assignee: 'ag_1',
  answeredAt: REPLIED,
  waitingSince: NOW,
  reopenedAt: NOW,
  reopenedBy: 'delivery',
};

const status = (value: DeliveryStatus): StatusEnvelope => ({
  ...statusEnvelope('wamid.out.1', value, '2025-06-10T10:29:00.000Z'),
  replyKey: encodeReplyKey({ customerId: 'cu_1', at: REPLIED, replyId: 'rp_1' }),
});

/** The resolver's status path: the status's write, then the wait (and reopen) it may bring back. */
async function receive(value: DeliveryStatus): Promise<void> {
  const failed = await store.advanceStatus(status(value));
  if (failed) await waitAgainAfterFailure(store, lateFailureWait(failed), { now: () => new Date(NOW) });
}

/** Every DynamoDB call made, in order: command and the kind of item (its key's partition prefix). */
function made(): string[] {
  return ddb.calls().map((call) => {
    const command = call.args[0] as {
      constructor: { name: string };
      input: { Key?: { pk?: string }; Item?: { pk?: string } };
    };
    const pk = String((command.input.Key ?? command.input.Item)?.pk);
    return `${command.constructor.name.replace('Command', '')} ${pk.split('#')[0]}`;
  });
}

/** The conversation's writes answer in turn: a thrown condition failure, or the attributes to return. */
function conversationAnswers(...answers: Array<'failed' | Record<string, unknown>>) {
  let n = 0;
  ddb.on(UpdateCommand).callsFake((input: { Key?: { pk?: string } }) => {
    if (input.Key?.pk !== CONVERSATION_KEY.pk) return {};
    const answer = answers[n++] ?? {};
    if (answer === 'failed') throw conditionFailed();
    return { Attributes: answer };
  });
}

/**
 * What follows a reopen: the assignee's open conversations (listed, then counted), the profile, its
 * pending survey (read; voided when it is about this conversation), the event, the wait.
 */
const REOPEN_FOLLOWS = [
  'Update CONVERSATION',
  'Update AGENT',
  'Update CUSTOMER',
  'Get CUSTOMER',
  'Put CUSTOMER',
  'Update CONVERSATION',
];

/** A redelivered `failed`: the reply's write fails and its read says failed, both conversation writes fail, then the read. */
const REDELIVERED = [
  'Update CUSTOMER',
  'Get CUSTOMER',
  'Update CONVERSATION',
  'Update CONVERSATION',
  'Get CONVERSATION',
];

/** The store a redelivered `failed` meets: the reply failed already, the conversation read as `item`. */
function redeliveredOn(item: Record<string, unknown>): void {
  conversationAnswers('failed', 'failed', {}, {});
  ddb.on(UpdateCommand, { Key: ITEM_KEY }).rejects(conditionFailed());
  ddb.on(GetCommand, { Key: ITEM_KEY }).resolves({ Item: stored('failed') });
  ddb.on(GetCommand, { Key: CONVERSATION_KEY }).resolves({ Item: item });
  ddb.on(PutCommand).resolves({});
}

describe('a late failure on a resolved conversation', () => {
  beforeEach(() => {
    ddb.reset();
    // The profile a reopen reads for its pending survey: none here.
    ddb.on(GetCommand, { Key: PROFILE_KEY }).resolves({});
  });

  it('delivered: the one write it was, nothing on the conversation', async () => {
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({});
    await receive('delivered');
    expect(made()).toEqual(['Update CUSTOMER']);
  });

  it('failed on an open conversation: the reply, then the wait (as before)', async () => {
    conversationAnswers({});
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({ Attributes: stored('failed') });
    await receive('failed');
    expect(made()).toEqual(['Update CUSTOMER', 'Update CONVERSATION']);
  });

  it('failed after the resolve: the wait fails, the reopen (load, profile, event), the wait again', async () => {
    conversationAnswers('failed', reopened, {}, {});
    ddb.on(UpdateCommand, { Key: ITEM_KEY }).resolves({ Attributes: stored('failed') });
    ddb.on(PutCommand).resolves({});
    await receive('failed');
    // The reply, the wait (failed), the reopen, then what follows it.
    expect(made()).toEqual([
      'Update CUSTOMER',
      'Update CONVERSATION',
      'Update CONVERSATION',
      ...REOPEN_FOLLOWS,
    ]);
    const updates = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    const reopen = updates[2];
    expect(reopen?.ConditionExpression).toContain('#status = :resolved');
    expect(reopen?.ExpressionAttributeValues).toMatchObject({ ':failed': REPLIED, ':now': NOW });
    const event = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(event).toMatchObject({ event: 'reopened', data: { conversationId: 'cv_1', by: 'delivery' } });
    // The wait again: from the agent's reply, as on an open conversation.
    const { ReturnValues, ...firstWait } = updates[1] ?? {};
    expect(ReturnValues).toBe('ALL_NEW');
    expect(updates.at(-1)).toEqual(firstWait);
    expect(updates[1]?.ExpressionAttributeValues).toMatchObject({ ':at': REPLIED, ':failed': REPLIED });
  });

  it('redelivered, or not to be reopened: one more failed write and one read than before, nothing else', async () => {
    const waitedOn = { ...reopened, waitingSince: REPLIED };
    const byHand = { ...reopened, reopenedBy: 'ag_1' };
    const earlier = { ...reopened, reopenedAt: '2025-06-10T09:00:00.000Z', waitingSince: REPLIED };
    // Reopened by this failure and waiting again since; by hand; by an earlier failure; resolved.
    for (const item of [waitedOn, byHand, earlier, { ...reopened, status: 'resolved' }]) {
      ddb.reset();
      redeliveredOn(item);
      await receive('failed');
      expect(made()).toEqual(REDELIVERED);
      expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    }
  });

  it("redelivered after a crash right after the reopen's write: the read completes what follows it", async () => {
    // Open, reopened by this failure, its wait still the reopen's: nothing after the write was done.
    redeliveredOn(reopened);
    await receive('failed');
    expect(made()).toEqual([...REDELIVERED, ...REOPEN_FOLLOWS]);
    const read = ddb
      .commandCalls(GetCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.Key?.pk === CONVERSATION_KEY.pk);
    expect(read?.ConsistentRead).toBe(true);
    // The event at the reopen's own time and author, so a second completion writes the same item.
    const event = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(event).toMatchObject({ id: `reopened:cv_1:${NOW}`, at: NOW, data: { by: 'delivery' } });
  });
});
