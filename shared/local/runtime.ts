import type { Server } from 'node:http';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AgentAppDeps } from '#shared/api/deps.js';
import { healthCheck } from '#shared/api/health.js';
import { refuseRemovedAgents, removalLook } from '#shared/app/refuse-removed-agents.js';
import type { MailQueue } from '../channels/ses/mail.js';
import { type LiveSessions, WebchatSender } from '../channels/webchat/send.js';
import { type Config, ConfigError, parseAgentTokens, requireSettings } from '../config/config.js';
import { policyInForce, policyQueueNames } from '../config/routing-policy-file.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import { pageCursors } from '../domain/page-cursor.js';
import { type Clock, type EnvelopeQueue, type IdGenerator, systemClock } from '../domain/ports.js';
import { customerFiles } from '../domain/uploads.js';
import { adminPorts, type DynamoRepositories, dynamoRepositories } from '../store/dynamo-repositories.js';
import { randomIds } from '../store/ids.js';
import { isLiveEventPartition } from '../store/keys.js';
import { documentClient } from '../store/sdk-documents.js';
import { localAgentFiles } from './agent-files.js';
import { type LocalAgentLoad, startLocalAgentLoad } from './agent-load.js';
import { forgettingErased, LocalChangeFeed } from './change-feed.js';
import { configuredStorePorts } from './configured-agents.js';
import { buildConsole } from './console-build.js';
import { sendLeaseMs, startConsumers } from './consumers.js';
import { localConversationClock } from './conversation-clock.js';
import { mountDevClock, onDevClock } from './dev-clock.js';
import { startLocalDynamo } from './dynamo.js';
import { LocalExportStore } from './export-files.js';
import { closingAfter413, localHttpApp } from './http-app.js';
import { type LocalLive, startLocalLive } from './live-server.js';
import { LocalEnvelopeQueue } from './local-envelope-queue.js';
import { LocalMailQueue } from './local-mail-queue.js';
import { LocalOutbox } from './outbox.js';
import { reportOutboxStatuses } from './outbox-statuses.js';
import type { LocalQueue } from './queue.js';
import { localQueues, type QueueTimings } from './queues.js';
import { claimDataDir, openDataDir } from './runtime-lock.js';
import { localSenders } from './senders.js';
import type { LocalTimers, SteppedTimers } from './timers.js';
import type { LocalTimerStore } from './timers-store.js';
import { LocalUpgrades } from './upgrades.js';
import { LocalUploadStore } from './upload-files.js';
import { localWebchat } from './webchat.js';
import { type LocalWebhooks, startLocalWebhooks } from './webhooks.js';

/** Options of the embedded runtime. */
export interface LocalRuntimeOptions {
  config: Config;
  /** Persist data (DynamoDB and queued messages) under config.DATA_DIR; in memory when false. */
  persist?: boolean;
  clock?: Clock;
  /** `npm start`'s clock, which `npm run clock` moves (`/local/clock`): the clock and `timers` read it. */
  devClock?: SteppedTimers;
  ids?: IdGenerator;
  /** Replace the senders (tests); by default real adapters where credentials are set, else the outbox. */
  senders?: Partial<Record<Channel, ChannelSender>>;
  /** Queue timings, shortened by tests. */
  queue?: QueueTimings;
  /** Fault injection (tests): wraps or replaces the DynamoDB client of the store and the agent API. */
  dynamoClient?: (client: DynamoDBClient) => DynamoDBClient;
  /** Fault injection (tests): wraps or replaces the envelope queue every webhook enqueues to. */
  wrapInboundQueue?: (queue: EnvelopeQueue) => EnvelopeQueue;
  /** Fault injection (tests): wraps the senders (the outbox's, or `senders`). */
  wrapSenders?: (senders: Partial<Record<Channel, ChannelSender>>) => Partial<Record<Channel, ChannelSender>>;
  /**
   * The outbox reports each message it takes `sent`, with the reply's key, on the webhooks' queue, as
   * a provider's status callback does; statuses a killed runtime did not report are applied on start,
   * before any sender runs. `npm start` turns it on; off by default so tests see only what they send.
   */
  providerStatuses?: boolean;
  /** Fault injection (tests): wraps or replaces the mail queue the SES webhook enqueues to. */
  wrapMailQueue?: (queue: MailQueue) => MailQueue;
  /**
   * Route every inbound message (AI or a human queue) with the knowledge-base responder and the
   * routing policy (ROUTING_POLICY_FILE, else the default). `npm start` turns it on; off by default
   * so tests of the pipeline see only what they send.
   */
  routing?: boolean;
  /**
   * Tell the conversation clock (SLA, auto-resolve, snooze wake-ups) of every message and reply, under
   * the routing policy's `sla` and `autoResolve`; on with `routing`. Snoozes and timers work either way.
   */
  conversationClock?: boolean;
  /** The durable timers' time (tests move it by hand); the process clock by default. */
  timers?: LocalTimers;
  /**
   * Run the change feed (every write to the table, as DynamoDB Streams reports it) and the integrator
   * events on it: `/api/webhooks`, deliveries and retries. `npm start` turns it on; off by default.
   */
  events?: boolean;
  /**
   * Run live updates on the change feed: `GET /api/live?token=` (WebSocket) and `GET /api/events`. On
   * with `events`; `npm start` turns both on.
   */
  live?: boolean;
  /** Tests: the timers behind webhook retry delays and the deliverer's clock. */
  webhookTimers?: LocalTimers;
  /** Run the change feed for the web chat's live socket (`/webchat/live`) even without `events`. */
  webchatLive?: boolean;
}

