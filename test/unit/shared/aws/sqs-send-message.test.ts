import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsRequestError } from '#shared/aws/request-error.js';
import type { AwsCredentials } from '#shared/aws/signed-request.js';
import { sqsSendMessage } from '#shared/aws/sqs-lite.js';
import { UnavailableError } from '#shared/errors.js';
import { SqsDeliveryQueue } from '#shared/queue/sqs-delivery-queue.js';
import { SqsOutboundQueue } from '#shared/queue/sqs-outbound-queue.js';
import { FakeAws, type Received } from '../../../support/fake-aws.js';

const CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-outbound';

let fake: FakeAws;
let sleeps: number[];
let send: (input: Parameters<typeof sqsSendMessage>[0]) => ReturnType<typeof sqsSendMessage>;

/** SQS's answer to a SendMessage: the MD5 of the body it received, as SQS computes it. */
function sent(request: Received, md5 = true) {
  const { MessageBody } = JSON.parse(request.body.toString('utf8')) as { MessageBody: string };
  const digest = createHash('md5')
    .update(md5 ? MessageBody : 'other', 'utf8')
    .digest('hex');
  return { status: 200, body: JSON.stringify({ MessageId: 'msg-1', MD5OfMessageBody: digest }) };
}
const body = (request: Received | undefined) => JSON.parse(String(request?.body)) as Record<string, unknown>;

beforeEach(async () => {
  sleeps = [];
  fake = new FakeAws({ service: 'sqs', region: 'eu-west-1', credentials: CREDENTIALS });
  const endpoint = await fake.start();
  send = (input) =>
    sqsSendMessage(input, {
      endpoint,
      credentials: () => CREDENTIALS,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });
});
afterEach(async () => {
  await fake.stop();
  expect(fake.mismatches).toEqual([]);
});

describe('sqsSendMessage', () => {
  it("sends SQS's JSON SendMessage, signed for the queue's region, and answers the MessageId", async () => {
    fake.reply = (request) => sent(request);
    const out = await send({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"a":"ü"}',
      DelaySeconds: 5,
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'sms' } },
    });
    expect(out).toEqual({ MessageId: 'msg-1' });
    expect(fake.received[0]?.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(body(fake.received[0])).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"a":"ü"}',
      DelaySeconds: 5,
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'sms' } },
    });
  });

  it('retries throttling as the SDK does, and refuses an answer whose MD5 does not match the body', async () => {
    let n = 0;
    fake.reply = (request) =>
      ++n === 1
        ? {
            status: 400,
            headers: { 'x-amzn-query-error': 'RequestThrottled;Sender' },
            body: JSON.stringify({ __type: 'com.amazonaws.sqs#RequestThrottled', message: 'slow down' }),
          }
        : sent(request);
    const out = await send({ QueueUrl: QUEUE_URL, MessageBody: 'x' });
    expect(sleeps).toEqual([250]);
    expect(n).toBe(2);
    expect(out).toEqual({ MessageId: 'msg-1' });

    fake.reply = (request) => sent(request, false);
    const mismatch = await send({ QueueUrl: QUEUE_URL, MessageBody: 'x' }).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(AwsRequestError);
    expect((mismatch as AwsRequestError).code).toBe('InvalidMd5');
  });
});

describe('the SQS queues of replies and webhook deliveries', () => {
  it('put one message per reply with its channel, and say Unavailable when SQS fails', async () => {
    fake.reply = (request) => sent(request);
    const reply = { replyId: 'rp_1', channel: 'sms' } as never;
    await new SqsOutboundQueue(send, QUEUE_URL).enqueue(reply);
    expect(body(fake.received[0])).toMatchObject({
      MessageBody: JSON.stringify(reply),
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'sms' } },
    });
    fake.reply = () => ({ status: 500, body: '{}' });
    await expect(new SqsOutboundQueue(send, QUEUE_URL).enqueue(reply)).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('delay a webhook delivery by at most 15 minutes', async () => {
    fake.reply = (request) => sent(request);
    const queue = new SqsDeliveryQueue(send, QUEUE_URL);
    await queue.send({ deliveryId: 'd_1' } as never, 3600);
    await queue.send({ deliveryId: 'd_2' } as never, -4);
    expect(fake.received.map((r) => body(r).DelaySeconds)).toEqual([900, 0]);
  });
});
