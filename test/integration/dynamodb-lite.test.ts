import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import type { DocumentStore } from '#shared/store/dynamo-client.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { normaliseTable, scanTable } from '../support/table-snapshot.js';
import { journey } from '../unit/fakes/journey.js';

/**
 * The Lambda functions run the repositories on the lite DynamoDB client (shared/aws/dynamodb-lite.ts),
 * the local runtime and the other tests on the SDK's document client. The same work through each, on
 * the real DynamoDB API (dynalite), must leave the same table and read back the same answers.
 */

const TABLE = 'threadline-lite';
const clock = { now: () => new Date('2025-06-20T00:00:00.000Z') };
const subscription = {
  id: 'wh_1',
  url: 'https://hooks.example.com/threadline',
  events: ['message.received'],
  createdAt: '2025-06-20T00:00:00.000Z',
  createdBy: 'agent_1',
  secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
  consecutiveFailures: 0,
};

/** The journey, every envelope delivered again a day later, then a webhook subscription made and dropped. */
async function run(doc: DocumentStore) {
  const repos = dynamoRepositories(doc, TABLE);
  const store = storePorts(repos);
  let n = 0;
  const deps = { store, clock, ids: { customerId: () => `cu_${++n}` } };
  const later = (e: Envelope) =>
    ({ ...e, occurredAt: new Date(Date.parse(e.occurredAt) + 86_400_000).toISOString() }) as Envelope;
  for (const e of journey) await receiveEnvelope(deps, e);
  for (const e of journey) await receiveEnvelope(deps, later(e));
  await repos.webhooks.putSubscription(subscription as never);
  const listed = await repos.webhooks.listSubscriptions();
  const failures = [await repos.webhooks.countFailure('wh_1'), await repos.webhooks.countFailure('wh_1')];
  const gone = [await repos.webhooks.wasDeleted('wh_1')];
  await repos.webhooks.markDeleted('wh_1', '2026-12-06T00:00:00.000Z');
  await repos.webhooks.deleteSubscription('wh_1');
  gone.push(await repos.webhooks.wasDeleted('wh_1'), await repos.webhooks.wasDeleted('wh_2'));
  const customerId = await store.findCustomerId(
    { kind: 'phone', value: '+14155550100' },
    { consistent: true },
  );
  const timeline = customerId ? await repos.timeline.recentTimeline([customerId], 50) : [];
  const after = await repos.webhooks.listSubscriptions();
  return { listed, failures, gone, customerId, timeline, after };
}

let sdk: LocalDynamo;
let lite: LocalDynamo;
beforeAll(async () => {
  [sdk, lite] = await Promise.all([
    startLocalDynamo({ tableName: TABLE }),
    startLocalDynamo({ tableName: TABLE }),
  ]);
});
afterAll(async () => {
  await Promise.all([sdk?.close(), lite?.close()]);
});

describe('the repositories on the lite DynamoDB client', () => {
  it('write the same items and read the same answers as on the SDK document client', async () => {
    const viaSdk = await run(documentClient(sdk.client));
    const viaLite = await run(
      dynamoDbLite({
        endpoint: lite.endpoint,
        region: 'local',
        credentials: () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
      }),
    );
    expect(viaSdk.customerId).toBe('cu_1');
    expect(viaSdk.timeline.length).toBeGreaterThan(1);
    expect(viaSdk.listed).toHaveLength(1);
    expect(viaSdk.failures).toEqual([1, 2]);
    expect(viaSdk.gone).toEqual([false, true, false]);
    expect(viaSdk.after).toEqual([]);
    expect(viaLite).toEqual(viaSdk);

    const [sdkItems, liteItems] = await Promise.all([
      scanTable(sdk.client, TABLE),
      scanTable(lite.client, TABLE),
    ]);
    expect(sdkItems.length).toBeGreaterThan(journey.length);
    expect(normaliseTable(liteItems)).toEqual(normaliseTable(sdkItems));
  }, 60_000);
});
