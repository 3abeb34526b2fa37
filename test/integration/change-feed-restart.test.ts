import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishChanges } from '#shared/app/publish-change.js';
import { loadConfig } from '#shared/config/config.js';
import { LocalChangeFeed } from '#shared/local/change-feed.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { LocalQueue } from '#shared/local/queue.js';
import { type LocalRuntime, startLocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startReceiver } from '../support/webhook-receiver.js';

const ADMIN = agentToken('feed-restart-admin');
const TABLE = 'threadline';

/**
 * A kill -9 of the runtime between a table write and the change feed's delivery: the feed is
 * constructed on the runtime's DATA_DIR, an item is written through it, and the feed is dropped without
 * draining (what dies with the process); the next runtime on the same DATA_DIR must deliver the change's
 * integrator event, once.
 */
describe('local runtime: the change feed survives a kill between a write and its delivery', () => {
  let dataDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let runtime: LocalRuntime | undefined;

  const start = () =>
    startLocalRuntime({
      config: loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        TABLE_NAME: TABLE,
        META_APP_SECRET: 'feed-restart-meta',
        META_VERIFY_TOKEN: 'v',
        TWILIO_AUTH_TOKEN: 'feed-restart-twilio',
        AGENT_TOKENS: `agent-ana:${ADMIN}:admin`,
      }),
      events: true,
      queue: { visibilityTimeoutMs: 2_000, pollIntervalMs: 5 },
    });
  const subscribe = async (events: string[]) => {
    const res = await fetch(`${runtime?.url}/api/webhooks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events }),
    });
    expect(res.status).toBe(201);
  };
  /** What a killed runtime leaves: dynalite's files and the feed's, the feed never drained. */
  const writeThenKill = async (customerId: string) => {
    const dynamo = await startLocalDynamo({ tableName: TABLE, path: join(dataDir, 'dynamodb') });
    const feed = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir: join(dataDir, 'change-feed') });
    const doc = documentClient(feed.capture(dynamo.client));
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...Keys.customer(customerId),
          entity: 'customer',
          id: customerId,
          createdAt: '2026-12-05T03:00:00.000Z',
          channels: new Set(['whatsapp']),
        },
      }),
    );
    // The feed is dropped here, undrained, as a kill -9 drops it; dynalite's files are closed.
    await dynamo.close();
  };
  const created = (customerId: string) =>
    receiver.received.filter(
      (r) => (JSON.parse(r.body) as { data: { customerId?: string } }).data.customerId === customerId,
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-feed-'));
    receiver = await startReceiver();
    runtime = await start();
    await subscribe(['customer.created']);
    await runtime.close();
    runtime = undefined;
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers the event of a write whose record the killed runtime never handed on, exactly once', async () => {
    await writeThenKill('cu_killed1');
    runtime = await start();
    await runtime.idle();
    expect(created('cu_killed1').map((r) => JSON.parse(r.body).type)).toEqual(['customer.created']);

    // Delivered and acknowledged: a further restart sends nothing again.
    await runtime.close();
    runtime = await start();
    await runtime.idle();
    expect(created('cu_killed1')).toHaveLength(1);
    await runtime.close();
    runtime = undefined;
  }, 30_000);
});

/**
 * The other side of the window: the feed handed the record to the events consumer, which wrote the
 * delivery and queued it, and the process died before the feed noted the record consumed. The record is
 * replayed on restart; the webhook still goes out once (the delivery found in the log, its message
 * already queued), even while the first post of it is still waiting for the endpoint's answer.
 */
describe('local runtime: a replayed record that was already published', () => {
  let dataDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let runtime: LocalRuntime | undefined;
  const config = () =>
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      TABLE_NAME: TABLE,
      META_APP_SECRET: 'feed-restart-meta',
      META_VERIFY_TOKEN: 'v',
      TWILIO_AUTH_TOKEN: 'feed-restart-twilio',
      AGENT_TOKENS: `agent-ana:${ADMIN}:admin`,
      WEBHOOK_TIMEOUT_MS: '300',
    });
  const start = () =>
    startLocalRuntime({
      config: config(),
      events: true,
      queue: { visibilityTimeoutMs: 2_000, pollIntervalMs: 5 },
      // The retry of the post that timed out waits for these, which never move.
      webhookTimers: new ManualTimers(Date.now()),
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-feed-'));
    // The endpoint never answers: the first post is in flight while the record is replayed.
    receiver = await startReceiver(() => 'hang');
    runtime = await start();
    const res = await fetch(`${runtime.url}/api/webhooks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['customer.created'] }),
    });
    expect(res.status).toBe(201);
    await runtime.close();
    runtime = undefined;
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('posts the webhook once, not a second time while the first is in flight', async () => {
    const dynamo = await startLocalDynamo({ tableName: TABLE, path: join(dataDir, 'dynamodb') });
    const feed = new LocalChangeFeed(dynamo.endpoint, TABLE, { dir: join(dataDir, 'change-feed') });
    const repos = dynamoRepositories(documentClient(dynamo.client), TABLE);
    const queue = new LocalQueue({ name: 'threadline-webhooks', dir: join(dataDir, 'queues', 'webhooks') });
    let published: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      published = resolve;
    });
    const publish = publishChanges({
      subscriptions: () => repos.webhooks.listSubscriptions(),
      store: repos.webhooks,
      queue: { send: async (message) => void (await queue.send([JSON.stringify(message)])) },
      clock: { now: () => new Date() },
      log: () => {},
    });
    // Publishes, then dies before answering: the feed never learns the record was consumed.
    feed.subscribe(async (records) => {
      await publish(records);
      published();
      return new Promise(() => {});
    }, 'events');
    const doc = documentClient(feed.capture(dynamo.client));
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...Keys.customer('cu_twice'),
          entity: 'customer',
          id: 'cu_twice',
          createdAt: '2026-12-05T03:00:00.000Z',
        },
      }),
    );
    await done;
    expect(queue.messages()).toHaveLength(1);
    await dynamo.close();

    runtime = await start();
    await runtime.idle();
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['customer.created']);
    await runtime.close();
    runtime = undefined;
  }, 30_000);
});
