import { createHash } from 'node:crypto';
import type { EventData, EventType, IntegrationEvent } from './integration-events.js';

/** A table item's image as the change feed gives it. */
export type Image = Record<string, unknown>;

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** `{ key: value }` for a non-empty string, else nothing: a field the item lacks stays out of the event. */
export const some = <K extends string>(key: K, value: unknown): Partial<Record<K, string>> =>
  typeof value === 'string' && value ? ({ [key]: value } as Record<K, string>) : {};
/**
 * The value when it is one of a closed set's, else nothing: an event carries only values the document
 * lists. The table's items are written with the same schemas, so only a damaged item loses one.
 */
export const member = <T extends string>(set: { options: readonly T[] }, value: unknown): T | undefined =>
  set.options.find((option) => option === value);
/** `{ key: value }` for a value of the set, else nothing. */
export const someOf = <K extends string, T extends string>(
  key: K,
  set: { options: readonly T[] },
  value: unknown,
): Partial<Record<K, T>> => {
  const known = member(set, value);
  return known ? ({ [key]: known } as Record<K, T>) : {};
};
/** A stable event id from what makes the change unique: the same change always gives the same id. */
export function eventId(type: EventType, ...parts: readonly string[]): string {
  const hash = createHash('sha256')
    .update([type, ...parts].join('\u0000'))
    .digest('base64url');
  return `evt_${hash.slice(0, 27)}`;
}

/** One event; its `data` typed by its type's schema, the one the OpenAPI document describes. */
export function event<T extends EventType>(
  type: T,
  key: readonly string[],
  timestamp: string,
  data: EventData<T>,
): IntegrationEvent {
  return { id: eventId(type, ...key), type, timestamp, data };
}
