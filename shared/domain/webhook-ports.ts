import type { Page } from './paging.js';
import type { Delivery, DeliveryMessage, DeliveryStatus, SigningSecret, Subscription } from './webhooks.js';

/** The endpoint's answer to one attempt, or why there was none. */
export type PostOutcome =
  | { kind: 'answered'; status: number; retryAfterMs?: number | undefined }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string };

/** Subscriptions and their delivery log. */
export interface WebhookStore {
  putSubscription(subscription: Subscription): Promise<void>;
  /**
   * One subscription; `eventual` (half the read units) where a second-old copy is harmless: the
   * deliverer's breaker, disable and secrets checks.
   */
  getSubscription(id: string, read?: 'strong' | 'eventual'): Promise<Subscription | undefined>;
  /** Every subscription, enabled or not (a business has a handful). */
  listSubscriptions(): Promise<Subscription[]>;
  /**
   * Deletes a subscription; with `revision`, only if it is still at that revision (an `If-Match`
   * delete): false when it was edited meanwhile, or is gone.
   */
  deleteSubscription(id: string, revision?: number): Promise<boolean>;
  /**
   * Marks a subscription deleted by an admin (a small item beside it, kept), so a create retried with
   * the `Idempotency-Key` that made it is refused rather than making it again under the same id.
   */
  markDeleted(id: string, at: string): Promise<void>;
  /** Whether an admin deleted the subscription of this id (markDeleted), read strongly. */
  wasDeleted(id: string): Promise<boolean>;
  /**
   * Makes `id` the one subscription of a URL and events (`key`, subscriptionKeyOf), read strongly and
   * written conditionally, unlike the list: true when the guard was free, already `id`'s, or `from`'s
   * (taken over from a subscription disabled or deleted); false when another holds it.
   */
  claimSubscriptionKey(key: string, id: string, from?: string): Promise<boolean>;
  /** The subscription holding a URL and events' guard, read strongly. */
  subscriptionKeyOwner(key: string): Promise<string | undefined>;
  /** Lets the guard go if `id` holds it (its subscription deleted). */
  releaseSubscriptionKey(key: string, id: string): Promise<void>;
  /** Counts one more failure in a row of the endpoint; answers the count. */
  countFailure(id: string): Promise<number>;
  /** Holds the subscription's deliveries back until then, unless a later hold is there already. */
  openBreaker(id: string, until: string): Promise<void>;
  /** The endpoint answered: its failures in a row start again from zero. */
  resetBreaker(id: string): Promise<void>;
  disableSubscription(id: string, at: string, reason: string): Promise<void>;
  /** Takes a subscription back into use: not disabled, its breaker closed. */
  enableSubscription(id: string): Promise<void>;
  /** Replaces the signing secrets if the newest is still `newest` (the one read); false when not. */
  setSecrets(id: string, secrets: SigningSecret[], newest: string): Promise<boolean>;
  /**
   * Notes that the rotation keyed `hash` (an admin's `Idempotency-Key`) is for `subscriptionId` from
   * `at`, unless a note is there already: answers the note that stands, this one or the earlier one.
   */
  claimRotation(
    hash: string,
    subscriptionId: string,
    at: string,
  ): Promise<{ subscriptionId: string; at: string }>;
  /**
   * Replaces a subscription's events and description (none: removed) and counts one more revision,
   * only if it is there at `revision` (0: never edited): false when it is gone or was edited meanwhile.
   */
  editSubscription(
    id: string,
    revision: number,
    edit: Pick<Subscription, 'events' | 'description'>,
  ): Promise<boolean>;
  /**
   * Creates a delivery once; false when it was there (a change delivered again). A `paused` one (an
   * event held for a disabled subscription) is noted under its subscription first, as pauseDelivery does.
   */
  createDelivery(delivery: Delivery): Promise<boolean>;
  /**
   * Claims a delivery for the queue (`queuedAt`): true only if it is pending, never tried and not
   * claimed yet, so one (subscription, event) is queued once however often its change comes.
   */
  claimQueueing(subscriptionId: string, deliveryId: string, at: string): Promise<boolean>;
  /** Lets the claim made `at` go (its message could not be queued): a change delivered again claims it. */
  releaseQueueing(subscriptionId: string, deliveryId: string, at: string): Promise<void>;
  /**
   * Takes the claim made at `claim` over (`queuedAt` = `at`) once its lease has ended, if the delivery
   * is still pending, never tried and never held back by the breaker (no `nextAttemptAt`): of several
   * checks of one claim, one wins.
   */
  takeOverQueueing(subscriptionId: string, deliveryId: string, claim: string, at: string): Promise<boolean>;
  getDelivery(subscriptionId: string, deliveryId: string): Promise<Delivery | undefined>;
  updateDelivery(delivery: Delivery): Promise<void>;
  /**
   * Takes a deleted message's words (text, attachments) out of a delivery's payload, its status kept:
   * true when it held some. A delivery not in the log, or without words, costs the one write refused.
   */
  forgetWords(subscriptionId: string, deliveryId: string): Promise<boolean>;
  /**
   * Notes a delivery whose payload holds words an unmerge gave back to `customerId` under that
   * customer (as a delivery of their own is), so their erasure strips it: true when noted. One read of
   * the delivery; the note written only for one in the log with its payload, made for another customer.
   */
  noteMovedDelivery(subscriptionId: string, deliveryId: string, customerId: string): Promise<boolean>;
  /** Writes a delivery as paused, noted under its subscription so that enabling it finds it. */
  pauseDelivery(delivery: Delivery): Promise<void>;
  /**
   * Writes a paused delivery back as `delivery` (pending) only if it is still paused: of two resumers
   * at once (an enable, a delivery paused as its subscription was enabled), one sends it.
   */
  resumeDelivery(delivery: Delivery): Promise<boolean>;
  /** Up to `limit` ids of a subscription's paused deliveries, read strongly; `more` when there are others. */
  pausedDeliveries(subscriptionId: string, limit: number): Promise<{ ids: string[]; more: boolean }>;
  /** Drops the note of a paused delivery (resumed, or settled meanwhile). */
  forgetPaused(subscriptionId: string, deliveryId: string): Promise<void>;
  /** A subscription's deliveries, newest first; with `status`, those in it, or in one of them (a page may be short). */
  listDeliveries(
    subscriptionId: string,
    page: {
      limit: number;
      cursor?: string | undefined;
      status?: DeliveryStatus | readonly DeliveryStatus[] | undefined;
    },
  ): Promise<Page<Delivery>>;
}

/** The queue of deliveries: SQS on AWS (a delay of at most 15 minutes), the local queue locally. */
export interface DeliveryQueue {
  send(message: DeliveryMessage, delaySeconds: number): Promise<void>;
}

/** Posts one request; refuses an address it must not reach; never follows a redirect. */
export type WebhookPoster = (request: {
  url: string;
  headers: Record<string, string>;
  body: string;
}) => Promise<PostOutcome>;

/** The `webhook-signature` header of a payload: one `v1,<base64>` per secret, space-separated. */
export type WebhookSigner = (secrets: readonly string[], id: string, at: Date, body: string) => string;

/**
 * Whether a customer is erased or being erased (their profile is a tombstone, or the first erase call
 * has marked it), so their events stop from that first call on. An eventually consistent read: an
 * erasure is seen within about a second, like a delivery already in flight.
 */
export type ErasureCheck = (customerId: string) => Promise<boolean>;
