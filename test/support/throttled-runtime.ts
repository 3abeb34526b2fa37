import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { DynamoFaults } from './dynamo-faults.js';
import { startTestRuntime } from './runtime.js';
import { inspectionClient } from './table-snapshot.js';

/** A local runtime whose DynamoDB calls fail as throttled while `throttle` says so. */
export interface ThrottledRuntime {
  runtime: LocalRuntime;
  /** A client beside the runtime's, to read the table as it stands. */
  inspect: DynamoDBClient;
  faults: DynamoFaults;
  throttle: (call: { operation: string; isWrite: boolean }) => boolean;
}

/**
 * Starts one for the enclosing `describe` (and closes it after). A throttled record comes back every
 * 50 ms, far from the dead-letter queue while a test looks.
 */
export function useThrottledRuntime(): ThrottledRuntime {
  const faults = new DynamoFaults();
  const env = { faults, throttle: () => false } as unknown as ThrottledRuntime;
  faults.throttle = (call) => env.throttle(call);
  beforeAll(async () => {
    env.runtime = await startTestRuntime({
      dynamoClient: (client) => faults.attach(client),
      queue: { visibilityTimeoutMs: 50, maxReceiveCount: 1_000 },
    });
    env.inspect = inspectionClient(env.runtime.dynamoEndpoint);
  }, 60_000);
  afterAll(async () => {
    env.inspect?.destroy();
    await env.runtime?.close();
  }, 60_000);
  return env;
}
