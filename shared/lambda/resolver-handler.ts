import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { receiveEnvelope } from '../app/receive-envelope.js';
import { routeMessage } from '../app/route-message.js';
import { trackConversationClock } from '../app/track-conversation-clock.js';
import { undeliveredAnswerHandOff } from '../app/undelivered-answer.js';
import { dynamoDbLite } from '../aws/dynamodb-lite.js';
import { loadConfig, requireSettings } from '../config/config.js';
import { resolverSettings } from '../config/resolver-settings.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import type { ClockEvent } from '../domain/clock-ports.js';
import { systemClock } from '../domain/ports.js';
import { policyLanguages } from '../domain/routing/script-language.js';
import { log } from '../log.js';
import { createResolverConsumer } from '../queue/resolver-consumer.js';
import { createResponder, readConfiguredKnowledgeBase } from '../responder/create-responder.js';
import { setupLine } from '../responder/setup-line.js';
import { randomIds } from '../store/ids.js';
import { liveSessions } from '../store/live-sessions.js';
import { messageRepositories, storePorts } from '../store/message-repositories.js';
import { awsConversationClock, withAutomations } from './conversation-clock.js';
import { lambdaDeadLetter } from './dead-letter.js';
import { sqsEnvelopeQueue } from './envelope-queue.js';
import { metaProfileLookup } from './profile-lookup.js';
import { sqsReplies } from './replies.js';
import { resolverSending } from './resolver-sending.js';

/**
 * The resolver function on AWS: envelopes from SQS to the timeline, then routing, and the AI's replies
 * to the providers. The routing policy and the sample knowledge base are copied next to the bundle at
 * synth, where the defaults look for them; ROUTING_POLICY_FILE, KNOWLEDGE_BASE_DIR and BEDROCK_MODEL_ID
 * override them.
 */
export function createResolverHandler(): (
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse> {
  // The provider secret only once the AI has a reply to send (`resolverSending`).
  const config = requireSettings(loadConfig(), ['OUTBOUND_QUEUE_URL']);
  // Only the repositories a message's way uses: no merge, erasure, audit, webhook or live code in its bundle.
  const doc = dynamoDbLite();
  const repos = messageRepositories(doc, config.TABLE_NAME);
  const store = storePorts(repos);
  const conversationClock = awsConversationClock(config, repos);
  const track = (event: ClockEvent) => trackConversationClock(conversationClock, event);
  // Read once at start: a policy with an error stops the function with the field named.
  const policy = loadRoutingPolicy(config.ROUTING_POLICY_FILE);
  // An AI answer the provider took, then reported failed (a status, or the inline send's record): to a person.
  const undelivered = undeliveredAnswerHandOff(repos.conversations, () => policy);
  // The AI's answers go out from here, the sender's claim written by their put; agents' through the queue.
  // One invocation at a time per instance: its deadline, read by the inline send.
  let deadline: number | undefined;
  const sendNow = resolverSending(
    config,
    store,
    () => (deadline === undefined ? undefined : deadline - Date.now()),
    { track, undelivered, sessions: liveSessions({ doc, table: config.TABLE_NAME }) },
  );
  const replies = {
    ...sqsReplies(store, config.OUTBOUND_QUEUE_URL, config.WEBCHAT_BUSINESS_NAME),
    track,
    sendNow,
  };
  withAutomations(conversationClock, repos, replies);
  const knowledgeBase = readConfiguredKnowledgeBase(config);
  // What answers customers, once per cold start: the operator sees which files are running.
  log('info', 'routing set up', { setup: setupLine(config, knowledgeBase, policy) });
  const router = {
    store,
    admin: repos.conversations,
    replies,
    clock: systemClock,
    responder: createResponder(config, undefined, knowledgeBase),
    policy,
    log,
  };
  const deps = {
    store,
    clock: systemClock,
    ids: randomIds,
    ...resolverSettings(config),
    languages: policyLanguages(policy),
    log,
    route: (input: Parameters<typeof routeMessage>[1]) => routeMessage(router, input),
    undelivered,
    track,
    csat: store,
    // Bound on AWS (the web chat's `delivered` goes there too): a deletion's later look (apply-deletion.ts).
    requeue: config.INBOUND_QUEUE_URL ? sqsEnvelopeQueue(config.INBOUND_QUEUE_URL) : undefined,
    // A Messenger or Instagram customer's name, once: the Page token from the provider secret it reads already.
    profileName: metaProfileLookup(config),
  };
  const consume = createResolverConsumer((envelope, receipt) => receiveEnvelope(deps, envelope, receipt), {
    deadLetter: lambdaDeadLetter(config.INBOUND_DEAD_LETTER_QUEUE_URL),
  });
  return (event, context) => {
    deadline = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
    return consume(event);
  };
}
