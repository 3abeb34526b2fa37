import { ALL_EVENTS } from '#shared/domain/events/event-types.js';
import type { SubscribedEvent } from '#shared/domain/events/integration-events.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import {
  covers,
  eventGuardsOf,
  guardedEvents,
  guardsAt,
  type Subscription,
  sharedEvents,
  subscriptionKeyOf,
} from '#shared/domain/webhooks.js';
import { ConflictError } from '#shared/errors.js';

/** The store calls the guards need. */
export type GuardStore = Pick<
  WebhookStore,
  'claimSubscriptionKey' | 'subscriptionKeyOwner' | 'releaseSubscriptionKey' | 'getSubscription'
>;

/** An active subscription already posting some of the same events to the same URL. */
export interface Twin {
  id: string;
  events: SubscribedEvent[];
}

/** 409 `webhook_exists`, naming the subscription to edit instead. */
export function twinError(twin: Twin): ConflictError {
  return new ConflictError(
    `webhook ${twin.id} already posts ${twin.events.includes(ALL_EVENTS) ? 'every event' : twin.events.join(', ')} to this URL (each would be delivered twice): change its events (PATCH /api/webhooks/${twin.id}) or delete it`,
    'webhook_exists',
  );
}

/**
 * The active subscription other than `candidate` that the list shows posting one of its events to its
 * URL. The list is an index (it lags), read for subscriptions made before per-event guards, whose
 * guard named their whole set of events; the guards decide between creates and edits made at once.
 */
export function listedTwin(
  list: readonly Subscription[],
  candidate: Pick<Subscription, 'id' | 'url' | 'events'>,
): Twin | undefined {
  for (const other of list) {
    if (other.disabledAt || other.id === candidate.id) continue;
    const events = sharedEvents(candidate, other);
    if (events.length > 0) return { id: other.id, events };
  }
  return undefined;
}

type Guard = { event: SubscribedEvent; key: string };

/** Whether a subscription other than `id` is active and takes the event (`*`: takes every one). */
function posts(holder: Subscription | undefined, event: SubscribedEvent, id: string): holder is Subscription {
  return !!holder && !holder.disabledAt && holder.id !== id && covers(holder.events, event);
}

/**
 * After taking a guard over from `from` (read disabled, or not taking the event), reads it again: an
 * enable (or edit) of it writes the subscription before it claims its guards, so one that landed
 * between the read and the take-over is seen here, and the guard is given back to it (answered as
 * the holder). Of an enable and a create (or edit) at once, never both land.
 */
async function handedBack(webhooks: GuardStore, guard: Guard, id: string, from: string) {
  if (!posts(await webhooks.getSubscription(from), guard.event, id)) return undefined;
  await webhooks.claimSubscriptionKey(guard.key, from, id);
  return from;
}

/**
 * Makes `id` the holder of one event's guard at its URL, taking it over from a subscription deleted
 * (its guard left behind), disabled, or no longer taking the event (edited); answers the active
 * subscription that holds it and takes the event instead. A subscription is written with the event
 * before it claims the guard, so a guard names one that was written: one missing was deleted.
 */
async function claimOne(webhooks: GuardStore, guard: Guard, id: string) {
  let from: string | undefined;
  for (let tries = 0; tries < 3; tries += 1) {
    if (await webhooks.claimSubscriptionKey(guard.key, id, from)) {
      return from && from !== id ? handedBack(webhooks, guard, id, from) : undefined;
    }
    from = await webhooks.subscriptionKeyOwner(guard.key);
    const holder = from ? await webhooks.getSubscription(from) : undefined;
    if (posts(holder, guard.event, id)) return holder.id;
  }
  throw new ConflictError(
    'another create, edit or enable of this URL and these events is under way: try again',
    'webhook_busy',
  );
}

/**
 * Claims the guard of each of the subscription's events, in order (two claimers meet at the first
 * event they share, and one of them gets it), and answers the active subscription holding one
 * instead. Refused (or busy), it lets go of the guards it claimed, except those of `held` (events
 * whose guards the subscription held before: an edit's), before answering or throwing.
 */
export async function claimEventGuards(
  webhooks: GuardStore,
  subscription: Pick<Subscription, 'id' | 'url' | 'events'>,
  held: readonly SubscribedEvent[] = [],
): Promise<Twin | undefined> {
  const claimed: SubscribedEvent[] = [];
  let all = false;
  try {
    for (const guard of eventGuardsOf(subscription)) {
      const twin = await claimOne(webhooks, guard, subscription.id);
      if (twin) return { id: twin, events: [guard.event] };
      claimed.push(guard.event);
    }
    all = true;
    return undefined;
  } finally {
    if (!all) {
      const kept = held.length > 0 ? guardedEvents(held) : [];
      await releaseGuards(
        webhooks,
        subscription,
        claimed.filter((event) => !kept.includes(event)),
      );
    }
  }
}

/**
 * Lets go of the guards of these events (those a subscription's guard events name, see guardedEvents;
 * all of its own when none are given), and of the whole set's guard a subscription made before
 * per-event guards holds, `formerly`, if the subscription holds them; another holder's stand.
 */
export async function releaseGuards(
  webhooks: Pick<WebhookStore, 'releaseSubscriptionKey'>,
  subscription: Pick<Subscription, 'id' | 'url' | 'events'>,
  events?: readonly SubscribedEvent[],
  formerly?: Pick<Subscription, 'url' | 'events'>,
): Promise<void> {
  const guards = events ? guardsAt(subscription.url, events) : eventGuardsOf(subscription);
  const keys = new Set(guards.map((guard) => guard.key));
  if (formerly && formerly.events.length > 1) keys.add(subscriptionKeyOf(formerly));
  for (const key of keys) await webhooks.releaseSubscriptionKey(key, subscription.id);
}
