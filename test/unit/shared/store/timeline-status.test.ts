import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StatusEnvelope } from '#shared/domain/envelope.js';
import { statusRank } from '#shared/domain/status-rank.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineRepository } from '#shared/store/timeline-repository.js';
import { mockAws } from '../../../support/aws-mock.js';
import { status as statusEnvelope } from '../../fakes/envelopes.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const repo = timelineRepository(db, { mergedPartitions: async (id) => [id] });
const SK = 'TIMELINE#2025-06-10T10:00:00.000Z#reply:rp_1';

const status = (value: 'sent' | 'delivered' | 'read'): StatusEnvelope =>
  statusEnvelope('wamid.out.1', value, '2025-06-10T10:00:05.000Z');

/** The timeline item keys the updates went to (the message reference's writes left out). */
const timelineWrites = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input.Key?.sk)
    .filter((sk) => sk !== 'MESSAGE');

describe('a delivery status on a linked reply', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateCommand, { Key: { pk: 'MESSAGE#whatsapp#wamid.out.1', sk: 'MESSAGE' } }).resolves({
      Attributes: { customerId: 'cu_1', timelineSk: SK, timelineRank: statusRank('sent') },
    });
    ddb.on(UpdateCommand, { Key: { pk: 'CUSTOMER#cu_1', sk: SK } }).resolves({});
  });

  it('writes nothing on the timeline for the status the reply had when it was linked', async () => {
    await repo.advanceStatus(status('sent'));
    expect(timelineWrites()).toEqual([]);
  });

  it('moves the timeline item for a later status, conditional on its order', async () => {
    await repo.advanceStatus(status('delivered'));
    expect(timelineWrites()).toEqual([SK]);
    const update = ddb.commandCalls(UpdateCommand).at(-1)?.args[0].input;
    expect(update?.ConditionExpression).toContain('statusRank < :rank');
  });

  it("records the linked item's status on the reference, first link wins", async () => {
    await repo.linkOutbound(
      {
        id: 'reply:rp_1',
        type: 'message',
        direction: 'outbound',
        channel: 'whatsapp',
        customerId: 'cu_1',
        at: '2025-06-10T10:00:00.000Z',
        providerMessageId: 'wamid.out.1',
      },
      'sent',
    );
    const link = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(link?.UpdateExpression).toContain('timelineRank = if_not_exists(timelineRank, :timelineRank)');
    expect(link?.ExpressionAttributeValues?.[':timelineRank']).toBe(statusRank('sent'));
  });
});

describe('a late status of an erased message', () => {
  beforeEach(() => {
    ddb.reset();
  });

  it("keeps nothing of it where the erasure's marker is kept apart, under a hash of the reference", async () => {
    const marker = { ...Keys.erasedMessage('whatsapp', 'wamid.out.1'), erasedAt: 'x', ttl: 1 };
    // The reference is gone: the status's write creates it, holding the provider's id in its key.
    ddb.on(UpdateCommand).resolves({ Attributes: { status: 'read', statusRank: statusRank('read') } });
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: { pk: marker.pk } }).resolves({ Item: marker });
    ddb.on(DeleteCommand).resolves({});
    expect(await repo.advanceStatus(status('read'))).toBeUndefined();
    // One read of the marker, on this path only, and the reference taken back: not parked (no `ttl`).
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'UpdateCommand',
      'GetCommand',
      'DeleteCommand',
    ]);
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'MESSAGE#whatsapp#wamid.out.1', sk: 'MESSAGE' },
      ConditionExpression: 'attribute_not_exists(timelineSk) AND attribute_not_exists(deletedAt)',
    });
  });

  it("writes nothing on the erasure's marker an earlier version left on the reference, nor anywhere else", async () => {
    const marker = {
      pk: 'MESSAGE#email#ses-1',
      sk: 'MESSAGE',
      entity: 'erased_message',
      erasedAt: 'x',
      ttl: 1,
    };
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    ddb.on(GetCommand).resolves({ Item: marker });
    // SES's bounce of the mail, once the customer is erased: its diagnostic names the address.
    const failed: StatusEnvelope = {
      ...statusEnvelope('ses-1', 'failed', '2025-06-10T10:00:05.000Z'),
      provider: 'ses',
      channel: 'email',
      errors: [{ code: 'bounce:Permanent:General', message: 'smtp; 550 <desk@acme.example>' }],
    };
    expect(await repo.advanceStatus(failed)).toBeUndefined();
    const [update] = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(update?.ConditionExpression).toContain('attribute_not_exists(erasedAt)');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(ddb.calls()).toHaveLength(2);
  });
});
