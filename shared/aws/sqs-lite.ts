import { createHash } from 'node:crypto';
import type {
  BatchResultErrorEntry,
  SendMessageBatchCommandInput,
  SendMessageBatchRequestEntry,
  SendMessageBatchResultEntry,
} from '@aws-sdk/client-sqs';
import { AwsRequestError, parseJsonObject } from './request-error.js';
import { type RetryOptions, withRetries } from './retry.js';
import { type AwsCallOptions, awsHost, resolveRegion, signedRequest } from './signed-request.js';

/** What SendMessageBatch answers (the SDK output's lists): SQS reports each entry in one or the other. */
export interface SqsSendMessageBatchOutput {
  Successful: SendMessageBatchResultEntry[];
  Failed: BatchResultErrorEntry[];
}

/**
 * The region of a queue URL: `https://sqs.<region>.amazonaws.com/...` (also LocalStack's
 * `sqs.<region>.localhost.localstack.cloud`), the legacy `<region>.queue.amazonaws.com`, or
 * `queue.amazonaws.com` (us-east-1); undefined for any other host.
 */
export function queueUrlRegion(queueUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(queueUrl).hostname;
  } catch {
    return undefined;
  }
  if (host === 'queue.amazonaws.com') return 'us-east-1';
  return (
    /^sqs\.([a-z0-9-]+)\./.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1]
  );
}

/**
 * SQS SendMessageBatch without the SDK: AWS JSON 1.0 (`POST /`, `X-Amz-Target:
 * AmazonSQS.SendMessageBatch`) to `sqs.<region>.amazonaws.com`, signed with SigV4, the region taken
 * from `options.region`, the queue URL, then AWS_REGION. Takes and returns the SDK's shapes.
 * Resolves even when SQS refused some entries (they are in `Failed`); throws AwsRequestError when the
 * whole call fails (`retryable` for throttling, 5xx, network errors and timeouts). Each accepted
 * entry's MD5OfMessageBody is checked against the body sent, as the SDK does: a mismatch throws a
 * retryable AwsRequestError `InvalidMd5`.
 *
 * Only string and number message attributes are supported: an entry with BinaryValue, list values or
 * MessageSystemAttributes is refused (TypeError) before anything is sent.
 */
export async function sqsSendMessageBatch(
  input: SendMessageBatchCommandInput,
  options: AwsCallOptions = {},
): Promise<SqsSendMessageBatchOutput> {
  const { QueueUrl, Entries } = input;
  if (!QueueUrl) throw new TypeError('SendMessageBatch: QueueUrl is required');
  if (!Entries) throw new TypeError('SendMessageBatch: Entries is required');
  const response = await sqsCall(
    'SendMessageBatch',
    QueueUrl,
    { QueueUrl, Entries: Entries.map(wireEntry) },
    options,
  );
  const { Successful, Failed } = parseJsonObject('sqs', response.body);
  const result: SqsSendMessageBatchOutput = {
    Successful: Array.isArray(Successful) ? Successful : [],
    Failed: Array.isArray(Failed) ? Failed : [],
  };
  verifyMd5(Entries, result, response.headers['x-amzn-requestid']);
  return result;
}

/**
 * One call of SQS's AWS JSON 1.0 protocol (`POST /`, `X-Amz-Target: AmazonSQS.<operation>`) to
 * `sqs.<region>.amazonaws.com`, signed with SigV4, the region taken from `options.region`, the queue
 * URL, then AWS_REGION.
 */
function sqsCall(operation: string, queueUrl: string, input: object, options: AwsCallOptions) {
  const region = resolveRegion('sqs', options.region, queueUrlRegion(queueUrl));
  return signedRequest(
    {
      service: 'sqs',
      region,
      method: 'POST',
      url: `https://${awsHost('sqs', region)}/`,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `AmazonSQS.${operation}`,
        // As the SDK sends: SQS then also names the error in its query-protocol form (x-amzn-query-error).
        'X-Amzn-Query-Mode': 'true',
      },
      body: JSON.stringify(input),
    },
    options,
  );
}

/** What the lite SendMessage takes: a message of string attributes, as the SDK's input. */
export interface SqsSendMessageInput {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;
}

/**
 * SQS SendMessage without the SDK (see sqsCall), tried again on throttling, 5xx and network errors as
 * the SDK does (`options.maxAttempts`, default 3). Resolves with the MessageId once SQS's
 * MD5OfMessageBody matches the body sent (a mismatch throws a retryable AwsRequestError `InvalidMd5`).
 */
export async function sqsSendMessage(
  input: SqsSendMessageInput,
  options: AwsCallOptions & RetryOptions = {},
): Promise<{ MessageId: string | undefined }> {
  const response = await withRetries(() => sqsCall('SendMessage', input.QueueUrl, input, options), options);
  const { MessageId, MD5OfMessageBody } = parseJsonObject('sqs', response.body);
  const accepted = { Id: '0', MessageId: String(MessageId), MD5OfMessageBody: String(MD5OfMessageBody) };
  const result = { Successful: [accepted], Failed: [] };
  verifyMd5([{ Id: '0', MessageBody: input.MessageBody }], result, response.headers['x-amzn-requestid']);
  return { MessageId: typeof MessageId === 'string' ? MessageId : undefined };
}

/** The entry as SQS's JSON protocol takes it, with only the members we support. */
function wireEntry(entry: SendMessageBatchRequestEntry): Record<string, unknown> {
  if (entry.MessageSystemAttributes) {
    throw new TypeError(`SendMessageBatch entry ${entry.Id}: MessageSystemAttributes is not supported`);
  }
  let attributes:
    | Record<string, { DataType: string | undefined; StringValue: string | undefined }>
    | undefined;
  if (entry.MessageAttributes) {
    attributes = {};
    for (const [name, value] of Object.entries(entry.MessageAttributes)) {
      if (value.BinaryValue !== undefined || value.BinaryListValues || value.StringListValues) {
        throw new TypeError(
          `SendMessageBatch entry ${entry.Id}: attribute ${name}: only StringValue attributes are supported`,
        );
      }
      attributes[name] = { DataType: value.DataType, StringValue: value.StringValue };
    }
  }
  return {
    Id: entry.Id,
    MessageBody: entry.MessageBody,
    DelaySeconds: entry.DelaySeconds,
    MessageAttributes: attributes,
    MessageDeduplicationId: entry.MessageDeduplicationId,
    MessageGroupId: entry.MessageGroupId,
  };
}

function verifyMd5(
  entries: readonly SendMessageBatchRequestEntry[],
  result: SqsSendMessageBatchOutput,
  requestId: string | string[] | undefined,
): void {
  const sent = new Map(entries.map((entry) => [entry.Id, entry.MessageBody ?? '']));
  const mismatched = result.Successful.filter((accepted) => {
    const body = sent.get(accepted.Id);
    return (
      body !== undefined && createHash('md5').update(body, 'utf8').digest('hex') !== accepted.MD5OfMessageBody
    );
  }).map((accepted) => accepted.Id);
  if (mismatched.length > 0) {
    throw new AwsRequestError(
      `sqs: MD5OfMessageBody does not match the body sent for entries ${mismatched.join(', ')}`,
      {
        status: 200,
        code: 'InvalidMd5',
        retryable: true,
        service: 'sqs',
        ...(typeof requestId === 'string' ? { requestId } : {}),
      },
    );
  }
}
