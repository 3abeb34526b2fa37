import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { type CapacityMeter, meterClient } from '../support/capacity-meter.js';
import { stillTimers } from '../support/manual-timers.js';
import { seedHistory } from '../support/pipeline-cost.js';
import { startTestRuntime } from '../support/runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const SITE = 'http://shop.example';

type Page = {
  customerId?: string;
  messages: Array<{ id: string; at: string; text: string }>;
  cursor: string | null;
};

/**
 * A signed-in visitor with a long history (2,500 timeline items, WhatsApp too: a verified visitor's
 * history is every channel; an anonymous one sees only their own web chat) reads it newest first: the first page is the
 * newest, each older page is one bounded backwards query per partition, and paging back reaches the
 * oldest item with nothing read twice.
 */
describe('local runtime: a long web-chat history, newest first', () => {
  let runtime: LocalRuntime;
  let meter: CapacityMeter;
  let client: DynamoDBClient;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { WEBCHAT_ALLOWED_ORIGINS: SITE, WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET },
      timers: stillTimers(),
      dynamoClient: (c) => {
        client = c;
        meter = meterClient(c);
        return c;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const newest = async (token: string, cursor?: string) => {
    const query = new URLSearchParams({ order: 'newest', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${runtime.url}/webchat/messages?${query}`, {
      headers: { authorization: `Bearer ${token}`, origin: SITE },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };

  it('answers the newest page first in one query, and pages back to the oldest in bounded pages', async () => {
    const visitor = visitorClient(runtime.url, SITE);
    const signedIn = { identityToken: identityToken({ sub: 'long-1', email: 'long.history@example.com' }) };
    const { sessionToken } = (await (await visitor.session(signedIn)).json()) as { sessionToken: string };
    expect((await visitor.send(sessionToken, 'The newest question')).status).toBe(202);
    await runtime.idle();
    const { customerId } = (await (await visitor.history(sessionToken)).json()) as Page;
    if (!customerId) throw new Error('no customer');
    await seedHistory(
      { runtime, meter, metaSecret: '', table: 'threadline' },
      client,
      {
        phone: '447700900999',
        customerId,
        conversationId: 'seeded-conversation',
      },
      2500,
    );

    meter.reset();
    const first = await newest(sessionToken);
    const figures = meter.figures();
    expect(first.messages.at(-1)?.text).toBe('The newest question');
    expect(first.messages.at(-2)?.text).toBe('Old question number 833 about my order');
    expect(first.messages.length).toBeLessThanOrEqual(100);
    expect(first.cursor).not.toBeNull();
    // The session, the visitor's customer and their partitions (three Gets), then one backwards Query
    // of the one partition: the same four calls as a visitor with ten items.
    expect(figures.byCommand).toEqual({ GetItemCommand: 3, QueryCommand: 1 });

    const seen = [...first.messages];
    let cursor = first.cursor;
    let pages = 1;
    while (cursor) {
      meter.reset();
      const older = await newest(sessionToken, cursor);
      expect(meter.figures().byCommand).toEqual({ GetItemCommand: 3, QueryCommand: 1 });
      expect(older.messages.length).toBeLessThanOrEqual(100);
      const oldestSeen = seen[0]?.at ?? '';
      for (const m of older.messages) expect(m.at <= oldestSeen).toBe(true);
      seen.unshift(...older.messages);
      cursor = older.cursor;
      pages += 1;
      expect(pages).toBeLessThanOrEqual(40);
    }
    expect(seen[0]?.text).toBe('Old question number 0 about my order');
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
    // Every seeded message (the route events are not the visitor's to see) and the visitor's own.
    expect(seen.filter((m) => m.text.startsWith('Old ')).length).toBe(Math.ceil((2500 * 2) / 3));
  }, 120_000);

  it('refuses a cursor it did not make with 400', async () => {
    const visitor = visitorClient(runtime.url, SITE);
    const { sessionToken } = (await (await visitor.session({})).json()) as { sessionToken: string };
    expect((await visitor.send(sessionToken, 'hello')).status).toBe(202);
    await runtime.idle();
    const res = await fetch(`${runtime.url}/webchat/messages?order=newest&cursor=bm90LWEtY3Vyc29y`, {
      headers: { authorization: `Bearer ${sessionToken}` },
    });
    expect(res.status).toBe(400);
    const bad = await fetch(`${runtime.url}/webchat/messages?order=sideways`, {
      headers: { authorization: `Bearer ${sessionToken}` },
    });
    expect(bad.status).toBe(400);
  });
});
