import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { agentsApp } from '#shared/api/agents.js';
import { createAgentApp } from '#shared/api/app.js';
import { auditApp } from '#shared/api/audit.js';
import { automationsApp } from '#shared/api/automations.js';
import { conversationsApp } from '#shared/api/conversations.js';
import { csatResponsesApp } from '#shared/api/csat-responses.js';
import { customerImportApp } from '#shared/api/customer-import.js';
import { customerMergesApp } from '#shared/api/customer-merges.js';
import { customersApp } from '#shared/api/customers.js';
import type { AgentAppDeps, ApiDeps } from '#shared/api/deps.js';
import { openApiDocument } from '#shared/api/docs.js';
import { eventsApp } from '#shared/api/events.js';
import { exportsApp } from '#shared/api/exports.js';
import { mediaApp } from '#shared/api/media.js';
import { metricsApp } from '#shared/api/metrics.js';
import { policyApp } from '#shared/api/policy.js';
import { createRouter } from '#shared/api/router.js';
import { apiSections } from '#shared/api/sections.js';
import { webhooksApp } from '#shared/api/webhooks.js';
import { type EventType, EventTypeSchema, eventSchema } from '#shared/domain/events/integration-events.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import { ReplyRefusalSchema } from '#shared/domain/replies.js';

const deps: AgentAppDeps = {
  store: {} as never,
  admin: {} as never,
  audit: {} as never,
  replies: {} as never,
  clock: { now: () => new Date() },
  authenticate: async (token) => (token === 'admin' ? { agentId: 'a1', admin: true } : undefined),
  phone: {},
};
const withAll: ApiDeps = {
  ...deps,
  webhooks: {} as never,
  live: { events: {} as never },
  cursors: pageCursors(undefined),
};
const app = createAgentApp(deps);

type Operation = {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: unknown }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, unknown> };
  [key: string]: unknown;
};

const document = async (): Promise<Document> =>
  (await app.request('/api/openapi.json')).json() as Promise<Document>;

/** Every route the app's sections serve (each section's sub-apps, mounted at `/api`). */
async function sectionRoutes(from: ApiDeps): Promise<Array<{ method: string; path: string }>> {
  const routes = [];
  for (const section of apiSections(from)) {
    for (const sub of section.subApps()) {
      routes.push(...sub.routes.map((r) => ({ method: r.method, path: `/api${r.path}` })));
    }
  }
  return routes.filter((r) => r.method !== 'ALL');
}

