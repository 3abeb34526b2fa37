import { join } from 'node:path';
import { LocalQueue } from './queue.js';
import type { LocalTimers } from './timers.js';

/** Queue timings, shortened by tests. */
export interface QueueTimings {
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  pollIntervalMs?: number;
  /** The queues' time (tests move it past a message's delay); the process clock by default. */
  timers?: LocalTimers;
}

/** The runtime's queues, each with the dead-letter queue it moves a message to after its last receive. */
export interface LocalQueues {
  inbound: LocalQueue;
  deadLetter: LocalQueue;
  /** Verified SES notifications waiting for ses-mail. */
  mail: LocalQueue;
  mailDeadLetter: LocalQueue;
  outbound: LocalQueue;
  outboundDeadLetter: LocalQueue;
  /** Timers that fell due, for the timers consumer. */
  timers: LocalQueue;
  timersDeadLetter: LocalQueue;
}

/**
 * The inbound, mail and outbound queues as the stateful stack declares them on AWS (a consumer's
 * visibility timeout, five receives, or `outboundMaxAttempts` for replies), each kept as files under
 * `<dataDir>/queues/<name>` when `dataDir` is given.
 */
export function localQueues(options: {
  dataDir: string | undefined;
  timings: QueueTimings | undefined;
  outboundMaxAttempts: number;
}): LocalQueues {
  const { dataDir, timings } = options;
  const at = (name: string) => (dataDir ? { dir: join(dataDir, 'queues', name) } : {});
  const pair = (name: string, visibilityTimeoutMs: number, maxReceiveCount: number) => {
    const deadLetter = new LocalQueue({ name: `threadline-${name}-dlq`, ...at(`${name}-dlq`) });
    const queue = new LocalQueue({
      name: `threadline-${name}`,
      ...at(name),
      deadLetter,
      visibilityTimeoutMs: timings?.visibilityTimeoutMs ?? visibilityTimeoutMs,
      maxReceiveCount,
      ...(timings?.pollIntervalMs ? { pollIntervalMs: timings.pollIntervalMs } : {}),
      ...(timings?.timers ? { timers: timings.timers } : {}),
    });
    return [queue, deadLetter] as const;
  };
  const [inbound, deadLetter] = pair('inbound', 30_000, timings?.maxReceiveCount ?? 5);
  const [outbound, outboundDeadLetter] = pair('outbound', 30_000, options.outboundMaxAttempts);
  const [mail, mailDeadLetter] = pair('mail', 60_000, timings?.maxReceiveCount ?? 5);
  const [timers, timersDeadLetter] = pair('timers', 30_000, timings?.maxReceiveCount ?? 5);
  return {
    inbound,
    deadLetter,
    mail,
    mailDeadLetter,
    outbound,
    outboundDeadLetter,
    timers,
    timersDeadLetter,
  };
}
