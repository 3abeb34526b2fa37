import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentHeaderFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const ZOE = agentToken('webhook-preconditions-zoe');
const ANN = agentToken('webhook-preconditions-ann');
type Answer = { id: string; secret: string; events: string[]; error: { code: string; message: string } };

/**
 * A bot developer's findings: a rotation retried after a lost answer rotated again each time (the
 * receiver's secret dropped after the third), and an admin's edit made on a stale view replaced a
 * colleague's without a word. A rotation now takes an `Idempotency-Key`, and edits an `If-Match`.
 */
describe('local runtime: webhook rotations retried with a key, and edits on a stale ETag', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `zoe:${ZOE}:admin,ann:${ANN}:admin` },
      events: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const zoe = agentHeaderFetcher(() => runtime.url, ZOE);
  const ann = agentHeaderFetcher(() => runtime.url, ANN);
  const subscribe = async (path: string) => {
    const url = `http://127.0.0.1:3199/hooks/${path}`;
    const made = await zoe('POST', '/api/webhooks', {}, { url, events: ['message.received'] });
    expect(made.status).toBe(201);
    return (await made.json()) as Answer;
  };
  const body = async (res: Response) => (await res.json()) as Answer;
  const secretsOf = async (id: string) =>
    (await runtime.store.webhooks.getSubscription(id))?.secrets.map((s) => s.secret);

  it('rotates once for one Idempotency-Key, however often it is retried, and answers the same secret', async () => {
    const { id, secret: first } = await subscribe('rotated');
    const rotate = (key: string, as = zoe, path = id) =>
      as('POST', `/api/webhooks/${path}/rotate-secret`, { 'Idempotency-Key': key });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await rotate('rotate-1'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const secrets = await Promise.all(answers.map(async (a) => (await body(a)).secret));
    expect(new Set(secrets).size).toBe(1);
    // One rotation: the new secret and the receiver's first, which keeps signing beside it.
    expect(await secretsOf(id)).toEqual([secrets[0], first]);

    // Another admin's key is theirs: it rotates.
    const other = await rotate('rotate-1', ann);
    expect(other.status).toBe(200);
    expect((await body(other)).secret).not.toBe(secrets[0]);
    // The key sent again for another subscription is refused, and rotates nothing.
    const { id: second, secret: kept } = await subscribe('rotated-2');
    const reused = await rotate('rotate-1', zoe, second);
    expect([reused.status, (await body(reused)).error.code]).toEqual([422, 'idempotency_key_reused']);
    expect(await secretsOf(second)).toEqual([kept]);
    // Without a key a rotation rotates, as before.
    expect((await rotate('')).status).toBe(200);
    expect(await secretsOf(id)).toHaveLength(3);
  });

  it('answers an ETag, and refuses with 412 an edit or delete on a stale one; without If-Match as before', async () => {
    const { id } = await subscribe('edited');
    const path = `/api/webhooks/${id}`;
    const seenByZoe = (await zoe('GET', path, {})).headers.get('etag');
    const seenByAnn = (await ann('GET', path, {})).headers.get('etag');
    expect(seenByZoe).toMatch(/^"[^"]+"$/);
    expect(seenByAnn).toBe(seenByZoe);

    const zoes = { events: ['message.received', 'conversation.resolved'] };
    const edited = await zoe('PATCH', path, { 'If-Match': seenByZoe as string }, zoes);
    expect(edited.status).toBe(200);
    const now = edited.headers.get('etag');
    expect(now).not.toBe(seenByZoe);
    expect((await zoe('GET', path, {})).headers.get('etag')).toBe(now);

    // Ann edits on the view she read before Zoe's edit: refused, Zoe's events kept.
    const stale = await ann(
      'PATCH',
      path,
      { 'If-Match': seenByAnn as string },
      { events: ['csat.received'] },
    );
    expect(stale.status).toBe(412);
    expect((await body(stale)).error).toMatchObject({ code: 'precondition_failed' });
    expect((await body(await zoe('GET', path, {}))).events).toEqual(zoes.events);
    const staleDelete = await ann('DELETE', path, { 'If-Match': seenByAnn as string });
    expect(staleDelete.status).toBe(412);
    expect((await zoe('GET', path, {})).status).toBe(200);

    // No If-Match: the edit lands, as it did.
    const blind = await ann('PATCH', path, {}, { description: 'CRM' });
    expect(blind.status).toBe(200);
    const current = blind.headers.get('etag') as string;
    expect((await ann('DELETE', path, { 'If-Match': current })).status).toBe(204);
  });

  it('declares If-Match, ETag, 412 and the rotation’s Idempotency-Key in the OpenAPI document', async () => {
    const doc = (await (await zoe('GET', '/api/openapi.json', {})).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string }[];
            responses: Record<string, { headers?: Record<string, unknown> }>;
          }
        >
      >;
    };
    const one = doc.paths['/api/webhooks/{id}'];
    const headers = (op?: { parameters?: { name: string; in: string }[] }) =>
      (op?.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers(one?.patch)).toContain('If-Match');
    expect(headers(one?.delete)).toContain('If-Match');
    expect(one?.patch?.responses['412']).toBeDefined();
    expect(one?.get?.responses['200']?.headers).toHaveProperty('ETag');
    expect(one?.patch?.responses['200']?.headers).toHaveProperty('ETag');
    const rotate = doc.paths['/api/webhooks/{id}/rotate-secret']?.post;
    expect(headers(rotate)).toContain('Idempotency-Key');
    expect(rotate?.responses['422']).toBeDefined();
  });
});
