import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { idempotentWebhookId } from '#shared/app/create-webhook.js';
import type { Envelope } from '#shared/domain/envelope.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { waitUntil } from '../support/webhooks.js';
import { envelope } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('responses-admin-token');
const AGENT = agentToken('responses-agent-token');

type Schema = Record<string, unknown>;
type Operation = {
  operationId: string;
  responses: Record<string, { content?: { 'application/json'?: { schema: Schema } } }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };
type Answer = { status: number; body: unknown; text: string };

/**
 * The document's schema as a validator that refuses any field it does not name and any value of a
 * closed set it does not list (`x-extensible-enum` read as `enum`): a generated client that trusts the
 * document then meets nothing it was not told of. The document leaves some objects open (a profile's
 * attributes in an export), which stay open.
 */
function closed(schema: unknown): z.ZodType {
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node).map(([k, v]) => [k === 'x-extensible-enum' ? 'enum' : k, close(v)]);
    const out = Object.fromEntries(entries) as Schema;
    return 'properties' in out && !('additionalProperties' in out)
      ? { ...out, additionalProperties: false }
      : out;
  };
  return z.fromJSONSchema(close(schema) as Parameters<typeof z.fromJSONSchema>[0]);
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const received = { receivedAt: minutesAgo(0), rawRef: 'test#/' };
const message = (id: string, channel: string, customer: { kind: string; value: string }, text: string) =>
  envelope({
    ...received,
    id: `${channel}:msg:${id}`,
    provider: { whatsapp: 'whatsapp', sms: 'twilio', email: 'ses' }[channel],
    channel,
    kind: 'message',
    direction: 'inbound',
    providerMessageId: id,
    occurredAt: minutesAgo(5),
    customer,
    profileName: 'Dana Scully',
    contentType: 'text',
    text,
    ...(channel === 'email' ? { data: { messageId: `<${id}@example.com>` } } : {}),
  });

/**
 * An integrator's typed client trusts the OpenAPI document: every answer a call gives must be in the
 * shape the document shows for its status. This drives every documented operation through the local
 * runtime, in states that fill in the optional parts (an assigned, snoozed, resolved and merged
 * conversation, a suggestion, a webhook with deliveries, an export written aside), and checks each
 * answer against its status's schema, closed: a field the document does not name, a value it does not
 * list, a body where it documents none (or none where it documents one) fails, naming the call.
 * An operation added to the document without a row here fails too.
 */
