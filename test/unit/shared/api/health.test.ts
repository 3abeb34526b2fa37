import { DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { HEALTH_KEEP_MS, healthCheck } from '#shared/api/health.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { probeTable } from '#shared/store/table-probe.js';
import { mockAws } from '../../../support/aws-mock.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };

/** A clock the test moves. */
function testClock() {
  let now = Date.parse('2026-12-07T10:00:00Z');
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

/** The agent app with the health check over the table's probe (DynamoDB mocked at the SDK client). */
function appWith(clock = testClock()) {
  return createAgentApp(untouchedAgentDeps({ clock, health: healthCheck(() => probeTable(db), clock) }));
}

/**
 * SRE review: on AWS nothing answered an uptime monitor (the local `/health` checks nothing and is not
 * routed there). `GET /api/health` answers without a token whether the table answers, one read per
 * 10 s an instance however often it is asked.
 */
describe('GET /api/health', () => {
  beforeEach(() => ddb.reset());

  it('answers 200 without a token when the table answers: one eventually consistent GetItem of an empty key', async () => {
    ddb.on(GetCommand).resolves({});
    const res = await appWith().request('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ ok: true, checks: { table: 'ok' } });
    const calls = ddb.commandCalls(GetCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { TableName: 'threadline', Key: { pk: 'HEALTH', sk: 'HEALTH' }, ProjectionExpression: 'pk' },
    ]);
  });

  it('answers 503 naming the table when it does not answer, never the error', async () => {
    ddb.on(GetCommand).rejects(
      new ResourceNotFoundException({
        message: 'Requested resource not found: arn:aws:dynamodb:secret',
        $metadata: {},
      }),
    );
    const res = await appWith().request('/api/health');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ok: false, checks: { table: 'unreachable' } });
    expect(text).not.toMatch(/arn|Requested/);
  });

  it('reads the table once per 10 s however often it is asked, at once or in turn', async () => {
    ddb.on(GetCommand).resolves({});
    const clock = testClock();
    const app = appWith(clock);
    const answers = await Promise.all(Array.from({ length: 50 }, () => app.request('/api/health')));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    clock.advance(HEALTH_KEEP_MS - 1);
    await app.request('/api/health');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    clock.advance(1);
    ddb.on(GetCommand).rejects(new Error('network down'));
    expect((await app.request('/api/health')).status).toBe(503);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('answers HEAD as GET, and refuses other methods', async () => {
    ddb.on(GetCommand).resolves({});
    const app = appWith();
    const head = await app.request('/api/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await app.request('/api/health', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is no route without a health check: the guard answers as for any path', async () => {
    const res = await createAgentApp(untouchedAgentDeps()).request('/api/health');
    expect(res.status).toBe(401);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});
