import { createHash } from 'node:crypto';
import { ALL_EVENTS, EVENT_TYPES } from './events/event-types.js';
import type { SubscribedEvent } from './events/integration-events.js';

/** A subscription as its guards see it: where it posts, and what. */
type Posting = { url: string; events: readonly SubscribedEvent[] };

const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * A path's or query's escapes made canonical (RFC 3986, 6.2.2): an escaped unreserved character
 * (`%65` for `e`, `%7E` for `~`) decoded, any other escape kept with its hex in capitals (`%2f`: `%2F`).
 * One linear pass over a URL already parsed (and bounded by the subscription's length limit).
 */
function canonicalEscapes(part: string): string {
  return part.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * The URL as two subscriptions are compared by: parsed (scheme and host in lower case, a default port
 * dropped, the path's and query's escapes made canonical: `canonicalEscapes`), without an empty query
 * (`/in?` is `/in`) or a fragment, which is never sent.
 */
export function normalisedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    parsed.pathname = canonicalEscapes(parsed.pathname);
    // An empty search drops the `?` itself.
    parsed.search = canonicalEscapes(parsed.search);
    return parsed.href;
  } catch {
    return url;
  }
}

/**
 * What makes two subscriptions twins, hashed: the same normalised URL and the same events, in any
 * order. The key of the guard item that lets one active subscription hold it.
 */
export function subscriptionKeyOf(subscription: Posting): string {
  const events = [...new Set(subscription.events)].sort().join(',');
  return createHash('sha256')
    .update(`${normalisedUrl(subscription.url)}\u0000${events}`)
    .digest('base64url');
}

/**
 * The guards of a subscription's events, one per event (sorted, so two claimers take them in the same
 * order): the key of each names the one active subscription posting that event to that URL. A
 * one-event guard is the key subscriptionKeyOf gives that URL and event, so a one-event subscription
 * made before per-event guards holds its own already.
 */
export function eventGuardsOf(subscription: Posting): Array<{ event: SubscribedEvent; key: string }> {
  return guardsAt(subscription.url, guardedEvents(subscription.events));
}

/** The guards of these events at a URL, sorted (no `*` widened: see guardedEvents). */
export function guardsAt(
  url: string,
  events: readonly SubscribedEvent[],
): Array<{ event: SubscribedEvent; key: string }> {
  return [...new Set(events)]
    .sort()
    .map((event) => ({ event, key: subscriptionKeyOf({ url, events: [event] }) }));
}

/**
 * The events whose guards a subscription holds: its own; for `*`, the `*` guard (so two of them meet)
 * and every type's known now (so it meets one listing a type, either way round). One made before a
 * type was added holds none of its guard: the list, read first, finds it (listedTwin).
 */
export function guardedEvents(events: readonly SubscribedEvent[]): SubscribedEvent[] {
  return events.includes(ALL_EVENTS) ? [ALL_EVENTS, ...EVENT_TYPES] : [...new Set(events)];
}
