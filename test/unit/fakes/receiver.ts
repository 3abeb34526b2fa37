import { type ResolverDeps, receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { MemoryStore } from './memory-store.js';

/**
 * `receiveEnvelope` over a fresh in-memory store, its clock stopped at `now` and its customer ids
 * numbered (`cu_1`, `cu_2`...), so a test of the resolver reads the store after the envelopes it gave.
 */
export function memoryReceiver(now = '2025-06-10T12:00:00.000Z') {
  const store = new MemoryStore();
  let n = 0;
  const deps: ResolverDeps = {
    store,
    clock: { now: () => new Date(now) },
    ids: { customerId: () => `cu_${++n}` },
  };
  return { store, receive: (e: Envelope) => receiveEnvelope(deps, e) };
}
