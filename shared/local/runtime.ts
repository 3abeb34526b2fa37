import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createAgentApp } from '#shared/api/app.js';
import { deliverReply } from '#shared/app/deliver-reply.js';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import { routeMessage } from '#shared/app/route-message.js';
import { snsHttpDeps } from '#shared/channels/ses/webhook.js';
import {
  createMetaApp,
  createSesApp,
  createTwilioSmsApp,
  createTwilioVoiceApp,
  createWhatsAppApp,
} from '#shared/local/webhook-apps.js';
import { createMailConsumer } from '#shared/queue/mail-consumer.js';
import type { MailQueue } from '../channels/ses/mail.js';
import { type Config, parseAgentTokens, requireSettings } from '../config/config.js';
import { resolverSettings } from '../config/resolver-settings.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import { type Clock, type EnvelopeQueue, type IdGenerator, systemClock } from '../domain/ports.js';
import type { RouteInbound } from '../domain/router-ports.js';
import { UnavailableError } from '../errors.js';
import { notFound, onError } from '../http/on-error.js';
import { log } from '../log.js';
import { createResolverConsumer } from '../queue/resolver-consumer.js';
import { createSenderConsumer } from '../queue/sender-consumer.js';
import { createResponder } from '../responder/create-responder.js';
import {
  adminPorts,
  type DynamoRepositories,
  dynamoRepositories,
  storePorts,
} from '../store/dynamo-repositories.js';
import { randomIds, timeOrderedId } from '../store/ids.js';
import { startLocalDynamo } from './dynamo.js';
import { LocalEnvelopeQueue } from './local-envelope-queue.js';
import { LocalMailQueue } from './local-mail-queue.js';
import { LocalOutboundQueue, LocalOutbox } from './outbox.js';
import { LocalQueue } from './queue.js';
import { localSenders } from './senders.js';