describe('local runtime: every answer has the shape the OpenAPI document shows for its status', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let doc: Document;

  beforeAll(async () => {
    receiver = await startReceiver();
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-zoe:${ADMIN}:admin,agent-ana:${AGENT}`, EXPORT_INLINE_BYTES: '2048' },
      queue: { visibilityTimeoutMs: 500 },
      events: true,
      live: true,
      conversationClock: true,
    });
    doc = (await (await fetch(`${runtime.url}/api/openapi.json`)).json()) as Document;
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const deliver = async (...envelopes: Envelope[]) => {
    await runtime.inbound.send(envelopes.map((e) => JSON.stringify(e)));
    await runtime.idle();
  };

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token = ADMIN,
    key = 'responses-1',
  ): Promise<Answer> => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(path.endsWith('/replies') ||
        path.endsWith('/notes') ||
        (method === 'POST' && path === '/api/webhooks')
          ? { 'idempotency-key': key }
          : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };

  /** The document's operation a call is of: its path template matched, the method's. */
  const operationOf = (method: string, path: string): [string, Operation] | undefined => {
    const bare = path.split('?')[0] as string;
    const template = Object.keys(doc.paths).find((t) =>
      new RegExp(`^${t.replace(/{\w+}/g, '[^/]+')}$`).test(bare),
    );
    const op = template ? doc.paths[template]?.[method.toLowerCase()] : undefined;
    return template && op ? [template, op] : undefined;
  };

  /**
   * What is wrong with an answer against the document, or undefined: its operation or status not in it,
   * a body where it shows none, or a body outside its schema (closed). Notes the operation as covered.
   */
  const shapeProblem = (method: string, path: string, answer: Answer, covered: Set<string>) => {
    const where = `${method} ${path}: ${answer.status} ${answer.text.slice(0, 300)}`;
    const found = operationOf(method, path);
    if (!found) return `not in the document: ${where}`;
    const [, op] = found;
    covered.add(op.operationId);
    const documented = op.responses[String(answer.status)];
    if (!documented) return `not a documented status: ${where}`;
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return answer.text ? `a body where the document has none: ${where}` : undefined;
    const parsed = closed(schema).safeParse(answer.body);
    if (parsed.success) return undefined;
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`);
    return `${where}\n    ${issues.join('\n    ')}`;
  };

  /** The codes the document lists for the operation's error answer of `status` (its `error.code` enum). */
  const documentedCodes = (method: string, path: string, status: number): string[] => {
    type Node = { properties?: Record<string, Node>; enum?: string[] };
    const answer = operationOf(method, path)?.[1].responses[String(status)];
    const schema = answer?.content?.['application/json']?.schema as Node | undefined;
    return schema?.properties?.error?.properties?.code?.enum ?? [];
  };

  it('answers every documented operation in its documented shape', async () => {
    // Subscribed first: the feed's list of subscriptions (cached a second) has it from its first read.
    const hook = (await call('POST', '/api/webhooks', { url: receiver.url, events: ['message.sent'] }))
      .body as {
      id: string;
    };
    const phone = { kind: 'phone', value: '+14155550100' };
    await deliver(
      message('wamid.R1', 'whatsapp', phone, 'My parcel is late'),
      message('SMR1', 'sms', phone, 'Any news?'),
      message(
        'ses-R1',
        'email',
        { kind: 'email', value: 'dana@example.com' },
        'My number is +1 415 555 0100.',
      ),
      message('ses-R2', 'email', { kind: 'email', value: 'fox@example.com' }, 'Call me on +1 415 555 0100.'),
      message('wamid.R2', 'whatsapp', { kind: 'phone', value: '+14155550199' }, 'Hello there'),
    );
    const search = async (q: string) =>
      (
        (await call('GET', `/api/customers?q=${encodeURIComponent(q)}`)).body as {
          items: Array<{ id: string }>;
        }
      ).items[0]?.id as string;
    const dana = await search('+14155550100');
    const mail = await search('dana@example.com');
    const fox = await search('fox@example.com');
    const other = await search('+14155550199');
    const conversationOf = async (id: string) =>
      ((await call('GET', `/api/customers/${id}`)).body as { openConversationId: string }).openConversationId;
    const cv = await conversationOf(dana);
    const otherCv = await conversationOf(other);
    const since = (Date.now() - 60_000) * 1000;

    // Calls in order, each answer checked: [method, path, body?, token?].
    const rows: Array<[string, string | (() => string), unknown?, string?]> = [
      ['GET', '/api/me'],
      ['PUT', '/api/agents/me', { presence: 'online', queues: ['general'], capacity: 5 }],
      ['PUT', '/api/agents/me', { queues: ['general'] }, AGENT],
      ['GET', '/api/agents'],
      ['GET', `/api/customers?q=${encodeURIComponent('+14155550100')}`],
      ['GET', '/api/customers?q=dana'],
      ['GET', `/api/customers/${dana}`],
      ['GET', `/api/customers/${dana}/suggestions`],
      ['PATCH', `/api/customers/${dana}`, { name: 'Dana K. Scully' }],
      ['PUT', `/api/customers/${dana}/tags`, { tags: ['vip'] }],
      ['PATCH', `/api/customers/${dana}/tags`, { add: ['b2b'], remove: ['vip'] }],
      ['GET', `/api/customers/${dana}/channels`],
      ['GET', `/api/conversations/${cv}`],
      [
        'POST',
        '/api/uploads',
        { customerId: dana, channel: 'email', name: 'a.pdf', type: 'application/pdf', size: 9 },
      ],
      ['POST', `/api/conversations/${cv}/replies`, { text: 'It left the warehouse today.' }],
      ['POST', `/api/conversations/${cv}/replies`, { text: 'It left the warehouse today.' }],
      ['POST', `/api/conversations/${cv}/notes`, { text: 'Promised a call back' }],
      // The same agent's retry of the same key: the first note, 200.
      ['POST', `/api/conversations/${cv}/notes`, { text: 'Promised a call back' }],
      [
        'POST',
        `/api/conversations/${otherCv}/assign`,
        { agentId: 'me', queue: 'general', expectedAssignee: '' },
      ],
      ['POST', '/api/automations/dry-run', { conversationId: cv }],
      ['GET', '/api/policy'],
      [
        'POST',
        `/api/conversations/${otherCv}/snooze`,
        { until: new Date(Date.now() + 3_600_000).toISOString() },
      ],
      ['GET', '/api/conversations?status=snoozed'],
      ['POST', `/api/conversations/${otherCv}/wake`],
      ['POST', `/api/conversations/${otherCv}/resolve`, { csat: false }],
      ['GET', '/api/conversations?status=resolved'],
      ['POST', `/api/conversations/${otherCv}/reopen`],
      ['GET', '/api/conversations'],
      ['GET', '/api/conversations?assignee=me&sort=due'],
      ['POST', `/api/customers/${dana}/suggestions/${fox}/dismiss`],
      ['POST', `/api/customers/${dana}/suggestions/${mail}/accept`],
      ['GET', `/api/customers/${mail}`],
      ['GET', `/api/customers/${dana}/timeline`],
      ['GET', `/api/customers/${dana}/timeline?order=newest&limit=3`],
      ['POST', `/api/customers/${dana}/unmerge`, { customerId: mail }],
      ['POST', `/api/customers/${dana}/merge`, { customerId: mail }],
      ['GET', `/api/metrics`],
      ['GET', `/api/metrics?customerId=${dana}`],
      ['GET', '/api/csat/responses'],
      ['GET', `/api/events?since=${since}`],
      ['GET', '/api/webhooks'],
      ['POST', '/api/webhooks', { url: receiver.url, events: ['message.sent'] }],
      [
        'PATCH',
        `/api/webhooks/${hook.id}`,
        { events: ['message.sent', 'csat.received'], description: 'CRM' },
      ],
      ['GET', `/api/webhooks/${hook.id}`],
      ['POST', `/api/webhooks/${hook.id}/rotate-secret`],
      ['GET', `/api/webhooks/${hook.id}/deliveries`],
      [
        'POST',
        () =>
          `/api/webhooks/${hook.id}/deliveries/${String(receiver.received[0]?.headers['webhook-id'])}/replay`,
      ],
      ['POST', `/api/webhooks/${hook.id}/replay`, { since: minutesAgo(60) }],
      ['POST', `/api/webhooks/${hook.id}/disable`],
      ['POST', `/api/webhooks/${hook.id}/enable`],
      ['GET', `/api/customers/${dana}/export`],
      ['GET', () => exportUrl],
      ['GET', '/api/audit'],
      ['DELETE', `/api/webhooks/${hook.id}`],
      ['DELETE', '/api/agents/agent-ana'],
      ['GET', '/api/agents/removed'],
      ['POST', '/api/agents/agent-ana/restore'],
      [
        'POST',
        '/api/customers/import',
        {
          customers: [
            { externalId: 'oa-1', name: 'Ida Import', phones: ['+14155550990'] },
            { externalId: 'oa 2' },
          ],
        },
      ],
      ['DELETE', `/api/customers/${other}`],
    ];
    let exportUrl = '';
    const wrong: string[] = [];
    const covered = new Set<string>();
    for (const [method, at, body, token] of rows) {
      if (at instanceof Function && at().includes('/deliveries/')) {
        await waitUntil(() => receiver.received.length > 0, 'a delivery of message.sent');
        await runtime.idle();
      }
      const path = at instanceof Function ? at() : at;
      const answer = await call(method, path, body, token);
      if (path.endsWith('/export') && answer.status === 202) exportUrl = (answer.body as { url: string }).url;
      const problem = shapeProblem(method, path, answer, covered);
      if (problem) wrong.push(problem);
      else if (answer.status >= 300)
        wrong.push(`not a success: ${method} ${path}: ${answer.status} ${answer.text}`);
    }
    // Refusals, each with the code the document lists for its status: [method, path, body, token, key, status, code].
    const template = { name: 'order_update', language: 'en' };
    const refusals: Array<[string, string, unknown, string, string, number, string]> = [
      [
        'POST',
        `/api/conversations/${cv}/replies`,
        { text: 'x'.repeat(1601), channel: 'sms' },
        ADMIN,
        'k1',
        422,
        'text_too_long',
      ],
      [
        'POST',
        `/api/conversations/${cv}/replies`,
        { template, channel: 'sms' },
        ADMIN,
        'k2',
        422,
        'content_not_supported',
      ],
      [
        'POST',
        `/api/conversations/${cv}/replies`,
        { template: { name: 'order_update', language: 'en-US' } },
        ADMIN,
        'k-template',
        422,
        'template_invalid',
      ],
      [
        'POST',
        `/api/conversations/${cv}/replies`,
        { text: 'Other words' },
        ADMIN,
        'responses-1',
        422,
        'idempotency_key_reused',
      ],
      [
        'POST',
        `/api/conversations/${cv}/notes`,
        { text: 'Other words' },
        ADMIN,
        'responses-1',
        422,
        'idempotency_key_reused',
      ],
      [
        'POST',
        `/api/conversations/${cv}/replies`,
        { text: 'hi', channel: 'messenger' },
        ADMIN,
        'k3',
        422,
        'no_address',
      ],
      [
        'POST',
        `/api/conversations/${cv}/replies`,
        { text: 'hi', channel: 'sms' },
        AGENT,
        'k4',
        409,
        'assignee_changed',
      ],
      ['POST', `/api/conversations/${cv}/assign`, { agentId: 'nobody' }, ADMIN, '', 422, 'unknown_agent'],
      ['POST', `/api/conversations/${cv}/assign`, { queue: 'nope' }, ADMIN, '', 422, 'unknown_queue'],
      ['GET', '/api/conversations?queue=nope', undefined, ADMIN, '', 422, 'unknown_queue'],
      [
        'POST',
        `/api/conversations/${cv}/assign`,
        { agentId: 'me', expectedAssignee: 'bob' },
        ADMIN,
        '',
        409,
        'assignee_changed',
      ],
      ['POST', `/api/conversations/${cv}/snooze`, { until: minutesAgo(1) }, ADMIN, '', 422, 'snooze_in_past'],
      [
        'POST',
        `/api/conversations/${cv}/snooze`,
        { until: '2099-01-01T00:00:00Z' },
        ADMIN,
        '',
        422,
        'snooze_too_long',
      ],
      ['POST', `/api/conversations/${cv}/wake`, undefined, ADMIN, '', 409, 'conversation_not_snoozed'],
      ['POST', `/api/conversations/${cv}/resolve`, undefined, ADMIN, '', 200, ''],
      [
        'POST',
        `/api/conversations/${cv}/snooze`,
        { until: new Date(Date.now() + 3_600_000).toISOString() },
        ADMIN,
        '',
        409,
        'conversation_not_open',
      ],
      ['PUT', '/api/agents/me', { queues: ['Nope'] }, ADMIN, '', 422, 'unknown_queue'],
      ['DELETE', '/api/agents/admin-zoe', undefined, ADMIN, '', 409, 'cannot_remove_self'],
      ['POST', '/api/webhooks', { url: receiver.url, events: ['message.sent'] }, ADMIN, 'w1', 201, ''],
      [
        'POST',
        '/api/webhooks',
        { url: receiver.url, events: ['message.sent'] },
        ADMIN,
        'w2',
        409,
        'webhook_exists',
      ],
      [
        'POST',
        '/api/webhooks',
        { url: receiver.url, events: ['csat.received'] },
        ADMIN,
        'w1',
        422,
        'idempotency_key_reused',
      ],
      ['POST', '/api/webhooks', { url: receiver.url, events: ['csat.received'] }, ADMIN, 'w3', 201, ''],
      [
        'PATCH',
        `/api/webhooks/${idempotentWebhookId('admin-zoe', 'w3')}`,
        { events: ['csat.received', 'message.sent'] },
        ADMIN,
        '',
        409,
        'webhook_exists',
      ],
      // w1 disabled, another takes message.sent at its URL: w1 may not come back to post it too.
      [
        'POST',
        `/api/webhooks/${idempotentWebhookId('admin-zoe', 'w1')}/disable`,
        undefined,
        ADMIN,
        '',
        200,
        '',
      ],
      ['POST', '/api/webhooks', { url: receiver.url, events: ['message.sent'] }, ADMIN, 'w4', 201, ''],
      [
        'POST',
        `/api/webhooks/${idempotentWebhookId('admin-zoe', 'w1')}/enable`,
        undefined,
        ADMIN,
        '',
        409,
        'webhook_exists',
      ],
      [
        'GET',
        `/api/events?since=${(Date.now() - 25 * 3_600_000) * 1000}`,
        undefined,
        ADMIN,
        '',
        410,
        'events_expired',
      ],
      ['POST', `/api/customers/${dana}/unmerge`, { customerId: fox }, ADMIN, '', 409, 'conflict'],
      ['DELETE', `/api/customers/${other}`, undefined, ADMIN, '', 410, 'gone'],
      // A text message has no file: the media routes answer 404 (test/integration/media.test.ts serves files).
      [
        'GET',
        `/api/customers/${dana}/timeline/sms%3ASMR1/attachments/0`,
        undefined,
        ADMIN,
        '',
        404,
        'not_found',
      ],
      ['GET', `/api/customers/${dana}/timeline/sms%3ASMR1/recording`, undefined, ADMIN, '', 404, 'not_found'],
    ];
    for (const [method, path, body, token, key, status, code] of refusals) {
      const answer = await call(method, path, body, token, key);
      const problem = shapeProblem(method, path, answer, covered);
      if (problem) wrong.push(problem);
      const got = [
        answer.status,
        (answer.body as { error?: { code: string } } | undefined)?.error?.code ?? '',
      ];
      if (got[0] !== status || got[1] !== code)
        wrong.push(`${method} ${path}: ${got.join(' ')}, not ${status} ${code}`);
      const listed = status >= 400 ? documentedCodes(method, path, status) : [code];
      if (!listed.includes(code))
        wrong.push(`${method} ${path}: ${status} ${code} not listed in the document`);
    }
    expect(wrong).toEqual([]);
    const operations = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((op) => op.operationId),
    );
    expect(operations.filter((id) => !covered.has(id))).toEqual([]);
  }, 120_000);
});
