import type { RemovalGate } from '#shared/app/refuse-removed-agents.js';
import type { SearchAccounts } from '#shared/app/search-customers.js';
import type { ReplyDeps } from '#shared/app/send-reply.js';
import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { AuditLog } from '#shared/domain/audit.js';
import type { Caller } from '#shared/domain/caller.js';
import type { ConversationClockDeps } from '#shared/domain/clock-ports.js';
import type { PhoneOptions } from '#shared/domain/identity.js';
import type { LiveEventLog } from '#shared/domain/live/live-ports.js';
import type { MailFiles, MediaFetcher } from '#shared/domain/media.js';
import type { Outbox } from '#shared/domain/outbox.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Clock } from '#shared/domain/ports.js';
import type { ExportStore } from '#shared/domain/privacy.js';
import type { RoutingPolicy } from '#shared/domain/routing/policy.js';
import type { UploadStore } from '#shared/domain/uploads.js';
import type { DeliveryQueue, ErasureCheck, WebhookStore } from '#shared/domain/webhook-ports.js';
import type { UrlPolicy } from '#shared/domain/webhook-url.js';
import type { ConsoleServing } from './console.js';
import type { HealthAnswer } from './health.js';

/** What the agent API needs: the ports its use cases take, and how to tell who is calling. */
export interface AgentAppDeps {
  store: AgentStore;
  admin: AgentAdmin;
  /** Where every export, erase, merge and unmerge is recorded, and the admins read it. */
  audit: AuditLog;
  clock: Clock;
  replies: ReplyDeps;
  /** Local runtime only: what was "sent" with no provider credentials. */
  outbox?: Outbox;
  /** Resolves a bearer token to the calling agent and their role, or undefined when the token is not valid. */
  authenticate(token: string): Promise<Caller | undefined>;
  /**
   * Whether a signed-in agent was removed by an admin (403 `agent_removed`); `createAgentApp` builds
   * one over `store` (a look per agent a minute) when none is given.
   */
  removals?: RemovalGate;
  phone: PhoneOptions;
  /** Our Page and Instagram account ids: a bare PSID or IGSID searched finds its customer. */
  metaAccounts?: SearchAccounts | undefined;
  /** SLA, snooze and auto-resolve: what snoozing needs, and what a resolve tells. */
  conversationClock?: ConversationClockDeps;
  /** Subscriptions of integrators' webhooks (`/api/webhooks`); the routes are absent without it. */
  webhooks?: WebhookApiDeps | undefined;
  /** Where an export too large for one response is written (S3 on AWS, files locally). */
  exports?: ExportStore;
  /** Where agents' reply files are kept (`POST /api/uploads`, `/files/...`); absent, those routes are too. */
  uploads?: UploadStore | undefined;
  /** PUBLIC_BASE_URL: the origin of the files' links; unset, the request's own. */
  publicBaseUrl?: string | undefined;
  /** Largest export answered inline, in bytes (EXPORT_INLINE_BYTES). */
  exportInlineBytes?: number;
  /** Fetches timeline files from their providers (`…/attachments/{index}`, `…/recording`); absent, those answer 503. */
  media?: MediaFetcher | undefined;
  /** Reads an email's files from the mail as received (`…/attachments/{index}` of an email); absent, those answer 503. */
  mailFiles?: MailFiles | undefined;
  /** The live event log (`GET /api/events`); the route is absent without it. */
  live?: { events: Pick<LiveEventLog, 'read'> } | undefined;
  /** The agent console at `/console`; absent, there is none. */
  console?: ConsoleServing;
  /** The routing policy's queue names (read on first use): an assignment to, or inbox filter on, another queue is refused. */
  queueNames?: (() => readonly string[]) | undefined;
  /** The routing policy in force, parsed (read on first use): `GET /api/policy` answers it; absent, 503. */
  policy?: (() => RoutingPolicy) | undefined;
  /**
   * Seals the lists' page cursors (`pageCursors(CSAT_SIGNING_SECRET)`); absent, `createAgentApp` makes
   * one with a random key of the process (its cursors hold until it stops).
   */
  cursors?: PageCursors | undefined;
  /** `GET /api/health` for uptime monitors (healthCheck over the table's probe); absent, no such route. */
  health?: (() => Promise<HealthAnswer>) | undefined;
}

/** The agent API's dependencies as its routes see them: the page cursors made when absent. */
export type ApiDeps = AgentAppDeps & { cursors: PageCursors };

/** What the webhook routes need: the store, the delivery queue (replays), the URL policy, new ids and secrets. */
export interface WebhookApiDeps {
  /** The subscriptions and delivery log, and whether a delivery's customer is erased (no replay then). */
  store: WebhookStore & { isErased: ErasureCheck };
  queue: DeliveryQueue;
  urls: UrlPolicy;
  newId(): string;
  newSecret(): string;
}
