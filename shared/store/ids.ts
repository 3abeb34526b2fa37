import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../domain/ports.js';

/** Time-ordered random ids: a millisecond timestamp then 80 random bits, base32-ish and URL-safe. */
export function timeOrderedId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

/** Production id generator. */
export const randomIds: IdGenerator = { customerId: () => timeOrderedId('cu') };

/** A webhook signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
