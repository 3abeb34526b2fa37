import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { inspectionClient } from './table-snapshot.js';

/**
 * For a describe block whose tests each start their own runtime (their own gate, queue or clock):
 * `started` keeps the runtime and answers a client that reads its table; both are closed after each test.
 */
export function runtimePerTest(): { started(runtime: LocalRuntime): DynamoDBClient } {
  let current: { runtime: LocalRuntime; inspect: DynamoDBClient } | undefined;
  afterEach(async () => {
    const done = current;
    current = undefined;
    done?.inspect.destroy();
    await done?.runtime.close();
  }, 60_000);
  return {
    started(runtime) {
      current = { runtime, inspect: inspectionClient(runtime.dynamoEndpoint) };
      return current.inspect;
    },
  };
}
