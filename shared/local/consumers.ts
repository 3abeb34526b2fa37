import { deliverReply, type SenderDeps, settleRefusal } from '#shared/app/deliver-reply.js';
import { fireTimer } from '#shared/app/fire-timer.js';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import { routeMessage } from '#shared/app/route-message.js';
import type { ReplyDeps } from '#shared/app/send-reply.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import type { ClockEvent, ConversationClockDeps } from '#shared/domain/clock-ports.js';
import type { HeldSend } from '#shared/domain/reply-ports.js';
import { createTimersConsumer } from '#shared/queue/timers-consumer.js';
import { type UndeliveredAnswerHandOff, undeliveredAnswerHandOff } from '../app/undelivered-answer.js';
import type { Config } from '../config/config.js';
import { resolverSettings } from '../config/resolver-settings.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender, OutboundMessage } from '../domain/outbound.js';
import type { Clock, EnvelopeQueue, IdGenerator } from '../domain/ports.js';
import type { RouteInbound } from '../domain/router-ports.js';
import { policyLanguages } from '../domain/routing/script-language.js';
import { UnavailableError } from '../errors.js';
import { log } from '../log.js';
import { createMailConsumer } from '../queue/mail-consumer.js';
import { createResolverConsumer } from '../queue/resolver-consumer.js';
import { createSenderConsumer } from '../queue/sender-consumer.js';
import type { DeadLetter } from '../queue/sqs-batch.js';
import { deadLetterAttributes } from '../queue/sqs-dead-letter.js';
import { createResponder } from '../responder/create-responder.js';
import { adminPorts, type DynamoRepositories, type storePorts } from '../store/dynamo-repositories.js';
import { timeOrderedId } from '../store/ids.js';
import { configuredStorePorts } from './configured-agents.js';
import { LocalEnvelopeQueue } from './local-envelope-queue.js';
import { LocalOutboundQueue } from './outbox.js';
import type { LocalQueue } from './queue.js';
import type { LocalQueues } from './queues.js';
import { localProfileLookup } from './senders.js';

/** What the runtime's consumers are built from. */
export interface ConsumersInput {
  config: Config;
  repos: DynamoRepositories;
  queues: LocalQueues;
  clock: Clock;
  ids: IdGenerator;
  senders: Partial<Record<Channel, ChannelSender>>;
  /** Where ses-mail puts the envelopes it parses: the same queue the webhooks enqueue to. */
  envelopes: EnvelopeQueue;
  /** The sender's lease on a reply: shorter than the outbound queue's visibility timeout (`sendLeaseMs`). */
  leaseMs: number;
  /** Route inbound messages to the AI or a human queue (the routing policy is read once, here). */
  routing: boolean;
  /** SLA, snooze and auto-resolve; timers fire through it, and messages and replies tell it when `track`. */
  conversationClock: ConversationClockDeps;
  track: boolean;
}

/**
 * The sender's lease on a reply, from the outbound queue's visibility timeout: half of it, so the
 * redelivery of a reply whose attempt failed finds the lease over, as on AWS (a 60-second lease, a
 * visibility of six function timeouts). Equal to it, a redelivery could come a moment before the
 * lease ran out, find it held and spend an attempt on nothing.
 */
export function sendLeaseMs(visibilityTimeoutMs: number): number {
  return Math.max(1, Math.floor(visibilityTimeoutMs / 2));
}

/**
 * A dead-letter queue the consumer puts a permanent failure on at once: the record's id, first sent
 * time and body, with the reason in its attributes as on SQS (`deadLetterAttributes`).
 */
function localDeadLetter(queue: LocalQueue): DeadLetter {
  return async (record, reason) => {
    const attributes = Object.entries(deadLetterAttributes(record, reason)).map(([name, value]) => [
      name,
      value.StringValue ?? '',
    ]);
    await queue.deadLetter({
      messageId: record.messageId,
      body: record.body,
      sentTimestamp: Number(record.attributes.SentTimestamp),
      deadLetterSourceArn: record.eventSourceARN,
      attributes: Object.fromEntries(attributes),
    });
  };
}

/**
 * Routing of the local runtime, and the hand-off of an AI answer that failed after the provider took
 * it. The policy is read once at start: a policy with an error stops the runtime with the field named.
 */
