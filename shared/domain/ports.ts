import type { Envelope } from './envelope.js';

/**
 * Where webhook functions put envelopes; resolves only once every envelope is durably queued. With
 * `delaySeconds` (0 to 900, SQS's DelaySeconds), none is received before that much time has passed.
 */
export interface EnvelopeQueue {
  enqueue(envelopes: readonly Envelope[], options?: { delaySeconds?: number | undefined }): Promise<void>;
}

/** The time, injectable so tests control it. */
export interface Clock {
  now(): Date;
}

/** Fresh ids for things that have no provider id of their own (customers). */
export interface IdGenerator {
  customerId(): string;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };
