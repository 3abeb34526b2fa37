import { createHash } from 'node:crypto';
import { UnprocessableError } from '../errors.js';

/**
 * The id an `Idempotency-Key` makes for what it creates on a conversation (`rp_` a reply, `nk_` a note):
 * the same key from the same owner on the same conversation is the same id, so a retry finds the first.
 */
export function keyedId(prefix: string, conversationId: string, owner: string, key: string): string {
  return `${prefix}${createHash('sha256').update(`${conversationId}\n${owner}\n${key}`).digest('base64url').slice(0, 24)}`;
}

/**
 * A digest of a request as validated (keys sorted): kept with what an `Idempotency-Key` created, so the
 * key sent again with another body is told apart from a retry.
 */
export function requestHash(request: object): string {
  return createHash('sha256').update(sortedJson(request)).digest('base64url');
}

/** JSON of a value with every object's keys in order: the same request, however its keys were sent. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The refusal of an `Idempotency-Key` sent again with another request (422 `idempotency_key_reused`). */
export function keyReusedError(what: string, firstId: string): UnprocessableError {
  return new UnprocessableError(
    `this Idempotency-Key was used for another ${what} (${firstId}) on this conversation: send a new key for a new ${what}`,
    'idempotency_key_reused',
  );
}

/** The prefix of a note's id made from an `Idempotency-Key` (`note:nk_…`): it has a `NOTE#` item too. */
export const KEYED_NOTE_PREFIX = 'nk_';

/** The note id for an agent's `Idempotency-Key` on a conversation. */
export function noteIdFor(conversationId: string, agentId: string, key: string): string {
  return keyedId(KEYED_NOTE_PREFIX, conversationId, agentId, key);
}