function localRouting(
  input: ConsumersInput,
  store: ReturnType<typeof storePorts>,
  replies: ReplyDeps,
): { route: RouteInbound; undelivered: UndeliveredAnswerHandOff; languages: string[] } {
  const { config, repos, clock } = input;
  const policy = loadRoutingPolicy(config.ROUTING_POLICY_FILE);
  const admin = adminPorts(repos);
  const router = { store, admin, replies, clock, responder: createResponder(config), policy, log };
  return {
    route: (routed) => routeMessage(router, routed),
    undelivered: undeliveredAnswerHandOff(admin, () => policy),
    languages: policyLanguages(policy),
  };
}

/**
 * Starts the consumers the Lambda functions run on AWS, over the local queues: the sender on the
 * outbound queue, the resolver (and routing, which sends the AI's answers itself) on the inbound queue,
 * ses-mail on the mail queue. Answers the reply dependencies, which the agent API shares with routing.
 */
export function startConsumers(input: ConsumersInput): ReplyDeps {
  const { config, repos, queues, clock } = input;
  const store = configuredStorePorts(repos, config.AGENT_TOKENS);
  const clockDeps = input.conversationClock;
  const track = input.track ? (event: ClockEvent) => trackConversationClock(clockDeps, event) : undefined;
  // The sender tells the clock of an answer that failed for good, as the resolver of a `failed` status.
  // Its hand-off of a failed AI answer comes with routing (below), as the resolver's does.
  const sending: SenderDeps = {
    store,
    senders: input.senders,
    clock,
    leaseMs: input.leaseMs,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
    track,
  };
  queues.outbound.start(
    createSenderConsumer((message, receiveCount) => deliverReply(sending, message, receiveCount), {
      deadLetter: localDeadLetter(queues.outboundDeadLetter),
    }),
  );
  queues.timers.start(createTimersConsumer((timer) => fireTimer(clockDeps, timer)));
  const replies = {
    store,
    queue: new LocalOutboundQueue(queues.outbound),
    clock,
    newId: () => timeOrderedId('rp'),
    businessName: config.WEBCHAT_BUSINESS_NAME,
    track,
    // As the resolver on AWS: the AI's answers are sent by the invocation that stored them.
    sendNow: {
      leaseMs: input.leaseMs,
      deliver: (message: OutboundMessage, held: HeldSend) => deliverReply(sending, message, 0, held),
      settleRefused: (message: OutboundMessage, code: string | undefined) =>
        settleRefusal(sending, message, code),
    },
  };
  clockDeps.automations ??= {
    replies,
    setTags: (customerId, tags) => repos.customers.setTags(customerId, tags),
    getTimelineItem: (customerId, at, itemId) => repos.timeline.getTimelineItem(customerId, at, itemId),
    recentTimeline: (partitions, limit) => repos.timeline.recentTimeline(partitions, limit),
  };
  const routing = input.routing ? localRouting(input, store, replies) : undefined;
  sending.undelivered = routing?.undelivered;
  const csat = clockDeps.csat?.store;
  // Its own queue, unwrapped (tests wrap the webhooks'), for a deletion's later look.
  const requeue = new LocalEnvelopeQueue(queues.inbound);
  const resolving = {
    store,
    clock,
    ids: input.ids,
    ...resolverSettings(config),
    log,
    route: routing?.route,
    undelivered: routing?.undelivered,
    languages: routing?.languages,
    track,
    csat,
    requeue,
    profileName: localProfileLookup(config),
  };
  queues.inbound.start(
    createResolverConsumer((envelope, receipt) => receiveEnvelope(resolving, envelope, receipt), {
      deadLetter: localDeadLetter(queues.deadLetter),
    }),
  );

  queues.mail.start(
    createMailConsumer({
      queue: input.envelopes,
      fetchObject: async () => {
        throw new UnavailableError('the local runtime has no S3: use an SES action that delivers over SNS');
      },
      formSenders: config.EMAIL_FORM_SENDERS,
      fallbackCharset: config.EMAIL_FALLBACK_CHARSET,
      deadLetter: localDeadLetter(queues.mailDeadLetter),
    }),
  );
  return replies;
}
