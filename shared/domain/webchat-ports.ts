import type { Identity } from './envelope.js';
import type { PageCursors } from './page-cursor.js';
import type { Page } from './paging.js';
import type { Clock, EnvelopeQueue } from './ports.js';
import type { Calendar } from './sla/calendar.js';
import type { PlacedTimelineItem, TimelineItem } from './timeline.js';
import type { WebchatSession } from './webchat/session.js';

/** What the web chat keeps and reads: sessions, rate counters, and the visitor's customer and timeline. */
export interface WebchatStore {
  /**
   * Keeps a session until its expiry (the table's TTL removes it after), unless one is stored under its
   * token's hash already (the same start key): answers the session kept, or undefined when an erasure
   * spent that token (its tombstone is there until the session would have expired).
   */
  putSession(session: WebchatSession): Promise<WebchatSession | undefined>;
  getSession(tokenHash: string): Promise<WebchatSession | undefined>;
  /**
   * Moves a session's expiry (and its links', first) forward to `expiresAt`, if it is still stored
   * and expires before that: false when it was erased or renewed already.
   */
  renewSession(session: WebchatSession, expiresAt: string): Promise<boolean>;
  /**
   * Ends a session (`DELETE /webchat/sessions`): a tombstone of its token's hash in its place until it
   * would have expired (its start key spent, as an erasure leaves it), then its links go.
   */
  endSession(session: WebchatSession, endedAt: string): Promise<void>;
  /** Counts one hit on a fixed-window counter (removed by TTL at `expiresAtSeconds`); the count so far. */
  countHit(key: string, expiresAtSeconds: number): Promise<number>;
  /**
   * Keeps the first claim of a visitor's message (until `expiresAtSeconds`, by TTL) and answers the
   * claim kept: the first send's, on a retry.
   */
  claimMessage(
    providerMessageId: string,
    claim: WebchatMessageClaim,
    expiresAtSeconds: number,
  ): Promise<WebchatMessageClaim>;
  /**
   * Whether the resolver has met a visitor's message (its provider-id reference is stored, read
   * eventually consistent): a retried send of it need not be queued again.
   */
  visitorMessageStored(providerMessageId: string): Promise<boolean>;
  findCustomerId(identity: Identity): Promise<string | undefined>;
  /**
   * The customer an identity is held by, and whether a merge has it point there from the customer it
   * was claimed for (`merged`: that customer was merged into this one; an unmerge gives it back).
   */
  findIdentityOwner(identity: Identity): Promise<{ customerId: string; merged: boolean } | undefined>;
  /** The customer's partitions, the root of their merges first. */
  mergedPartitions(customerId: string): Promise<string[]>;
  timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<TimelineItem>>;
  /** One page of the timeline from its end: the newest page first, oldest first within a page. */
  timelineBack(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<TimelineItem>>;
  /** The most recent items of the partitions (at most `limit`), oldest first, with their keys' times. */
  recentPlacedTimeline(partitions: readonly string[], limit: number): Promise<PlacedTimelineItem[]>;
}

/** When a visitor's message was first sent, and the hash of its text. */
export interface WebchatMessageClaim {
  at: string;
  textHash: string;
}

/** The web chat's ports and settings, as its routes and sockets pass them to the use cases. */
export interface WebchatDeps {
  store: WebchatStore;
  queue: EnvelopeQueue;
  clock: Clock;
  /** WEBCHAT_IDENTITY_SECRET: signs the sites' identity tokens (one, or one per site); without it, every visitor is anonymous. */
  identitySecret?: string | undefined;
  /** The visitors' WebSocket URL (WEBCHAT_LIVE_URL on AWS); the widget uses `/webchat/live` of its origin when unset. */
  liveUrl?: string | undefined;
  /** When people answer (the routing policy's business hours); always open when unset. */
  hours?: Calendar | undefined;
  /** False when WEBCHAT_EMAIL_FALLBACK_DELAY is `off` (no reply is emailed): the widget is told, and promises no email. */
  emailFallback?: boolean | undefined;
  /** WEBCHAT_SESSION_TTL in ms: how long a session lives after its last use; 30 days when unset. */
  sessionTtlMs?: number | undefined;
  /** Seals the history's page cursors (`pageCursors(CSAT_SIGNING_SECRET)`); absent, a random key of the process. */
  cursors?: PageCursors | undefined;
}