/** Options of the embedded runtime. */
export interface LocalRuntimeOptions {
  config: Config;
  /** Persist data (DynamoDB and queued messages) under config.DATA_DIR; in memory when false. */
  persist?: boolean;
  clock?: Clock;
  ids?: IdGenerator;
  /** Replace the senders (tests); by default real adapters where credentials are set, else the outbox. */
  senders?: Partial<Record<Channel, ChannelSender>>;
  /** Queue timings, shortened by tests. */
  queue?: { visibilityTimeoutMs?: number; maxReceiveCount?: number; pollIntervalMs?: number };
  /** Fault injection (tests): wraps or replaces the DynamoDB client of the store and the agent API. */
  dynamoClient?: (client: DynamoDBClient) => DynamoDBClient;
  /** Fault injection (tests): wraps or replaces the envelope queue every webhook enqueues to. */
  wrapInboundQueue?: (queue: EnvelopeQueue) => EnvelopeQueue;
  /** Fault injection (tests): wraps or replaces the mail queue the SES webhook enqueues to. */
  wrapMailQueue?: (queue: MailQueue) => MailQueue;
  /**
   * Route every inbound message (AI or a human queue) with the knowledge-base responder and the
   * routing policy (ROUTING_POLICY_FILE, else the default). `npm start` turns it on; off by default
   * so tests of the pipeline see only what they send.
   */
  routing?: boolean;
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
  /** Resolves when every queued envelope has been processed (or dead-lettered). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the embedded runtime: dynalite, the inbound queue (SQS semantics) with its dead-letter
 * queue, the resolver consuming it, and the webhook and agent apps on one Node HTTP server. The
 * apps and the consumer are the same code the Lambda handlers wrap.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const config = requireSettings(options.config, [
    'META_APP_SECRET',
    'META_VERIFY_TOKEN',
    'TWILIO_AUTH_TOKEN',
  ]);
  const persist = options.persist ?? true;
  const dataDir = config.DATA_DIR;
  const clock = options.clock ?? systemClock;

  const dynamo = await startLocalDynamo({
    tableName: config.TABLE_NAME,
    ...(persist ? { path: join(dataDir, 'dynamodb') } : {}),
  });
  const dynamoClient = options.dynamoClient?.(dynamo.client) ?? dynamo.client;
  const repos = dynamoRepositories(dynamoClient, config.TABLE_NAME);
  const store = storePorts(repos);

  const deadLetter = new LocalQueue({
    name: 'threadline-inbound-dlq',
    ...(persist ? { dir: join(dataDir, 'queues', 'inbound-dlq') } : {}),
  });
  const inbound = new LocalQueue({
    name: 'threadline-inbound',
    ...(persist ? { dir: join(dataDir, 'queues', 'inbound') } : {}),
    deadLetter,
    visibilityTimeoutMs: options.queue?.visibilityTimeoutMs ?? 30_000,
    maxReceiveCount: options.queue?.maxReceiveCount ?? 5,
    ...(options.queue?.pollIntervalMs ? { pollIntervalMs: options.queue.pollIntervalMs } : {}),
  });
  // Replies: the outbound queue, and the sender consuming it into the providers or the local outbox.
  const outboundDead = new LocalQueue({
    name: 'threadline-outbound-dlq',
    ...(persist ? { dir: join(dataDir, 'queues', 'outbound-dlq') } : {}),
  });
  const outbound = new LocalQueue({
    name: 'threadline-outbound',
    ...(persist ? { dir: join(dataDir, 'queues', 'outbound') } : {}),
    deadLetter: outboundDead,
    visibilityTimeoutMs: options.queue?.visibilityTimeoutMs ?? 30_000,
    maxReceiveCount: config.OUTBOUND_MAX_ATTEMPTS,
    ...(options.queue?.pollIntervalMs ? { pollIntervalMs: options.queue.pollIntervalMs } : {}),
  });
  const outbox = new LocalOutbox(persist ? { file: join(dataDir, 'outbox.jsonl') } : {});
  const senders = options.senders ?? localSenders(config, outbox);
  const sending = {
    store,
    senders,
    clock,
    leaseMs: options.queue?.visibilityTimeoutMs ?? 30_000,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
  };
  outbound.start(
    createSenderConsumer((message, receiveCount) => deliverReply(sending, message, receiveCount)),
  );

  const admin = adminPorts(repos);
  const replies = {
    store,
    queue: new LocalOutboundQueue(outbound),
    clock,
    newId: () => timeOrderedId('rp'),
  };
  let route: RouteInbound | undefined;
  if (options.routing) {
    // Read once at start: a policy with an error stops the runtime with the field named.
    const policy = loadRoutingPolicy(config.ROUTING_POLICY_FILE);
    const router = { store, admin, replies, clock, responder: createResponder(config), policy, log };
    route = (input) => routeMessage(router, input);
  }
  const resolving = { store, clock, ids: options.ids ?? randomIds, ...resolverSettings(config), log, route };
  inbound.start(createResolverConsumer((envelope) => receiveEnvelope(resolving, envelope)));

  const envelopeQueue =
    options.wrapInboundQueue?.(new LocalEnvelopeQueue(inbound)) ?? new LocalEnvelopeQueue(inbound);
  const tokens = parseAgentTokens(config.AGENT_TOKENS);
  const root = new Hono();
  root.onError(onError);
  root.notFound(notFound);
  root.get('/health', (c) => c.json({ ok: true }));
  root.route(
    '/',
    createWhatsAppApp({
      queue: envelopeQueue,
      clock,
      appSecret: config.META_APP_SECRET,
      verifyToken: config.META_VERIFY_TOKEN,
      maxBodyBytes: config.MAX_BODY_BYTES,
    }),
  );
  root.route(
    '/',
    createMetaApp({
      queue: envelopeQueue,
      clock,
      appSecret: config.META_APP_SECRET,
      verifyToken: config.META_VERIFY_TOKEN,
      maxBodyBytes: config.MAX_BODY_BYTES,
    }),
  );
  const twilio = {
    queue: envelopeQueue,
    clock,
    authToken: config.TWILIO_AUTH_TOKEN,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    maxBodyBytes: config.MAX_BODY_BYTES,
  };
  // SES: the webhook verifies and queues notifications; ses-mail parses the mail into envelopes.
  const mailDead = new LocalQueue({
    name: 'threadline-mail-dlq',
    ...(persist ? { dir: join(dataDir, 'queues', 'mail-dlq') } : {}),
  });
  const mail = new LocalQueue({
    name: 'threadline-mail',
    ...(persist ? { dir: join(dataDir, 'queues', 'mail') } : {}),
    deadLetter: mailDead,
    visibilityTimeoutMs: options.queue?.visibilityTimeoutMs ?? 60_000,
    maxReceiveCount: options.queue?.maxReceiveCount ?? 5,
    ...(options.queue?.pollIntervalMs ? { pollIntervalMs: options.queue.pollIntervalMs } : {}),
  });
  mail.start(
    createMailConsumer({
      queue: envelopeQueue,
      fetchObject: async () => {
        throw new UnavailableError('the local runtime has no S3: use an SES action that delivers over SNS');
      },
    }),
  );
  root.route(
    '/',
    createSesApp({
      mail: options.wrapMailQueue?.(new LocalMailQueue(mail)) ?? new LocalMailQueue(mail),
      clock,
      maxBodyBytes: config.MAX_BODY_BYTES,
      ...snsHttpDeps(config.SNS_TRUSTED_CERT_FILE),
      topicArns: config.SNS_TOPIC_ARNS,
    }),
  );
  root.route('/', createTwilioSmsApp(twilio));
  root.route('/', createTwilioVoiceApp({ ...twilio, greeting: config.VOICE_GREETING }));
  root.route(
    '/',
    createAgentApp({
      store,
      admin,
      clock,
      replies,
      outbox,
      authenticate: async (token) => tokens.get(token),
      phone: { defaultRegion: config.DEFAULT_REGION },
    }),
  );

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: root.fetch, port: config.PORT, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dynamoEndpoint: dynamo.endpoint,
    store: repos,
    inbound,
    deadLetter,
    mail,
    outbound,
    outbox,
    idle: async () => {
      // A reply can lead to a status and a status to nothing: settle both queues until both are quiet.
      for (let round = 0; round < 3; round++) {
        await mail.idle();
        await inbound.idle();
        await outbound.idle();
      }
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mail.stop();
      await inbound.stop();
      await outbound.stop();
      await dynamo.close();
    },
  };
}
