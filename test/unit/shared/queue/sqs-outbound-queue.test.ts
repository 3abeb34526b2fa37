import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { SqsOutboundQueue } from '#shared/queue/sqs-outbound-queue.js';
import { mockAws } from '../../../support/aws-mock.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-outbound';
const sqs = mockAws(SQSClient);
const client = new SQSClient({ region: 'eu-west-1' });
const queue = new SqsOutboundQueue((input) => client.send(new SendMessageCommand(input)), QUEUE_URL);
const reply = OutboundMessageSchema.parse({
  id: 'rp_throttled',
  customerId: 'cu_7',
  conversationId: 'cv_7',
  at: '2026-12-03T19:00:00.000Z',
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550107' },
  text: 'Your refund is on its way.',
  author: { kind: 'agent', id: 'ag_7' },
});

describe('SqsOutboundQueue', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it('sends the reply with no DelaySeconds unless asked', async () => {
    await queue.enqueue(reply);
    const input = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify(reply),
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'sms' } },
    });
  });

  it("sets DelaySeconds on a delayed reply, within SQS's 0 to 900 s", async () => {
    for (const delaySeconds of [20, 3_600, 0.4, -5]) await queue.enqueue(reply, { delaySeconds });
    const delays = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.DelaySeconds);
    expect(delays).toEqual([20, 900, undefined, undefined]);
  });
});
