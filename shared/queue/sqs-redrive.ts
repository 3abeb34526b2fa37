import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { ValidationError } from '#shared/errors.js';

/** How to find a dead-letter queue: its ARN, its name (a stack output's value), or a name prefix. */
export type DeadLetterQueueRef = { arn: string } | { name: string } | { namePrefix: string };

/** What a started redrive reports: the queue it drains and the task to follow. */
export interface RedriveStarted {
  sourceArn: string;
  taskHandle: string;
}

const queueArnPattern = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/;

/** The ARN of the referenced queue; a prefix must match exactly one queue. */
export async function deadLetterQueueArn(sqs: SQSClient, ref: DeadLetterQueueRef): Promise<string> {
  if ('arn' in ref) {
    if (!queueArnPattern.test(ref.arn)) throw new ValidationError(`${ref.arn} is not an SQS queue ARN`);
    return ref.arn;
  }
  let queueUrl: string;
  if ('name' in ref) {
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: ref.name }));
    queueUrl = found.QueueUrl ?? '';
  } else {
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: ref.namePrefix }));
    const urls = listed.QueueUrls ?? [];
    if (urls.length !== 1) {
      const found = urls.length === 0 ? 'no queue' : `${urls.length} queues (${urls.join(', ')})`;
      throw new ValidationError(`${found} named ${ref.namePrefix}…: give the queue with --arn or --name`);
    }
    queueUrl = urls[0] ?? '';
  }
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS gave no ARN for ${queueUrl}`);
  return arn;
}

/**
 * The one queue whose redrive policy names this dead-letter queue, or undefined (none, or several).
 * Messages a consumer sent there itself (a permanent failure, dead-lettered at once) carry no record
 * of their source for SQS to move them back to, so the redrive names it.
 */
async function redriveSourceArn(sqs: SQSClient, deadLetterArn: string): Promise<string | undefined> {
  const [, , , , account, name] = deadLetterArn.split(':');
  const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!found?.QueueUrl) return undefined;
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: found.QueueUrl }));
  const [source, ...others] = sources?.queueUrls ?? [];
  if (!source || others.length > 0) return undefined;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: source, AttributeNames: ['QueueArn'] }),
  );
  return attributes?.Attributes?.QueueArn;
}

/**
 * Starts SQS's dead-letter redrive (StartMessageMoveTask): SQS moves every message of the dead-letter
 * queue back to the queue it was dead-lettered from (named when it is the only one), in the
 * background, at SQS's own rate.
 */
export async function startRedrive(sqs: SQSClient, ref: DeadLetterQueueRef): Promise<RedriveStarted> {
  const sourceArn = await deadLetterQueueArn(sqs, ref);
  const destinationArn = await redriveSourceArn(sqs, sourceArn);
  const started = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      ...(destinationArn ? { DestinationArn: destinationArn } : {}),
    }),
  );
  return { sourceArn, taskHandle: started.TaskHandle ?? '' };
}
