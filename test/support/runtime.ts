import { loadConfig } from '#shared/config/config.js';
import { DELETION_RELOOK_DELAY_S } from '#shared/domain/deletion.js';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '#shared/local/runtime.js';
import type { SteppedTimers } from '#shared/local/timers.js';
import { agentToken } from './agent-token.js';
import type { ManualTimers } from './manual-timers.js';
import { SNS_CERT_FILE, waitUntil } from './webhooks.js';

/** The token of the agent the test runtime signs in when the test sets no AGENT_TOKENS (`agent-faults`). */
export const DEFAULT_AGENT_TOKEN = agentToken('faults-agent-token');

/** The secrets the test runtime verifies webhooks with. */
export const SECRETS = {
  meta: 'faults-meta-secret',
  twilio: 'faults-twilio-token',
} as const;

/**
 * The embedded runtime on a free port, in memory (dynalite and queues), with fault injection hooks.
 * Twilio signs against the request URL, which is the runtime's own.
 */
export function startTestRuntime(
  options: Pick<
    LocalRuntimeOptions,
    | 'dynamoClient'
    | 'wrapInboundQueue'
    | 'wrapMailQueue'
    | 'queue'
    | 'routing'
    | 'clock'
    | 'timers'
    | 'conversationClock'
    | 'events'
    | 'live'
    | 'webhookTimers'
    | 'webchatLive'
    | 'senders'
    | 'wrapSenders'
    | 'providerStatuses'
    | 'persist'
  > & {
    /** Settings over these defaults (a test's own secrets, agent tokens, policy...). */
    env?: Record<string, string>;
    /**
     * Time that moves only when the test says so: the durable timers and the runtime's clock both read
     * it, and the conversation clock runs on it.
     */
    manualTime?: ManualTimers;
  } = {},
): Promise<LocalRuntime> {
  const { env, manualTime, ...rest } = options;
  const time = manualTime && {
    conversationClock: true,
    timers: manualTime,
    clock: { now: () => new Date(manualTime.now()) },
  };
  return startLocalRuntime({
    config: loadConfig({
      PORT: '0',
      META_APP_SECRET: SECRETS.meta,
      META_VERIFY_TOKEN: 'v',
      TWILIO_AUTH_TOKEN: SECRETS.twilio,
      SNS_TRUSTED_CERT_FILE: SNS_CERT_FILE,
      AGENT_TOKENS: `agent-faults:${DEFAULT_AGENT_TOKEN}`,
      ...env,
    }),
    persist: options.persist ?? false,
    ...time,
    ...rest,
    queue: { visibilityTimeoutMs: 5_000, pollIntervalMs: 5, ...options.queue },
  });
}

/**
 * `runtime.idle()` for a runtime whose queues run on `queueTime` (`queue: { timers }`) and whose
 * deletions may come before their messages: once the inbound queue holds nothing to deliver now
 * (nothing visible, nothing in flight), moves its time past a deletion's later look
 * (`DELETION_RELOOK_DELAY_S`, a delayed message that `idle` would wait out) and waits for it.
 */
export async function idleAfterLaterLooks(runtime: LocalRuntime, queueTime: SteppedTimers): Promise<void> {
  const settled = () => {
    const depth = runtime.inbound.depth();
    return depth.visible === 0 && depth.inFlight === 0;
  };
  await waitUntil(settled, 'the inbound queue holds only delayed messages');
  queueTime.advance(DELETION_RELOOK_DELAY_S * 1000);
  await runtime.idle();
}

/** A clock each reading of which is a second after the last, from `from`: records of consecutive calls never share a time. */
export function steppingClock(from: string): { now: () => Date } {
  let now = Date.parse(from);
  return {
    now: () => {
      now += 1000;
      return new Date(now);
    },
  };
}
