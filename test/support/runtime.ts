import { loadConfig } from '#shared/config/config.js';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '#shared/local/runtime.js';
import type { ManualTimers } from './manual-timers.js';
import { SNS_CERT_FILE } from './webhooks.js';

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
      AGENT_TOKENS: 'agent-faults:faults-agent-token',
      ...env,
    }),
    persist: false,
    ...time,
    ...rest,
    queue: { visibilityTimeoutMs: 5_000, pollIntervalMs: 5, ...options.queue },
  });
}
