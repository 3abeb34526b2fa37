import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { Subscription } from '#shared/domain/webhooks.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const AT = '2025-06-09T10:00:00.000Z';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const customer = {
  id: 'cu_1',
  identities: [],
  channels: [],
  mergedFrom: [],
  tags: [],
} as unknown as Customer;
const resolved: Conversation = {
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'resolved',
  createdAt: AT,
  channels: ['whatsapp'],
  channelSwitch: false,
};
const subscription: Subscription = {
  id: 'wh_1',
  url: 'https://hooks.example.com/t',
  events: ['message.received'],
  createdAt: AT,
  createdBy: 'admin-1',
  secrets: [{ secret: SECRET }],
  consecutiveFailures: 0,
};
const DELIVERY = `msg_${'a'.repeat(33)}`;

/** An agent app whose use cases only record that they ran: the calls under test must not reach them. */
async function world() {
  const ran: string[] = [];
  const audit = memoryAuditLog();
  const hooks = memoryWebhooks();
  await hooks.store.putSubscription(subscription);
  const store = {
    getCustomer: async (id: string) => (id === 'cu_1' ? customer : undefined),
    getConversation: async (id: string) => (id === 'cv_1' ? resolved : undefined),
    suggestions: async () => [
      { customerId: 'cu_1', otherId: 'cu_2', status: 'open', createdAt: AT, evidence: [] },
    ],
    isAgentRemoved: async () => false,
  } as Partial<AgentStore> as AgentStore;
  const admin = {
    erase: async (customerId: string) => {
      ran.push('erase');
      return { customerId, complete: true };
    },
    reopenConversation: async () => void ran.push('reopen'),
    merge: async () => void ran.push('merge'),
    dismissSuggestion: async () => void ran.push('dismiss'),
  } as unknown as AgentAdmin;
  const app = createAgentApp({
    store,
    admin,
    audit,
    replies: {} as never,
    clock: { now: () => new Date(AT) },
    authenticate: async (token) =>
      ({
        'admin-token': { agentId: 'admin-1', admin: true },
        'agent-token': { agentId: 'agent-7', admin: false },
      })[token],
    phone: {},
    outbox: { entries: () => [{ providerMessageId: 'SM1', sentAt: AT, message: { id: 'r1' } }] } as never,
    webhooks: {
      store: { ...hooks.store, isErased: async () => false },
      queue: hooks.queue,
      urls: { allowLoopbackHttp: false } as never,
      newId: () => 'wh_2',
      newSecret: () => `whsec_${Buffer.alloc(32, 8).toString('base64')}`,
    },
  });
  const call = (method: string, path: string, body?: string, token = 'admin-token') =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body } : {}),
    });
  return { app, ran, audit, hooks, call };
}

const BODYLESS: Array<[string, string, string, string | undefined]> = [
  ['DELETE', '/api/customers/cu_1', 'erase', 'erase'],
  ['POST', '/api/webhooks/wh_1/rotate-secret', 'rotate', 'webhook_rotate_secret'],
  ['DELETE', '/api/webhooks/wh_1', 'delete', 'webhook_delete'],
  ['POST', `/api/webhooks/wh_1/deliveries/${DELIVERY}/replay`, 'replay', 'webhook_replay'],
  ['POST', '/api/webhooks/wh_1/enable', 'enable', 'webhook_enable'],
  ['POST', '/api/webhooks/wh_1/disable', 'disable', 'webhook_disable'],
  ['POST', '/api/conversations/cv_1/reopen', 'reopen', undefined],
  ['POST', '/api/customers/cu_1/suggestions/cu_2/accept', 'merge', 'merge'],
  ['POST', '/api/customers/cu_1/suggestions/cu_2/dismiss', 'dismiss', undefined],
  ['DELETE', '/api/agents/agent-7', 'remove', 'agent_remove'],
  ['POST', '/api/agents/agent-7/restore', 'restore', 'agent_restore'],
];

describe('agent API: a route that takes no body', () => {
  it.each(BODYLESS)(
    '%s %s refuses a body that is not JSON or not empty, runs nothing, audits it',
    async (method, path, _run, action) => {
      for (const body of ['{"dryRun": true', '{{{{', '[1,', '{"dryRun":true}', '[]', 'null', '"x"']) {
        const { ran, audit, hooks, call } = await world();
        const res = await call(method, path, body);
        expect([body, res.status]).toEqual([body, 400]);
        expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
        expect(ran).toEqual([]);
        expect((await hooks.store.getSubscription('wh_1'))?.secrets).toEqual([{ secret: SECRET }]);
        expect(audit.records.map((r) => [r.action, r.outcome])).toEqual(
          action ? [[action, 'invalid_request']] : [],
        );
      }
    },
  );

  it.each(BODYLESS)(
    '%s %s refuses a body sent as another media type than JSON (415), runs nothing, audits it',
    async (method, path, _run, action) => {
      const { ran, audit, app } = await world();
      const res = await app.request(path, {
        method,
        headers: { authorization: 'Bearer admin-token', 'content-type': 'text/plain' },
        body: '{}',
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
      expect(ran).toEqual([]);
      expect(audit.records.map((r) => [r.action, r.outcome])).toEqual(
        action ? [[action, 'unsupported_media_type']] : [],
      );
    },
  );

  it('takes no body, an empty one or {}', async () => {
    for (const body of [undefined, '', '{}']) {
      const { ran, call } = await world();
      expect((await call('DELETE', '/api/customers/cu_1', body)).status).toBe(200);
      expect((await call('POST', '/api/conversations/cv_1/reopen', body)).status).toBe(200);
      expect((await call('POST', '/api/webhooks/wh_1/rotate-secret', body)).status).toBe(200);
      expect(ran).toEqual(['erase', 'reopen']);
    }
  });
});

describe('agent API: the local outbox', () => {
  it("GET /api/outbox is an admin's: every customer's outgoing messages are in it", async () => {
    const { call } = await world();
    const refused = await call('GET', '/api/outbox', undefined, 'agent-token');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    const read = await call('GET', '/api/outbox');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ items: [{ providerMessageId: 'SM1' }], cursor: null });
  });
});