describe('OpenAPI document', () => {
  it.each([
    ['the agent API', { ...deps, cursors: pageCursors(undefined) }],
    ['the agent API with webhooks and live events', withAll],
  ])('documents every route %s serves, and no other', async (_name, from) => {
    const served = new Set(
      [...createAgentApp(from).routes, ...(await sectionRoutes(from))]
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
        .filter((r) => !['/api/openapi.json', '/api/docs', '/api/outbox'].includes(r.path))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const response = await createAgentApp(from).request('/api/openapi.json');
    const { paths } = (await response.json()) as Document;
    const documented = new Set(
      Object.entries(paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('is served without a token, with the docs page that renders it', async () => {
    const doc = await app.request('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const page = await app.request('/api/docs');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain("fetch('openapi.json')");
  });

  it('takes the reply body from the schema the route validates with', async () => {
    const { paths } = await document();
    const body = JSON.stringify(paths['/api/conversations/{id}/replies']?.post?.requestBody);
    for (const field of ['text', 'channel', 'template', 'attachments']) expect(body).toContain(`"${field}"`);
  });

  it('documents every request body as refusing unknown keys, nested objects included', async () => {
    const { paths } = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    /** The paths inside a schema of every object that does not say `additionalProperties: false`. */
    const open = (schema: unknown, at: string): string[] => {
      if (!schema || typeof schema !== 'object') return [];
      const node = schema as Record<string, unknown>;
      const own = node.type === 'object' && node.additionalProperties !== false ? [at] : [];
      return [...own, ...Object.entries(node).flatMap(([key, value]) => open(value, `${at}.${key}`))];
    };
    const bodies = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.requestBody] as const),
    );
    expect(bodies.filter(([, body]) => body).length).toBeGreaterThan(15);
    expect(bodies.flatMap(([name, body]) => open(body, name))).toEqual([]);
  });

  /** Each operation's id, pinned: a client generated from the document keeps its method names. */
  const OPERATION_IDS = {
    'POST /api/webhooks': 'createWebhook',
    'GET /api/webhooks': 'listWebhooks',
    'GET /api/webhooks/{id}': 'getWebhook',
    'DELETE /api/webhooks/{id}': 'deleteWebhook',
    'PATCH /api/webhooks/{id}': 'updateWebhook',
    'POST /api/webhooks/{id}/rotate-secret': 'rotateWebhookSecret',
    'GET /api/webhooks/{id}/deliveries': 'listWebhookDeliveries',
    'POST /api/webhooks/{id}/deliveries/{deliveryId}/replay': 'replayWebhookDelivery',
    'POST /api/webhooks/{id}/replay': 'replayFailedWebhookDeliveries',
    'POST /api/webhooks/{id}/enable': 'enableWebhook',
    'POST /api/webhooks/{id}/disable': 'disableWebhook',
    'GET /api/events': 'listLiveEvents',
    'GET /api/customers': 'searchCustomers',
    'GET /api/customers/{id}': 'getCustomer',
    'DELETE /api/customers/{id}': 'eraseCustomer',
    'PATCH /api/customers/{id}': 'updateCustomer',
    'GET /api/customers/{id}/timeline': 'getCustomerTimeline',
    'GET /api/customers/{id}/timeline/{itemId}/attachments/{index}': 'getTimelineAttachment',
    'GET /api/customers/{id}/timeline/{itemId}/recording': 'getTimelineRecording',
    'GET /api/customers/{id}/channels': 'listReplyChannels',
    'GET /api/customers/{id}/export': 'exportCustomer',
    'PUT /api/customers/{id}/tags': 'setCustomerTags',
    'PATCH /api/customers/{id}/tags': 'changeCustomerTags',
    'POST /api/customers/{id}/merge': 'mergeCustomers',
    'POST /api/customers/{id}/unmerge': 'unmergeCustomers',
    'GET /api/customers/{id}/suggestions': 'listMergeSuggestions',
    'POST /api/customers/{id}/suggestions/{otherId}/accept': 'acceptMergeSuggestion',
    'POST /api/customers/{id}/suggestions/{otherId}/dismiss': 'dismissMergeSuggestion',
    'GET /api/conversations': 'listInbox',
    'GET /api/conversations/{id}': 'getConversation',
    'POST /api/conversations/{id}/replies': 'replyToConversation',
    'POST /api/conversations/{id}/notes': 'addNote',
    'POST /api/conversations/{id}/assign': 'assignConversation',
    'POST /api/conversations/{id}/resolve': 'resolveConversation',
    'POST /api/conversations/{id}/reopen': 'reopenConversation',
    'POST /api/conversations/{id}/snooze': 'snoozeConversation',
    'POST /api/conversations/{id}/wake': 'wakeConversation',
    'POST /api/automations/dry-run': 'dryRunAutomations',
    'GET /api/agents': 'listAgents',
    'GET /api/agents/removed': 'listRemovedAgents',
    'GET /api/me': 'getMe',
    'PUT /api/agents/me': 'updateMyAgent',
    'DELETE /api/agents/{id}': 'removeAgent',
    'POST /api/agents/{id}/restore': 'restoreAgent',
    'GET /api/metrics': 'getMetrics',
    'GET /api/csat/responses': 'listCsatResponses',
    'GET /api/policy': 'getPolicy',
    'GET /api/audit': 'listAudit',
    'GET /api/exports/{id}': 'getExport',
    'POST /api/customers/import': 'importCustomers',
  };

  it('names every operation with a unique operationId, the same from version to version', async () => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    const named = (item: Record<string, Record<string, Operation>> | undefined, prefix = '') =>
      Object.entries(item ?? {}).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => [
          `${prefix}${method.toUpperCase()} ${path}`,
          op.operationId,
        ]),
      );
    expect(Object.fromEntries(named(doc.paths))).toEqual(OPERATION_IDS);
    const ids = [...named(doc.paths), ...named(doc.webhooks, 'webhook ')].map(([, id]) => id);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]{2,63}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares the JSON schema of every success answer that has a body (a file: binary), so a generated client types it', async () => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    const untyped = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([status]) => status.startsWith('2') && status !== '204')
          .filter(([, answer]) => {
            const content = answer.content as
              | { 'application/json'?: { schema?: object }; 'application/octet-stream'?: { schema?: object } }
              | undefined;
            // A file's answer (the media routes) is bytes, declared as such.
            const file = content?.['application/octet-stream']?.schema;
            if (file) return JSON.stringify(file) !== '{"type":"string","format":"binary"}';
            return Object.keys(content?.['application/json']?.schema ?? {}).length === 0;
          })
          .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    );
    expect(untyped).toEqual([]);
  });

  it("lists on every operation the 429 of API Gateway's throttle, with the body API Gateway answers", async () => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const throttled = op.responses['429'] as
          | { description: string; content?: { 'application/json'?: { schema?: object } } }
          | undefined;
        expect(throttled?.description, `${method} ${path}`).toMatch(/Too Many Requests/);
        expect(throttled?.content?.['application/json']?.schema, `${method} ${path}`).toMatchObject({
          properties: { message: { type: 'string' } },
          required: ['message'],
        });
      }
    }
  });

  it('lists 415 unsupported_media_type, with the error body, on every operation that takes a body and no other', async () => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );
    const withBody = operations.filter(({ op }) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(15);
    for (const { name, op } of operations) {
      const answer = op.responses['415'] as { description: string; content?: unknown } | undefined;
      expect(Boolean(answer), name).toBe(Boolean(op.requestBody));
      if (!answer) continue;
      expect(answer.description, name).toContain('application/json');
      expect(JSON.stringify(answer.content), name).toContain('"error"');
    }
  });

  it('marks a request body required only on the routes that need one (not erase, reopen, resolve...)', async () => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    const required = (path: string, method: string) =>
      (doc.paths[path]?.[method]?.requestBody as { required?: boolean } | undefined)?.required;
    expect(required('/api/customers/{id}', 'delete')).toBe(false);
    expect(required('/api/conversations/{id}/reopen', 'post')).toBe(false);
    expect(required('/api/conversations/{id}/resolve', 'post')).toBe(false);
    expect(required('/api/customers/{id}/merge', 'post')).toBe(true);
    expect(required('/api/conversations/{id}/replies', 'post')).toBe(true);
  });

  it('names its server relative to where it is served, so a client built from it calls the same host', async () => {
    const doc = await document();
    expect(doc.servers).toEqual([{ url: '/', description: expect.stringContaining('/api') }]);
  });

  /** The examples an integrator starts from: where they are, each valid against the schema shown beside it. */
  const EXAMPLES = [
    ['GET /api/customers', '200'],
    ['GET /api/customers/{id}', '200'],
    ['GET /api/conversations', '200'],
    ['GET /api/conversations/{id}', '200'],
    ['POST /api/conversations/{id}/replies', 'request'],
    ['POST /api/conversations/{id}/replies', '202'],
    ['GET /api/events', '200'],
    ['POST /api/webhooks', 'request'],
    ['POST /api/webhooks', '201'],
    ['GET /api/webhooks', '200'],
    ['PATCH /api/webhooks/{id}', 'request'],
    ['PATCH /api/webhooks/{id}', '200'],
  ] as const;

  it.each(EXAMPLES)('shows an example of %s %s that its schema accepts', async (operation, which) => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    const [method, path] = operation.split(' ') as [string, string];
    const op = doc.paths[path]?.[method.toLowerCase()] as Operation;
    const media = (
      (which === 'request' ? op.requestBody : op.responses[which]) as {
        content: { 'application/json': { schema: object; example?: unknown } };
      }
    ).content['application/json'];
    expect(media.example, `${operation} ${which}`).toBeDefined();
    const parsed = z.fromJSONSchema(media.schema as never).safeParse(media.example);
    expect(parsed.error?.issues ?? [], `${operation} ${which}`).toEqual([]);
  });

  it.each(['message.received', 'conversation.resolved', 'customer.created'])(
    'shows an example %s event that its schema accepts, and its mapper schema too',
    async (type) => {
      const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
      const post = doc.webhooks?.[type]?.post as Operation;
      const media = (
        post.requestBody as {
          content: { 'application/json': { schema: { $ref: string }; example?: unknown } };
        }
      ).content['application/json'];
      const schema = doc.components.schemas?.[media.schema.$ref.split('/').pop() ?? ''];
      expect(z.fromJSONSchema(schema as never).safeParse(media.example).error?.issues ?? []).toEqual([]);
      expect(
        eventSchema(type as EventType)
          .strict()
          .safeParse(media.example).error?.issues ?? [],
      ).toEqual([]);
    },
  );

  it('describes the signed body of every event an integrator can subscribe to, under webhooks', async () => {
    const doc = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    expect(Object.keys(doc.webhooks ?? {}).sort()).toEqual([...EventTypeSchema.options].sort());
    for (const type of EventTypeSchema.options) {
      const post = doc.webhooks?.[type]?.post as Operation & {
        requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
      };
      const ref = post.requestBody.content['application/json'].schema.$ref;
      const schema = doc.components.schemas?.[ref.replace('#/components/schemas/', '')] as {
        properties: { type: { const: string }; data: { required: string[] } };
      };
      expect(schema.properties.type.const).toBe(type);
      expect(schema.properties.data.required).toContain('customerId');
      expect(post.parameters?.map((p) => p.name)).toEqual([
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
      ]);
    }
  });

  /** Names the document uses for closed sets: each must publish its values, never a plain string. */
  const CLOSED_SETS = new Set([
    'action',
    'author',
    'channel',
    'channels',
    'contentType',
    'direction',
    'kind',
    'metric',
    'presence',
    'previousStatus',
    'priority',
    'reason',
    'sort',
    'status',
    'tag',
    'target',
    'type',
    'waitingOn',
  ]);

  it('publishes every closed set of the agent API as an enum of its values, and each record keyed by one', async () => {
    const { paths } = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    /** Whether a schema lists its values: an enum, a const, or a choice of those (null allowed). */
    const listed = (schema: Record<string, unknown>): boolean => {
      if (schema.enum || schema.const !== undefined || schema.type === 'null') return true;
      if (schema.items) return listed(schema.items as Record<string, unknown>);
      const choices = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
      return Boolean(choices?.every(listed));
    };
    /** The paths of every closed set's property that does not list its values. */
    const plain = (node: unknown, at: string): string[] => {
      if (!node || typeof node !== 'object') return [];
      const own = Object.entries(
        ((node as { properties?: object }).properties ?? {}) as Record<string, never>,
      )
        .filter(([name, schema]) => CLOSED_SETS.has(name) && !listed(schema))
        .map(([name]) => `${at}.${name}`);
      return [...own, ...Object.entries(node).flatMap(([key, value]) => plain(value, `${at}.${key}`))];
    };
    const found = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => plain(op, `${method.toUpperCase()} ${path}`)),
    );
    expect(found).toEqual([]);
    const metrics = JSON.stringify(paths['/api/metrics']?.get?.responses['200']);
    expect(metrics).toContain(`"handoffReasons":{"type":"object","propertyNames":{"type":"string","enum":`);
    // Every routing reason, the AI answer limit's among them.
    expect(metrics).toContain('"ai_answer_limit"');
  });

  it("lists in each reply channel's reason every code the reply rules refuse with", async () => {
    const { paths } = (await (await createAgentApp(withAll).request('/api/openapi.json')).json()) as Document;
    const answer = paths['/api/customers/{id}/channels']?.get?.responses['200']?.content as {
      'application/json': { schema: { items: { properties: { reason: { enum: string[] } } } } };
    };
    expect(answer['application/json'].schema.items.properties.reason.enum.sort()).toEqual(
      [...ReplyRefusalSchema.options].sort(),
    );
  });

  it('is the document of every sub-app mounted at once, as before the sections were built on demand', async () => {
    const eager = createRouter();
    for (const sub of [
      webhooksApp(withAll, {} as never),
      eventsApp(withAll, { events: {} as never }),
      customerImportApp(withAll),
      customersApp(withAll),
      customerMergesApp(withAll),
      mediaApp(withAll),
      conversationsApp(withAll),
      automationsApp(withAll),
      agentsApp(withAll),
      metricsApp(withAll),
      csatResponsesApp(withAll),
      policyApp(withAll),
      auditApp(withAll),
      exportsApp(withAll),
    ]) {
      eager.route('/api', sub);
    }
    const served = await (await createAgentApp(withAll).request('/api/openapi.json')).text();
    expect(served).toBe(JSON.stringify(openApiDocument(eager)));
  });

  it('answers every documented route through the app, behind the token check', async () => {
    const lazy = createAgentApp(withAll);
    const { paths } = (await (await lazy.request('/api/openapi.json')).json()) as Document;
    const operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace(/{\w+}/g, 'x1'),
      })),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const { method, path } of operations) {
      const anonymous = await lazy.request(path, { method });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const answered = await lazy.request(path, { method, headers: { Authorization: 'Bearer admin' } });
      const body = (await answered.json()) as { error?: { message: string } };
      expect(body.error?.message, `${method} ${path}`).not.toBe('no such route');
    }
  });
});
