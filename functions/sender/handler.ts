import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getSecretString } from '#shared/aws/secrets-lite.js';
import { configuredSenders } from '#shared/channels/senders.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { createSenderConsumer } from './consumer.js';

const config = await loadConfigWithSecrets((id) => getSecretString(id));

export const handler = createSenderConsumer({
  store: dynamoRepositories(new DynamoDBClient({}), config.TABLE_NAME).replies,
  senders: configuredSenders(config),
  clock: systemClock,
  // Longer than one invocation, so a sender that died mid-call is retried only once its lease is over.
  leaseMs: 60_000,
  maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
});
