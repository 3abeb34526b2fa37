import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { type CapacityMeter, meterClient } from './capacity-meter.js';
import { madeInBeforeAll } from './made-in-before-all.js';
import { startTestRuntime } from './runtime.js';

/**
 * Starts the test runtime (`startTestRuntime` with these options) before the describe block's tests and
 * closes it after. What it answers stands for that runtime: every property read goes to the one the
 * block's `beforeAll` started, so a test writes `runtime.url` and `runtime.idle()` as it would with a
 * `let runtime` it had started itself, without the start and close it repeated. Read it inside a test
 * or hook (before the block's `beforeAll` it throws). `close` runs after the block's own `afterAll`s.
 */
export function useTestRuntime(options: Parameters<typeof startTestRuntime>[0] = {}): LocalRuntime {
  let started: LocalRuntime | undefined;
  beforeAll(async () => {
    started = await startTestRuntime(options);
  }, 30_000);
  afterAll(async () => {
    await started?.close();
  });
  return madeInBeforeAll('the runtime', () => started);
}

/** A capacity meter that `dynamoClient` puts on the runtime's DynamoDB client when it starts. */
export interface RuntimeMeter extends CapacityMeter {
  /** The `dynamoClient` option of `startTestRuntime`/`useTestRuntime`: meters the client, keeps it. */
  dynamoClient(client: DynamoDBClient): DynamoDBClient;
}

/**
 * The meter of a runtime not started yet: tests that count what a step costs passed `dynamoClient` a
 * callback that set a `let meter`; this one is made before and read after (`figures`, `reset` before
 * the runtime starts throw).
 */
export function runtimeMeter(): RuntimeMeter {
  let attached: CapacityMeter | undefined;
  const on = (): CapacityMeter => {
    if (!attached) throw new Error('the meter is attached when the runtime starts');
    return attached;
  };
  return {
    dynamoClient: (client) => {
      attached = meterClient(client);
      return client;
    },
    figures: () => on().figures(),
    reset: () => on().reset(),
  };
}