/** A running local Threadline: every function behind one HTTP server. */
export interface LocalRuntime {
  url: string;
  port: number;
  /** The local DynamoDB endpoint (dynalite), for inspection. */
  dynamoEndpoint: string;
  /** Every repository over the local table, for inspection. */
  store: DynamoRepositories;
  inbound: LocalQueue;
  deadLetter: LocalQueue;
  /** Verified SES notifications waiting for ses-mail. */
  mail: LocalQueue;
  outbound: LocalQueue;
  outbox: LocalOutbox;
  /** Timers that fell due, waiting for the timers consumer. */
  timers: LocalQueue;
  /** The durable timers not yet fired. */
  timerStore: LocalTimerStore;
  /** The HTTP server's WebSocket routes. */
  upgrades: LocalUpgrades;
  /** The change feed, when `events` or `live` is on; the webhook queues, when `events` is on. */
  feed?: LocalChangeFeed;
  webhooks?: LocalWebhooks;
  /** The live sockets, when `live` or `events` is on. */
  live?: LocalLive;
  /** Resolves when every queued envelope has been processed (or dead-lettered). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The agent API over the local table, with the agents of AGENT_TOKENS. */
function agentDeps(
  config: Config,
  repos: DynamoRepositories,
  rest: Pick<
    AgentAppDeps,
    'clock' | 'replies' | 'outbox' | 'conversationClock' | 'webhooks' | 'exports' | 'uploads' | 'live'
  >,
): AgentAppDeps {
  const tokens = parseAgentTokens(config.AGENT_TOKENS);
  return {
    ...rest,
    store: configuredStorePorts(repos, config.AGENT_TOKENS),
    admin: adminPorts(repos),
    audit: repos.audit,
    authenticate: async (token) => tokens.get(token),
    console: { load: buildConsole, auth: { kind: 'token' } },
    phone: { defaultRegion: config.DEFAULT_REGION },
    metaAccounts: { messenger: config.META_PAGE_ID, instagram: config.META_INSTAGRAM_ACCOUNT_ID },
    exportInlineBytes: config.EXPORT_INLINE_BYTES,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    queueNames: policyQueueNames(config.ROUTING_POLICY_FILE),
    policy: policyInForce(config.ROUTING_POLICY_FILE),
    ...localAgentFiles(config, repos),
    cursors: pageCursors(config.CSAT_SIGNING_SECRET?.[0]),
    health: healthCheck(repos.tableReachable, rest.clock),
  };
}

/** The web chat's routes and widget; its live socket claims `/webchat/live` on the runtime's upgrades. */
async function webchatOf(
  options: LocalRuntimeOptions,
  parts: Omit<Parameters<typeof localWebchat>[0], 'aiAnswers' | 'feed'> & {
    feed?: LocalChangeFeed | undefined;
    live?: LocalLive | undefined;
  },
) {
  const webchat = await localWebchat({ ...parts, feed: parts.feed, aiAnswers: options.routing ?? false });
  // Agents' typing reaches the visitors of a web-chat conversation (their socket starts after the agents').
  if (webchat.typing) parts.live?.typingTo(webchat.typing);
  return webchat;
}

/** The senders with the web chat's, which every runtime has: a reply to a visitor needs no credentials. */
function withWebchat(
  senders: Partial<Record<Channel, ChannelSender>>,
  queue: EnvelopeQueue,
  clock: Clock,
  sessions: LiveSessions,
): Partial<Record<Channel, ChannelSender>> {
  return { webchat: new WebchatSender({ queue, clock, sessions }), ...senders };
}

/** Serves `app` on 127.0.0.1, and its WebSocket `upgrades`; `port` 0 takes a free one. */
async function listen(
  app: Hono,
  port: number,
  upgrades: LocalUpgrades,
): Promise<{ server: ServerType; port: number }> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: closingAfter413(app), port, hostname: '127.0.0.1' }, () => resolve(s));
    // Without a listener, a port in use was an unhandled 'error' event and a stack trace.
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(
              `PORT ${port} is in use (another npm start?): stop it, or set PORT to a free port`,
            )
          : error,
      ),
    );
  });
  upgrades.attach(server as Server);
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}

