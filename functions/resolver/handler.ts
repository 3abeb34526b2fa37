import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '#shared/config/config.js';
import { systemClock } from '#shared/domain/ports.js';
import { logger } from '#shared/log.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { randomIds } from '#shared/store/ids.js';
import { createResolverConsumer } from './consumer.js';

const config = loadConfig();

export const handler = createResolverConsumer({
  store: new DynamoStore(new DynamoDBClient({}), config.TABLE_NAME),
  clock: systemClock,
  ids: randomIds,
  log: (level, message, fields) => logger[level](message, fields),
});
