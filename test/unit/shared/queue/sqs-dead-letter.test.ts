import { readFileSync } from 'node:fs';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, UnavailableError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { createMailConsumer } from '#shared/queue/mail-consumer.js';
import { createResolverConsumer } from '#shared/queue/resolver-consumer.js';
import { sqsDeadLetter } from '#shared/queue/sqs-dead-letter.js';
import { sdkSendMessageBatch } from '#shared/queue/sqs-sdk-batch.js';
import { mockAws } from '../../../support/aws-mock.js';
import { sqsRecord } from '../../../support/sqs.js';
import { inboundText } from '../../fakes/envelopes.js';

const sqs = mockAws(SQSClient);
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-inbound-dlq';
const deadLetter = () => sqsDeadLetter(sdkSendMessageBatch(new SQSClient({ region: 'eu-west-1' })), DLQ);
const envelopeRecord = (id: string) => sqsRecord(id, JSON.stringify(inboundText({ providerMessageId: id })));
const refused = () => new PermanentError('DynamoDB PutItem refused the request (ValidationException)');

describe('permanent failures go to the dead-letter queue at once', () => {
  beforeEach(() => {
    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'd1', MD5OfMessageBody: '' }] });
  });
  afterEach(() => vi.restoreAllMocks());

  it('sends a record DynamoDB refuses to the DLQ with the reason, and reports it handled', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const consume = createResolverConsumer(
      async (envelope) => {
        if (envelope.id.endsWith('m1')) throw refused();
      },
      { deadLetter: deadLetter() },
    );
    const records = [envelopeRecord('m1'), envelopeRecord('m2')];
    const response = await consume({ Records: records });
    expect(response.batchItemFailures).toEqual([]);
    const sent = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(sent).toEqual([
      {
        QueueUrl: DLQ,
        Entries: [
          {
            Id: '0',
            MessageBody: records[0]?.body,
            MessageAttributes: {
              failureError: { DataType: 'String', StringValue: 'PermanentError' },
              failureCode: { DataType: 'String', StringValue: 'permanent_failure' },
              sourceQueueArn: { DataType: 'String', StringValue: records[0]?.eventSourceARN },
              sourceMessageId: { DataType: 'String', StringValue: 'm1' },
              receiveCount: { DataType: 'Number', StringValue: '1' },
            },
          },
        ],
      },
    ]);
    expect(error).toHaveBeenCalledWith(
      'record failed permanently: moved to the dead-letter queue at once',
      expect.objectContaining({ messageId: 'm1', error: 'PermanentError', code: 'permanent_failure' }),
    );
  });

  it('dead-letters a record that is not an envelope at once', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => {});
    const consume = createResolverConsumer(async () => {}, { deadLetter: deadLetter() });
    const response = await consume({ Records: [sqsRecord('m1', '{not json')] });
    expect(response.batchItemFailures).toEqual([]);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.MessageBody).toBe('{not json');
    expect(entry?.MessageAttributes?.failureCode?.StringValue).toBe('invalid_request');
  });

  it('leaves a failure worth retrying to SQS: no dead letter, a batch item failure', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const consume = createResolverConsumer(
      async () => {
        throw new UnavailableError('DynamoDB PutItem failed');
      },
      { deadLetter: deadLetter() },
    );
    const response = await consume({ Records: [envelopeRecord('m1')] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('dead-letters a mail notification whose envelopes fail permanently', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => {});
    vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const consume = createMailConsumer({
      queue: {
        enqueue: async () => {
          throw refused();
        },
      },
      fetchObject: async () => new Uint8Array(),
      deadLetter: deadLetter(),
    });
    const notification = {
      snsMessageId: 'sns-1',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:events',
      message: readFileSync(new URL('../../../fixtures/ses/delivery.json', import.meta.url), 'utf8'),
      receivedAt: '2027-03-01T12:00:00.000Z',
    };
    const response = await consume({
      Records: [sqsRecord('m1', JSON.stringify(notification), 'threadline-mail')],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody).toBe(
      JSON.stringify(notification),
    );
  });
});
