import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import { PermanentError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { createSenderConsumer } from '#shared/queue/sender-consumer.js';
import { sqsDeadLetter } from '#shared/queue/sqs-dead-letter.js';
import { sdkSendMessageBatch } from '#shared/queue/sqs-sdk-batch.js';
import { mockAws } from '../../../support/aws-mock.js';
import { sqsRecord } from '../../../support/sqs.js';

const reply = {
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: '2025-06-10T12:00:00.000Z',
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550100' },
  text: 'Your parcel left today.',
  author: { kind: 'agent', id: 'ag_1' },
};

describe('sender consumer', () => {
  it('delivers each parsed reply with its receive count and fails only the bad records', async () => {
    const delivered: Array<[string, number]> = [];
    const consume = createSenderConsumer(async (message: OutboundMessage, receiveCount) => {
      delivered.push([message.id, receiveCount]);
    });
    const second = sqsRecord('m3', JSON.stringify({ ...reply, id: 'rp_2' }), 'threadline-outbound');
    second.attributes.ApproximateReceiveCount = '2';
    const response = await consume({
      Records: [
        sqsRecord('m1', JSON.stringify(reply), 'threadline-outbound'),
        sqsRecord('m2', '{"id":"rp_x"}', 'threadline-outbound'),
        second,
      ],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(delivered).toEqual([
      ['rp_1', 1],
      ['rp_2', 2],
    ]);
  });

  describe('with a dead-letter queue that refuses', () => {
    const sqs = mockAws(SQSClient);

    it('fails a permanent failure as before when the dead-letter queue refuses it, so SQS moves it after its receives', async () => {
      sqs.on(SendMessageBatchCommand).resolves({
        Successful: [],
        Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }],
      });
      const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
      const deadLetter = sqsDeadLetter(
        sdkSendMessageBatch(new SQSClient({ region: 'eu-west-1' })),
        'https://dlq',
      );
      const consume = createSenderConsumer(
        async () => {
          throw new PermanentError('DynamoDB UpdateItem refused the request (ValidationException)');
        },
        { deadLetter },
      );
      const response = await consume({ Records: [sqsRecord('m1', JSON.stringify(reply), 'outbound')] });
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      expect(error).toHaveBeenCalledWith(
        'permanent failure could not be dead-lettered at once; SQS will after its receives',
        expect.objectContaining({ messageId: 'm1', deadLetterError: 'UnavailableError' }),
      );
      error.mockRestore();
    });
  });
});
