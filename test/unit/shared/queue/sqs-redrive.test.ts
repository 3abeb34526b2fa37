import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { startRedrive } from '#shared/queue/sqs-redrive.js';
import { mockAws } from '../../../support/aws-mock.js';

const sqs = mockAws(SQSClient);
const client = new SQSClient({ region: 'eu-west-1' });
const dlqUrl =
  'https://sqs.eu-west-1.amazonaws.com/123456789012/ThreadlineStateful-InboundDeadLetterQueueA1B2-x';
const dlqArn = 'arn:aws:sqs:eu-west-1:123456789012:ThreadlineStateful-InboundDeadLetterQueueA1B2-x';

describe('startRedrive', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(GetQueueAttributesCommand, { QueueUrl: dlqUrl }).resolves({ Attributes: { QueueArn: dlqArn } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
  });

  it('moves the dead letters back to their source queue with StartMessageMoveTask', async () => {
    expect(await startRedrive(client, { arn: dlqArn })).toEqual({ sourceArn: dlqArn, taskHandle: 'task-1' });
    // No DestinationArn: SQS moves each message back to the queue it was dead-lettered from.
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: dlqArn },
    ]);
    expect(sqs.commandCalls(ListQueuesCommand)).toEqual([]);
  });

  it('names the one source queue as the destination, so messages a consumer dead-lettered itself go back too', async () => {
    const inboundUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ThreadlineStateful-InboundQueue-x';
    const inboundArn = 'arn:aws:sqs:eu-west-1:123456789012:ThreadlineStateful-InboundQueue-x';
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: dlqUrl });
    sqs.on(ListDeadLetterSourceQueuesCommand, { QueueUrl: dlqUrl }).resolves({ queueUrls: [inboundUrl] });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: inboundUrl })
      .resolves({ Attributes: { QueueArn: inboundArn } });
    await startRedrive(client, { arn: dlqArn });
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: 'ThreadlineStateful-InboundDeadLetterQueueA1B2-x',
      QueueOwnerAWSAccountId: '123456789012',
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: dlqArn, DestinationArn: inboundArn },
    ]);
  });

  it('finds the queue by the name a stack output gives', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: dlqUrl });
    await startRedrive(client, { name: 'ThreadlineStateful-InboundDeadLetterQueueA1B2-x' });
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: 'ThreadlineStateful-InboundDeadLetterQueueA1B2-x',
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({ SourceArn: dlqArn });
  });

  it('finds the queue by the prefix CloudFormation names it with', async () => {
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [dlqUrl] });
    await startRedrive(client, { namePrefix: 'ThreadlineStateful-InboundDeadLetterQueue' });
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toEqual({
      QueueNamePrefix: 'ThreadlineStateful-InboundDeadLetterQueue',
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({ SourceArn: dlqArn });
  });

  it.each([
    [[], /no queue named ThreadlineStateful-InboundDeadLetterQueue/],
    [[dlqUrl, `${dlqUrl}2`], /2 queues/],
  ])('starts nothing when the prefix matches %j', async (urls, message) => {
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: urls });
    await expect(
      startRedrive(client, { namePrefix: 'ThreadlineStateful-InboundDeadLetterQueue' }),
    ).rejects.toThrow(message);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toEqual([]);
  });

  it('refuses an ARN that is not a queue’s', async () => {
    await expect(startRedrive(client, { arn: 'arn:aws:sns:eu-west-1:123456789012:topic' })).rejects.toThrow(
      /not an SQS queue ARN/,
    );
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toEqual([]);
  });
});
