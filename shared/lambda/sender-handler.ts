import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverReply } from '../app/deliver-reply.js';
import { dynamoDbLite } from '../aws/dynamodb-lite.js';
import { getSecretString } from '../aws/secrets-lite.js';
import { loadConfigWithSecrets, SENDER_SECRET_KEYS } from '../config/secrets.js';
import { systemClock } from '../domain/ports.js';
import { createSenderConsumer } from '../queue/sender-consumer.js';
import { dynamoRepositories } from '../store/dynamo-repositories.js';
import { lambdaSenders } from './channel-senders.js';
import { lambdaDeadLetter } from './dead-letter.js';

/** The sender function on AWS: replies from SQS to the providers, with the provider secrets. */
export async function createSenderHandler(): Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> {
  const config = await loadConfigWithSecrets((id) => getSecretString(id), process.env, {
    uses: SENDER_SECRET_KEYS,
  });
  const repos = dynamoRepositories(dynamoDbLite(), config.TABLE_NAME);
  const deps = {
    store: {
      ...repos.replies,
      markAnswered: repos.conversations.markAnswered,
      startWaiting: repos.conversations.startWaiting,
      startWaitingAfterFailure: repos.conversations.startWaitingAfterFailure,
      reopenAfterFailure: repos.conversations.reopenAfterFailure,
      takeBackFirstResponse: repos.metrics.takeBackFirstResponse,
    },
    senders: lambdaSenders(config),
    clock: systemClock,
    // Longer than one invocation, so a sender that died mid-call is retried only once its lease is over.
    leaseMs: 60_000,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
  };
  return createSenderConsumer((message, receiveCount) => deliverReply(deps, message, receiveCount), {
    deadLetter: lambdaDeadLetter(config.OUTBOUND_DEAD_LETTER_QUEUE_URL),
  });
}