/** The local table and its repositories, seen through the change feed when `events` is on. */
async function localTable(
  options: LocalRuntimeOptions,
  tableName: string,
  dataDir: string | undefined,
  exports: LocalExportStore,
) {
  openDataDir(dataDir);
  const dynamo = await startLocalDynamo({
    tableName,
    ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}),
  });
  const feed =
    options.events || options.live || options.webchatLive
      ? new LocalChangeFeed(dynamo.endpoint, tableName, {
          skip: isLiveEventPartition,
          dir: dataDir && join(dataDir, 'change-feed'),
        })
      : undefined;
  // The records a killed runtime left are settled before anything writes.
  await feed?.opened;
  const client = feed?.capture(dynamo.client) ?? dynamo.client;
  const db = documentClient(options.dynamoClient?.(client) ?? client);
  // Agents' reply files, served at /files/...: the erasure deletes a customer's with their exports.
  const uploads = new LocalUploadStore({ dir: dataDir && join(dataDir, 'uploads') });
  const repos = dynamoRepositories(db, tableName, { exports: customerFiles(exports, uploads) });
  // A completed erasure has the feed's journal let go of the erased images once its consumers took them.
  return { dynamo, feed, uploads, repos: { ...repos, privacy: forgettingErased(repos.privacy, feed) } };
}

/**
 * What runs on the change feed, as the events and live functions do on AWS: the integrator webhooks
 * (with `events`) and live updates (with `events` or `live`), whose socket route joins the upgrades.
 */
function startFeedConsumers(input: {
  config: Config;
  repos: DynamoRepositories;
  feed: LocalChangeFeed | undefined;
  dataDir: string | undefined;
  options: LocalRuntimeOptions;
  clock: Clock;
}): Pick<LocalRuntime, 'upgrades' | 'feed' | 'webhooks' | 'live'> {
  const { config, repos, feed, dataDir, options, clock } = input;
  const upgrades = new LocalUpgrades();
  if (!feed) return { upgrades };
  const webhooks = options.events ? startLocalWebhooks({ config, repos, feed, dataDir, options }) : undefined;
  // An agent an admin removed opens no socket (as the agent API refuses them), looked at every connect.
  const authenticate = agentsOf(config, repos);
  const [events, leases, presences] = [repos.liveEvents, repos.consoleLeases, repos.agentPresences];
  const live = startLocalLive({ feed, upgrades, events, clock, authenticate, leases, presences });
  return { feed, upgrades, live, ...(webhooks ? { webhooks } : {}) };
}

/** The agents of AGENT_TOKENS, an agent an admin removed refused (looked at every call). */
function agentsOf(config: Config, repos: DynamoRepositories) {
  const tokens = parseAgentTokens(config.AGENT_TOKENS);
  return refuseRemovedAgents(async (token: string) => tokens.get(token), removalLook(repos.agents));
}

/** The settings the runtime cannot start without (the webhooks' secrets). */
const RUNTIME_SETTINGS = ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'TWILIO_AUTH_TOKEN'] as const;

/**
 * Starts the embedded runtime: dynalite, the queues (SQS semantics) with their dead-letter queues, the
 * consumers the Lambda functions run (resolver and routing, sender, ses-mail), and the webhook and agent
 * apps on one Node HTTP server. The apps and the consumers are the same code the Lambda handlers wrap.
 */
