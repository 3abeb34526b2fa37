import type { Envelope } from './envelope.js';

/** Where webhook functions put envelopes; resolves only once every envelope is durably queued. */
export interface EnvelopeQueue {
  enqueue(envelopes: readonly Envelope[]): Promise<void>;
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
