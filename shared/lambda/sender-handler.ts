import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverReply, type SenderDeps } from '../app/deliver-reply.js';
import { trackConversationClock } from '../app/track-conversation-clock.js';
import { undeliveredAnswerHandOff } from '../app/undelivered-answer.js';
import { dynamoDbLite } from '../aws/dynamodb-lite.js';
import { getSecretString } from '../aws/secrets-lite.js';
import type { Config } from '../config/config.js';
import { loadConfigWithSecrets, SENDER_SECRET_KEYS } from '../config/secrets.js';
import type { ClockEvent } from '../domain/clock-ports.js';
import { systemClock } from '../domain/ports.js';
import { createSenderConsumer } from '../queue/sender-consumer.js';
import { type DynamoRepositories, dynamoRepositories } from '../store/dynamo-repositories.js';
import { lambdaSenders } from './channel-senders.js';
import { awsAnswerClock } from './conversation-clock.js';
import { lambdaDeadLetter } from './dead-letter.js';
import { refreshOnCredentialsRefused } from './refresh-senders.js';

/**
 * What the sender function delivers with. An answer it gives up on (refused, out of attempts, no
 * credentials) is taken back from the conversation clock (`unanswered`), as the resolver does for a
 * `failed` status: its SLA target starts again, its silence ends (`awsAnswerClock`). The AI's answer
 * the provider reported failed before the send was recorded goes to a person, as the resolver does.
 */
export function senderDeps(
  config: Config,
  repos: DynamoRepositories,
  senders = lambdaSenders(config, repos.webchat),
): SenderDeps {
  const clock = awsAnswerClock(config, repos);
  return {
    store: {
      ...repos.replies,
      markAnswered: repos.conversations.markAnswered,
      startWaiting: repos.conversations.startWaiting,
      startWaitingAfterFailure: repos.conversations.startWaitingAfterFailure,
      reopenAfterFailure: repos.conversations.reopenAfterFailure,
      owedHandOff: repos.conversations.owedHandOff,
      handOffRecord: repos.conversations.handOffRecord,
      handOffMade: repos.conversations.handOffMade,
      oweHandOffWhileWaiting: repos.conversations.oweHandOffWhileWaiting,
      takeBackFirstResponse: repos.metrics.takeBackFirstResponse,
      setContactState: repos.customers.setContactState,
      mergedCustomers: repos.customers.mergedCustomers,
      dropUnreachableWait: repos.conversations.dropUnreachableWait,
    },
    senders,
    clock: systemClock,
    // Longer than one invocation, so a sender that died mid-call is retried only once its lease is over.
    leaseMs: 60_000,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
    track: (event: ClockEvent) => trackConversationClock(clock, event),
    // The routing policy's queues, parsed only when an AI answer failed (the clock's own read).
    undelivered: undeliveredAnswerHandOff(repos.conversations, () => clock.policy),
  };
}

/**
 * The sender function on AWS: replies from SQS to the providers, with the provider secrets, read again
 * when a provider refuses our credentials (a renewed token: `refreshOnCredentialsRefused`).
 */
export async function createSenderHandler(): Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> {
  const read = () =>
    loadConfigWithSecrets((id) => getSecretString(id), process.env, { uses: SENDER_SECRET_KEYS });
  const config = await read();
  const repos = dynamoRepositories(dynamoDbLite(), config.TABLE_NAME);
  const senders = refreshOnCredentialsRefused(lambdaSenders(config, repos.webchat), async () =>
    lambdaSenders(await read(), repos.webchat),
  );
  const deps = senderDeps(config, repos, senders);
  return createSenderConsumer((message, receiveCount) => deliverReply(deps, message, receiveCount), {
    deadLetter: lambdaDeadLetter(config.OUTBOUND_DEAD_LETTER_QUEUE_URL),
  });
}
