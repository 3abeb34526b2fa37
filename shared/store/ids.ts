import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../domain/ports.js';

/** Time-ordered random ids: a millisecond timestamp then 80 random bits, base32-ish and URL-safe. */
export function timeOrderedId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

/** Production id generator. */
export const randomIds: IdGenerator = { customerId: () => timeOrderedId('cu') };
