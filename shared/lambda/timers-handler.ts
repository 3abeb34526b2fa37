import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fireTimer } from '../app/fire-timer.js';
import { loadConfig } from '../config/config.js';
import { createTimersConsumer } from '../queue/timers-consumer.js';
import { dynamoRepositories } from '../store/dynamo-repositories.js';
import { awsConversationClock } from './conversation-clock.js';

/** The timers function on AWS: timers from the timers queue (put there by Scheduler) fired against the table. */
export function createTimersHandler(): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const config = loadConfig();
  const clock = awsConversationClock(config, dynamoRepositories(new DynamoDBClient({}), config.TABLE_NAME));
  return createTimersConsumer((timer) => fireTimer(clock, timer));
}
