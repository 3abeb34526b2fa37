import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { deliverReply } from '#shared/app/deliver-reply.js';
import { loadConfig } from '#shared/config/config.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { senderDeps } from '#shared/lambda/sender-handler.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { AWS_CLOCK_ENV } from '../../../support/aws-clock-env.js';
import { mockAws } from '../../../support/aws-mock.js';
import { shippedPolicyFileWith } from '../../../support/policy-file.js';

const ddb = mockAws(DynamoDBDocumentClient);
const repos = dynamoRepositories(documentClient(new DynamoDBClient({ region: 'eu-west-1' })), 'threadline');
const ASKED = '2026-12-05T09:00:00.000Z';
const REPLIED = '2026-12-05T09:04:00.000Z';
const CONVERSATION_KEY = { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

/** The sender as its handler builds it on AWS: no SMS credentials, auto-resolve after a day of silence. */
const deps = () =>
  senderDeps(
    loadConfig({
      ...AWS_CLOCK_ENV,
      ROUTING_POLICY_FILE: shippedPolicyFileWith((policy) => {
        policy.autoResolve = { after: 'P1D' };
      }),
    }),
    repos,
  );

/** An agent's answer by SMS, the conversation's first response. */
const reply = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: REPLIED,
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550100' },
  text: 'Your parcel left today.',
  author: { kind: 'agent', id: 'ag_1' },
});

/** Every DynamoDB call made, in order: command and the kind of item (its key's partition prefix). */
const made = () =>
  ddb.calls().map((call) => {
    const command = call.args[0] as unknown as {
      constructor: { name: string };
      input: { Key?: { pk?: string; sk?: string } };
    };
    const { pk = '', sk = '' } = command.input.Key ?? {};
    const item = sk.includes('#reply:') ? 'reply' : pk.split('#')[0];
    return `${command.constructor.name.replace('Command', '')} ${item}`;
  });

beforeEach(() => {
  ddb.reset();
  ddb.on(UpdateCommand).resolves({});
  ddb.on(GetCommand).resolves({
    Item: {
      ...CONVERSATION_KEY,
      entity: 'conversation',
      id: 'cv_1',
      customerId: 'cu_1',
      status: 'open',
      createdAt: ASKED,
      channels: new Set(['sms']),
      waitingSince: ASKED,
      // The silence the answer started when it was stored: it ends with the answer taken back.
      awaitingCustomerSince: REPLIED,
    },
  });
});

describe('the sender function on AWS: an answer it gives up on', () => {
  it('is taken back from the first response and the conversation clock (its silence ends)', async () => {
    ddb.on(UpdateCommand, { Key: CONVERSATION_KEY }).resolves({
      Attributes: { ...CONVERSATION_KEY, firstResponseAt: REPLIED, firstResponseWaitFrom: ASKED },
    });
    // No SMS credentials: given up at once as the channel not configured.
    await deliverReply(deps(), reply, 1).catch(() => undefined);
    expect(made()).toEqual([
      // Its customer still there (not being erased), its claim, then the failure recorded on the reply.
      'Get CUSTOMER',
      'Update reply',
      'Update reply',
      // The first response taken back: the mark (owing its count), the day's counters under a claim,
      // then the debt and the claim settled.
      'Update CONVERSATION',
      'Update METRICS',
      'Update CONVERSATION',
      'Update METRICS',
      // The clock: the conversation read, and the silence the answer started ended.
      'Get CONVERSATION',
      'Update CONVERSATION',
    ]);
  });

  it('takes back no first response it was not (its two writes tried, one read finds no count owed), and still tells the clock', async () => {
    ddb.on(UpdateCommand, { Key: CONVERSATION_KEY }).rejects(conditionFailed());
    await deliverReply(deps(), reply, 1).catch(() => undefined);
    expect(made()).toEqual([
      'Get CUSTOMER',
      'Update reply',
      'Update reply',
      'Update CONVERSATION',
      'Update CONVERSATION',
      'Get CONVERSATION',
      'Get CONVERSATION',
      'Update CONVERSATION',
    ]);
  });
});
