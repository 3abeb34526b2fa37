import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import { createSenderConsumer } from '#shared/queue/sender-consumer.js';
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
});
