import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fireTimer } from '../app/fire-timer.js';
import { trackConversationClock } from '../app/track-conversation-clock.js';
import { dynamoDbLite } from '../aws/dynamodb-lite.js';
import { getSecretString } from '../aws/secrets-lite.js';
import { loadConfigWithSecrets } from '../config/secrets.js';
import type { ClockEvent } from '../domain/clock-ports.js';
import { createTimersConsumer } from '../queue/timers-consumer.js';
import { dynamoRepositories, storePorts } from '../store/dynamo-repositories.js';
import { awsConversationClock, withAutomations } from './conversation-clock.js';
import { sqsReplies } from './replies.js';

/**
 * The timers function on AWS: timers from the timers queue (put there by Scheduler) fired against the
 * table; automations and surveys reply through the outbound queue (the secret: the survey links' key).
 */
export async function createTimersHandler(): Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> {
  const config = await loadConfigWithSecrets((id) => getSecretString(id));
  const repos = dynamoRepositories(dynamoDbLite(), config.TABLE_NAME);
  const clock = awsConversationClock(config, repos);
  if (config.OUTBOUND_QUEUE_URL) {
    const track = (event: ClockEvent) => trackConversationClock(clock, event);
    withAutomations(clock, repos, { ...sqsReplies(storePorts(repos), config.OUTBOUND_QUEUE_URL), track });
  }
  return createTimersConsumer((timer) => fireTimer(clock, timer));
}
