import { expect } from 'vitest';
import { agentCaller } from './agent-api.js';
import { type RecordedCall, recordCalls } from './call-recorder.js';
import { stillTimers } from './manual-timers.js';
import { useTestRuntime } from './test-runtime.js';
import { deliver, signedMeta } from './webhooks.js';

/**
 * A local runtime for Messenger and Instagram tests: its clock moved by the test a second at a time
 * (`tick`) or by any number of milliseconds (`advance`), every DynamoDB call recorded (`calls`), an
 * agent caller and a signed Meta webhook poster that waits for the pipeline to settle. Its own timers
 * stand still (`stillTimers`): no sweep puts its calls into `calls` between a test's reset and its count.
 */
export function useMetaRuntime(options: { secret: string; token: string; agent: string; start?: number }) {
  const calls: RecordedCall[] = [];
  let now = options.start ?? Date.now();
  const advance = (ms: number) => {
    now += ms;
    return now;
  };
  const tick = () => advance(1_000);
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: options.secret, AGENT_TOKENS: `${options.agent}:${options.token}:admin` },
    clock: { now: () => new Date(now) },
    timers: stillTimers(),
    dynamoClient: (c) => {
      recordCalls(c, calls);
      return c;
    },
  });
  const api = agentCaller(() => runtime.url, options.token);
  const post = async (payload: unknown, path: '/webhooks/meta' | '/webhooks/whatsapp' = '/webhooks/meta') => {
    const res = await deliver(signedMeta(runtime.url, path, payload, options.secret));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  return { runtime, calls, tick, advance, api, post };
}
