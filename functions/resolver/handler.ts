import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CountryCode } from 'libphonenumber-js';
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
  reopenWindowMs: config.REOPEN_WINDOW_HOURS * 3_600_000,
  phone: { defaultRegion: config.DEFAULT_REGION as CountryCode },
  log: (level, message, fields) => logger[level](message, fields),
});
