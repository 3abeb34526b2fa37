import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, requireSettings } from '#shared/config/config.js';
import { systemClock } from '#shared/domain/ports.js';
import { log } from '#shared/log.js';
import { SqsOutboundQueue } from '#shared/queue/sqs-outbound-queue.js';
import { createRouter } from '#shared/routing/create-router.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { randomIds, timeOrderedId } from '#shared/store/ids.js';
import { createResolverConsumer } from './consumer.js';

// No provider secret: resolving and routing need none.
const config = requireSettings(loadConfig(), ['OUTBOUND_QUEUE_URL']);
const repos = dynamoRepositories(new DynamoDBClient({}), config.TABLE_NAME);
const store = storePorts(repos);

// The routing policy and the sample knowledge base are copied next to the bundle at synth, where the
// defaults look for them; ROUTING_POLICY_FILE, KNOWLEDGE_BASE_DIR and BEDROCK_MODEL_ID override them.
const route = createRouter(config, {
  store,
  admin: repos.conversations,
  replies: {
    store,
    queue: new SqsOutboundQueue(new SQSClient({}), config.OUTBOUND_QUEUE_URL),
    clock: systemClock,
    newId: () => timeOrderedId('rp'),
  },
  clock: systemClock,
});

export const handler = createResolverConsumer(
  {
    store,
    clock: systemClock,
    ids: randomIds,
    reopenWindowMs: config.REOPEN_WINDOW_HOURS * 3_600_000,
    phone: { defaultRegion: config.DEFAULT_REGION },
    log,
  },
  { route },
);