export async function startLocalRuntime(given: LocalRuntimeOptions): Promise<LocalRuntime> {
  const options = onDevClock(given);
  const config = requireSettings(options.config, RUNTIME_SETTINGS);
  const dataDir = (options.persist ?? true) ? config.DATA_DIR : undefined;
  const clock = options.clock ?? systemClock;
  // One store for the agent API that writes and serves exports and the erasure that deletes them.
  const exports = new LocalExportStore({ dir: dataDir && join(dataDir, 'exports') });
  const { dynamo, feed, repos, uploads } = await localTable(options, config.TABLE_NAME, dataDir, exports);
  // The redrive moves queue files only while no runtime holds them.
  const releaseDataDir = dataDir ? claimDataDir(dataDir) : undefined;
  const queues = localQueues({
    dataDir,
    timings: options.queue,
    outboundMaxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
  });
  const feeds = startFeedConsumers({ config, repos, feed, dataDir, options, clock });
  const { webhooks, upgrades, live } = feeds;
  const outbox = new LocalOutbox(dataDir ? { file: join(dataDir, 'outbox.jsonl') } : {});
  const timing = { dataDir, timers: options.timers, queue: queues.timers };
  const { timerStore, conversationClock } = localConversationClock({ config, repos, clock, ...timing });
  const envelopes = new LocalEnvelopeQueue(queues.inbound);
  const webhookQueue = options.wrapInboundQueue?.(envelopes) ?? envelopes;
  if (options.providerStatuses) await reportOutboxStatuses(outbox, { repos, clock, dataDir, webhookQueue });
  const senders = options.senders ?? localSenders(config, outbox);
  const replies = startConsumers({
    config,
    repos,
    queues,
    clock,
    ids: options.ids ?? randomIds,
    senders: withWebchat(options.wrapSenders?.(senders) ?? senders, envelopes, clock, repos.webchat),
    envelopes: webhookQueue,
    leaseMs: sendLeaseMs(options.queue?.visibilityTimeoutMs ?? 30_000),
    routing: options.routing ?? false,
    conversationClock,
    track: options.conversationClock ?? options.routing ?? false,
  });
  timerStore.start();
  const agentLoad = startLocalAgentLoad(repos, clock, options.timers, exports);
  const webchat = await webchatOf(options, { config, repos, clock, queue: webhookQueue, ...feeds });
  const app = localHttpApp({
    webchat: webchat.app,
    config,
    clock,
    envelopes: webhookQueue,
    mail: options.wrapMailQueue?.(new LocalMailQueue(queues.mail)) ?? new LocalMailQueue(queues.mail),
    agent: agentDeps(config, repos, {
      clock,
      replies,
      outbox,
      conversationClock,
      webhooks: webhooks?.api,
      exports,
      uploads,
      live: live && { events: repos.liveEvents },
    }),
  });
  const carryLeases = repos.agents.carryConsoleLeases;
  const clockParts = { dataDir, timerStore, authenticate: agentsOf(config, repos), carryLeases };
  mountDevClock(app, options.devClock, clockParts, () => running.idle());
  const { server, port } = await listen(app, config.PORT, upgrades);
  const { inbound, deadLetter, mail, outbound, timers } = queues;
  const stopping = { server, timerStore, agentLoad, dynamo, releaseDataDir, closeSockets: webchat.close };
  const running: LocalRuntime = {
    url: `http://127.0.0.1:${port}`,
    port,
    dynamoEndpoint: dynamo.endpoint,
    store: repos,
    inbound,
    deadLetter,
    mail,
    outbound,
    outbox,
    timers,
    timerStore,
    ...feeds,
    ...settleAndStop({ ...stopping, ...feeds, queues: [timers, mail, inbound, outbound] }),
  };
  return running;
}

/** The runtime's `idle` and `close`: every queue settled until all are quiet, then everything stopped in order. */
function settleAndStop(parts: {
  server: ServerType;
  timerStore: LocalTimerStore;
  agentLoad: LocalAgentLoad;
  queues: LocalQueue[];
  webhooks?: LocalWebhooks | undefined;
  feed?: LocalChangeFeed | undefined;
  live?: LocalLive | undefined;
  dynamo: { close(): Promise<void> };
  releaseDataDir: (() => void) | undefined;
  closeSockets: () => void;
}): Pick<LocalRuntime, 'idle' | 'close'> {
  const { server, timerStore, agentLoad, queues, webhooks, feed, live, dynamo } = parts;
  return {
    idle: async () => {
      // A reply can lead to a status and a status to nothing: settle every queue until all are quiet.
      for (let round = 0; round < 3; round++) {
        await timerStore.settled();
        await agentLoad.settled();
        for (const queue of queues) await queue.idle();
        await webhooks?.idle();
        await feed?.idle();
      }
    },
    close: async () => {
      await live?.close();
      parts.closeSockets();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      timerStore.stop();
      agentLoad.stop();
      await agentLoad.settled();
      for (const queue of queues) await queue.stop();
      await webhooks?.stop();
      if (!webhooks) await feed?.close();
      await dynamo.close();
      parts.releaseDataDir?.();
    },
  };
}