describe('agent API: refused admin calls are audited', () => {
  it("records a non-admin attempt at an audited route as forbidden, with the valid ids of its path (a webhook's too)", async () => {
    const { ran, audit, call } = await world();
    const attempts: Array<[string, string, string?]> = [
      ['DELETE', '/api/customers/cu_1'],
      ['GET', '/api/customers/cu_1/export'],
      ['POST', '/api/customers/cu_1/merge', '{"customerId":"cu_2"}'],
      ['POST', '/api/customers/cu_1/suggestions/cu_2/accept'],
      ['POST', '/api/webhooks', '{"url":"https://x.example.com","events":["message.received"]}'],
      ['POST', '/api/webhooks/wh_1/rotate-secret'],
      ['DELETE', '/api/customers/..%2Fx'],
      ['GET', '/api/audit'],
      ['GET', '/api/webhooks'],
    ];
    for (const [method, path, body] of attempts) {
      expect([path, (await call(method, path, body, 'agent-token')).status]).toEqual([path, 403]);
    }
    expect(ran).toEqual([]);
    expect(audit.records.map(({ id: _id, ...r }) => r)).toEqual([
      { agentId: 'agent-7', action: 'erase', customerIds: ['cu_1'], at: AT, outcome: 'forbidden' },
      { agentId: 'agent-7', action: 'export', customerIds: ['cu_1'], at: AT, outcome: 'forbidden' },
      { agentId: 'agent-7', action: 'merge', customerIds: ['cu_1'], at: AT, outcome: 'forbidden' },
      { agentId: 'agent-7', action: 'merge', customerIds: ['cu_1', 'cu_2'], at: AT, outcome: 'forbidden' },
      { agentId: 'agent-7', action: 'webhook_create', customerIds: [], at: AT, outcome: 'forbidden' },
      {
        agentId: 'agent-7',
        action: 'webhook_rotate_secret',
        customerIds: [],
        webhookId: 'wh_1',
        at: AT,
        outcome: 'forbidden',
      },
      { agentId: 'agent-7', action: 'erase', customerIds: [], at: AT, outcome: 'forbidden' },
    ]);
  });

  it('records an admin call refused for its size (413), declared or streamed', async () => {
    const { ran, audit, app } = await world();
    const big = JSON.stringify({ customerId: 'cu_2', pad: 'x'.repeat(1_100_000) });
    const declared = await app.request('/api/customers/cu_1/merge', {
      method: 'POST',
      headers: { authorization: 'Bearer admin-token', 'content-length': String(big.length) },
      body: big,
    });
    expect(declared.status).toBe(413);
    const streamed = await app.request('/api/customers/cu_1', {
      method: 'DELETE',
      headers: { authorization: 'Bearer admin-token' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(ran).toEqual([]);
    expect(audit.records.map((r) => [r.action, r.customerIds, r.outcome])).toEqual([
      ['merge', ['cu_1'], 'payload_too_large'],
      ['erase', ['cu_1'], 'payload_too_large'],
    ]);
  });

  it('records an admitted call once: its own outcome, not a refusal as well', async () => {
    const { audit, call } = await world();
    expect((await call('DELETE', '/api/customers/cu_404x')).status).toBe(200);
    expect((await call('POST', '/api/webhooks/wh_9/rotate-secret')).status).toBe(404);
    expect(audit.records.map((r) => [r.action, r.outcome])).toEqual([
      ['erase', 'ok'],
      ['webhook_rotate_secret', 'not_found'],
    ]);
  });
});

describe('agent API: a webhook’s description', () => {
  it('is stored with a lone surrogate made U+FFFD, as all text agents write', async () => {
    const { call, hooks } = await world();
    const body =
      '{"url":"https://hooks.example.com/n","events":["message.received"],"description":"CRM \\ud800"}';
    const res = await call('POST', '/api/webhooks', body);
    expect(res.status).toBe(201);
    expect((await hooks.store.getSubscription('wh_2'))?.description).toBe('CRM \ufffd');
  });
});
