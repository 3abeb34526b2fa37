import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const AGENT = agentToken('statuses-agent-token');
const ADMIN = agentToken('statuses-admin-token');
/** One byte over the agent API's body limit. */
const OVERSIZED = 'x'.repeat(1_048_577);

type Operation = {
  requestBody?: unknown;
  responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };
type Answer = { status: number; body: unknown };
type Probe = { label: string; token?: string; path: string; body?: string; query?: string; type?: string };

/**
 * Walks the served OpenAPI document and drives every route through the local runtime with what
 * clients get wrong (no token, an agent's token, a bad id, an unknown or erased customer, a body that is
 * not JSON, one over the limit): every answer's status must be one the document lists for the route,
 * and every error must have the error body. A status a route gains without its declaration fails here.
 */
describe('local runtime: every status a route answers is in the OpenAPI document', () => {
  let runtime: LocalRuntime;
  let doc: Document;
  const ids = { alive: '', other: '', erased: '', conversation: '', erasedConversation: '' };
  let erasure: Answer;

  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: string,
    type = 'application/json',
  ): Promise<Answer> => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': type }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    // Each reading of the clock a millisecond later: audit records of consecutive calls never share a time.
    const ticks = (function* () {
      for (let at = Date.parse('2025-06-10T09:00:00.000Z'); ; at += 1) yield new Date(at);
    })();
    runtime = await startTestRuntime({
      clock: { now: () => ticks.next().value as Date },
      env: { AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ADMIN}:admin` },
      queue: { visibilityTimeoutMs: 500 },
      events: true,
    });
    const phones = ['+16505550101', '+16505550102', '+16505550103'];
    await runtime.inbound.send(
      phones.map((value, i) =>
        JSON.stringify(inboundText({ providerMessageId: `wamid.S${i}`, customer: { kind: 'phone', value } })),
      ),
    );
    await runtime.idle();
    const [alive, other, erased] = await Promise.all(
      phones.map(async (q) => {
        const found = await call('GET', `/api/customers?q=${encodeURIComponent(q)}`, AGENT);
        return ((found.body as { items: Customer[] }).items[0] as Customer).id;
      }),
    );
    const openConversationOf = async (id = '') =>
      ((await call('GET', `/api/customers/${id}`, AGENT)).body as { openConversation: Conversation })
        .openConversation.id;
    Object.assign(ids, { alive, other, erased });
    ids.conversation = await openConversationOf(alive);
    ids.erasedConversation = await openConversationOf(erased);
    erasure = await call('DELETE', `/api/customers/${erased}`, ADMIN);
    expect(erasure.status).toBe(200);
    doc = (await call('GET', '/api/openapi.json')).body as Document;
  });

  afterAll(async () => {
    await runtime?.close();
  });

  /** A body the route accepts, so that a probe of its ids gets past the body's check. */
  const sampleBody = (template: string, method: string): string => {
    const samples: Record<string, unknown> = {
      'post /api/customers/{id}/merge': { customerId: ids.other },
      'post /api/customers/{id}/unmerge': { customerId: ids.other },
      'put /api/customers/{id}/tags': { tags: ['vip'] },
      'patch /api/customers/{id}/tags': { add: ['vip'] },
      'patch /api/customers/{id}': { name: 'Renamed' },
    };
    return JSON.stringify(samples[`${method} ${template}`] ?? {});
  };

  /** The path with each `{param}` filled: customer ids with the alive pair, the others with unknown ids. */
  const fill = (template: string, over: Record<string, string> = {}) =>
    template.replace(/{(\w+)}/g, (_all, name: string) => {
      if (over[name] !== undefined) return over[name];
      // A timeline item's file: a message of the alive customer's, which has no attachment (404).
      if (name === 'itemId') return encodeURIComponent('whatsapp:wamid.S0');
      if (name === 'index') return '0';
      if (template.startsWith('/api/customers/')) return name === 'otherId' ? ids.other : ids.alive;
      if (template.startsWith('/api/conversations/')) return ids.conversation;
      return name === 'deliveryId' ? `msg_${'A'.repeat(33)}` : 'unknown1';
    });

  /** What each route is driven with. */
  function probes(template: string, method: string, op: Operation): Probe[] {
    const params = [...template.matchAll(/{(\w+)}/g)].map((m) => m[1] as string);
    const hasBody = method !== 'get';
    const sample = hasBody ? sampleBody(template, method) : undefined;
    const list: Probe[] = [
      { label: 'no token', path: fill(template) },
      { label: "an agent's token", token: AGENT, path: fill(template), ...(sample && { body: sample }) },
      ...params.map((name) => ({
        label: `bad ${name}`,
        token: ADMIN,
        path: fill(template, { [name]: 'a.b' }),
        ...(sample && { body: sample }),
      })),
    ];
    const ofId: ReadonlyArray<readonly [string, string]> = template.startsWith('/api/customers/{id}')
      ? [
          ['unknown customer', 'cu_nope'],
          ['erased customer', ids.erased],
        ]
      : template.startsWith('/api/conversations/{id}')
        ? // The erasure removes the conversation itself: its link answers as an unknown one.
          [
            ['unknown conversation', 'cv_nope'],
            ["erased customer's conversation", ids.erasedConversation],
          ]
        : [];
    for (const [label, id] of ofId) {
      list.push({ label, token: ADMIN, path: fill(template, { id }), ...(sample && { body: sample }) });
    }
    if (hasBody) list.push({ label: 'oversized body', token: ADMIN, path: fill(template), body: OVERSIZED });
    if (op.requestBody) list.push({ label: 'not JSON', token: ADMIN, path: fill(template), body: '{' });
    if (op.requestBody) {
      const body = sample ?? '{}';
      list.push({ label: 'text/plain body', token: ADMIN, path: fill(template), body, type: 'text/plain' });
    }
    if (template === '/api/metrics') {
      for (const id of ['a.b', 'cu_nope', ids.erased]) {
        list.push({ label: `customerId ${id}`, token: ADMIN, path: template, query: `?customerId=${id}` });
      }
    }
    return list;
  }

  it('documents each answer of every route to bad ids, unknown and erased customers, bad and oversized bodies', async () => {
    const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
    const undocumented: string[] = [];
    const seen: Record<string, number> = {};
    const operations = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ template, method, op })),
    );
    expect(operations.length).toBeGreaterThan(30);
    // Erasure and merges last: the other probes need the customers as they are.
    operations.sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
    for (const { template, method, op } of operations) {
      for (const probe of probes(template, method, op)) {
        const answer = await call(
          method.toUpperCase(),
          probe.path + (probe.query ?? ''),
          probe.token,
          probe.body,
          probe.type,
        );
        const where = `${method.toUpperCase()} ${template} (${probe.label}): ${answer.status}`;
        seen[`${method.toUpperCase()} ${template} ${probe.label}`] = answer.status;
        if (!op.responses[String(answer.status)]) undocumented.push(where);
        // The error body, its code one the document lists for the status (`error.code`'s enum).
        const documented = op.responses[String(answer.status)]?.content?.['application/json']?.schema;
        if (answer.status >= 400) expect(ErrorSchema.safeParse(answer.body).success, where).toBe(true);
        if (answer.status >= 400 && documented) {
          const parsed = z
            .fromJSONSchema(documented as Parameters<typeof z.fromJSONSchema>[0])
            .safeParse(answer.body);
          expect(parsed.success, `${where} ${JSON.stringify(answer.body)}`).toBe(true);
        }
        expect(answer.status, where).toBeLessThan(500);
      }
    }
    expect(undocumented).toEqual([]);
    for (const [key, status] of Object.entries(seen)) {
      if (key.endsWith(' no token')) expect(status, key).toBe(401);
      if (key.endsWith(' oversized body')) expect(status, key).toBe(413);
      if (key.endsWith(' text/plain body')) expect(status, key).toBe(415);
      if (/ bad \w+$/.test(key) && !key.startsWith('GET /api/exports')) expect(status, key).toBe(400);
      if (key.endsWith(' unknown customer') && key.startsWith('GET')) expect(status, key).toBe(404);
      if (key.endsWith(' erased customer') && key.startsWith('GET')) expect(status, key).toBe(410);
    }
    expect(seen['GET /api/customers/{id}/suggestions unknown customer']).toBe(404);
    expect(seen["GET /api/conversations/{id} an agent's token"]).toBe(200);
    expect(seen['GET /api/conversations/{id} unknown conversation']).toBe(404);
    expect(seen["GET /api/conversations/{id} erased customer's conversation"]).toBe(404);
    expect(seen['GET /api/customers/{id}/timeline erased customer']).toBe(410);
    expect(seen['GET /api/metrics customerId a.b']).toBe(400);
    expect(seen[`GET /api/metrics customerId ${ids.erased}`]).toBe(410);
  }, 60_000);

  it('answers a documented path with a method it does not have 405 with Allow, mounted in the local server', async () => {
    for (const [method, path, token, allow] of [
      ['PATCH', '/api/me', AGENT, 'GET, HEAD'],
      ['POST', '/api/openapi.json', undefined, 'GET, HEAD'],
      ['GET', `/api/customers/${ids.alive}/merge`, ADMIN, 'POST'],
    ] as const) {
      const res = await fetch(`${runtime.url}${path}`, {
        method,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 405, allow]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    }
    expect((await call('PATCH', '/api/nothing', AGENT)).status).toBe(404);
  });

  it('answers GET /api/metrics in the shape its 200 documents, overall and for one customer', async () => {
    const schema = doc.paths['/api/metrics']?.get?.responses['200']?.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    const documented = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    for (const query of ['', `?customerId=${ids.alive}`, '?from=2025-06-01&to=2025-06-30']) {
      const answer = await call('GET', `/api/metrics${query}`, AGENT);
      expect(answer.status).toBe(200);
      const parsed = documented.safeParse(answer.body);
      expect(parsed.success, `${query}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('answers the erasure report and the export in the shapes their 200s document', async () => {
    const documented = (path: string, method: string) => {
      const schema = doc.paths[path]?.[method]?.responses['200']?.content?.['application/json']?.schema;
      expect(schema, `${method} ${path}`).toBeDefined();
      return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    };
    const answers: Array<[string, string, Answer]> = [
      ['/api/customers/{id}', 'delete', erasure],
      ['/api/customers/{id}/export', 'get', await call('GET', `/api/customers/${ids.alive}/export`, ADMIN)],
    ];
    for (const [path, method, answer] of answers) {
      expect(answer.status, path).toBe(200);
      const parsed = documented(path, method).safeParse(answer.body);
      expect(parsed.success, `${path}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    expect(erasure.body).toMatchObject({ customerIds: [ids.erased], complete: true });
  });

  it("audits an admin's export, erase, merge, unmerge and webhook call refused by the route's checks, with the code", async () => {
    const before = (await call('GET', '/api/audit?limit=200', ADMIN)).body as { items: AuditRecord[] };
    const refused: Array<[string, string, string | undefined, string, string[]]> = [
      ['GET', '/api/customers/a.b/export', undefined, 'export', []],
      ['DELETE', '/api/customers/a.b', undefined, 'erase', []],
      ['POST', `/api/customers/${ids.alive}/merge`, '{', 'merge', [ids.alive]],
      ['POST', `/api/customers/${ids.alive}/unmerge`, '{"customerId":"a.b"}', 'unmerge', [ids.alive]],
      ['POST', `/api/customers/a.b/merge`, JSON.stringify({ customerId: ids.other }), 'merge', []],
      ['DELETE', '/api/webhooks/a.b', undefined, 'webhook_delete', []],
    ];
    for (const [method, path, body] of refused) {
      expect((await call(method, path, ADMIN, body)).status, `${method} ${path}`).toBe(400);
    }
    const after = (await call('GET', '/api/audit?limit=200', ADMIN)).body as { items: AuditRecord[] };
    const known = new Set(before.items.map((r) => r.id));
    // The audit log's own reads are audited too (audit_read): only the refused calls are looked at.
    const added = after.items.filter((r) => !known.has(r.id) && r.action !== 'audit_read').reverse();
    expect(added.map((r) => [r.action, r.outcome, r.customerIds, r.agentId])).toEqual(
      refused.map(([, , , action, customerIds]) => [action, 'invalid_request', customerIds, 'admin-zoe']),
    );
  });
});
