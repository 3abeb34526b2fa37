import { type DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { startTestRuntime } from '../../support/runtime.js';
import { inspectionClient, scanTable } from '../../support/table-snapshot.js';
import { inboundText } from '../../unit/fakes/envelopes.js';

describe('a permanent failure in the local runtime', () => {
  let runtime: LocalRuntime;
  /** While true, DynamoDB answers every PutItem as it answers an item over 400 KB. */
  let refuse = false;
  let refused = 0;
  const attach = (client: DynamoDBClient) => {
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
        if (refuse && headers['x-amz-target']?.endsWith('.PutItem')) {
          refused += 1;
          throw new DynamoDBServiceException({
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
            message: 'Item size has exceeded the maximum allowed size',
          });
        }
        return next(args);
      },
      { step: 'build', name: 'refuseWrites' },
    );
    return client;
  };

  beforeAll(async () => {
    // Five receives, as on AWS, 100 ms apart: a retried record would be received again well within the test.
    runtime = await startTestRuntime({
      dynamoClient: attach,
      queue: { visibilityTimeoutMs: 100, maxReceiveCount: 5 },
    });
  }, 60_000);

  afterAll(() => runtime?.close(), 60_000);

  it('is received once and goes to the dead-letter queue at once; the redrive applies it once fixed', async () => {
    refuse = true;
    const body = JSON.stringify(inboundText({ providerMessageId: 'wamid.REFUSED' }));
    const sentAt = Date.now();
    const [id] = await runtime.inbound.send([body]);
    await runtime.idle();
    expect(refused).toBe(1);
    expect(runtime.inbound.messages()).toEqual([]);
    // As on SQS: its id and first sent time kept, why it failed in its attributes (for --list).
    const [letter] = runtime.deadLetter.messages();
    expect(letter).toMatchObject({
      messageId: id,
      body,
      attributes: {
        failureError: 'PermanentError',
        failureCode: 'permanent_failure',
        sourceMessageId: id,
        sourceQueueArn: runtime.inbound.arn,
        receiveCount: '1',
      },
    });
    expect(Math.abs((letter?.sentTimestamp ?? 0) - sentAt)).toBeLessThan(1_000);
    expect(runtime.deadLetter.messages()).toHaveLength(1);

    refuse = false;
    expect(await runtime.inbound.redrive()).toBe(1);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    const inspect = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(inspect, 'threadline');
    inspect.destroy();
    const timeline = items.filter((item) => item.entity === 'timeline');
    expect(timeline.map((item) => item.id)).toEqual(['whatsapp:wamid.REFUSED']);
  }, 60_000);
});
