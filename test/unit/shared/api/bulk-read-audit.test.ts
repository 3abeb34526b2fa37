import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { seqAt } from '#shared/domain/live/seq.js';
import type { Customer } from '#shared/domain/timeline.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

const NOW = Date.parse('2025-06-09T10:00:00.000Z');
const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

/**
 * QA (repro-3): an agent's replay of every customer's messages (`GET /api/events?since=` a day back),
 * a large page of every customer, and an admin's read of the audit log left no record. Each is one
 * record a request now; the console's catch-up after a short drop, its customer pages (25) and a search
 * are not recorded, so the log does not grow per reconnect or page.
 */
describe('agent API: bulk reads are audited, one record a request', () => {
  const setUp = () => {
    const audit = memoryAuditLog();
    const event = { type: 'timeline.item', seq: seqAt(NOW - 3_600_000), customerId: 'cu_1' };
    const customers = Array.from(
      { length: 3 },
      (_, i) => ({ id: `cu_${i}`, identities: [{ kind: 'email', value: `c${i}@example.com` }] }) as Customer,
    );
    const api = createAgentApp(
      untouchedAgentDeps({
        audit,
        clock: { now: () => new Date(NOW) },
        live: { events: { read: async () => ({ events: [event, event] as never, more: false }) } },
        store: {
          listCustomers: async () => ({ items: customers, cursor: null }),
          findCustomerId: async () => undefined,
          findCustomersByName: async () => ({ items: customers, cursor: null }),
          inbox: async () => ({
            items: customers.map((c, i) => ({ id: `cv_${i}`, customerId: c.id, status: 'open' })),
            cursor: null,
          }),
          csatAnswers: async () => ({
            items: customers.map((c, i) => ({ surveyId: `sv_${i}`, customerId: c.id, score: 2 })),
            cursor: null,
          }),
          getCustomers: async () => customers,
        } as never,
      }),
    );
    return { audit, api };
  };

  it('records an events replay from 20 hours back (who, since, how many), and not a catch-up from a minute back', async () => {
    const { audit, api } = setUp();
    const since = seqAt(NOW - 20 * 3_600_000);
    expect((await api.request(`/api/events?since=${since}&limit=500`, as('agent-token'))).status).toBe(200);
    expect(audit.records).toEqual([
      {
        id: 'au_1',
        at: new Date(NOW).toISOString(),
        agentId: 'agent-1',
        action: 'events_replay',
        customerIds: [],
        outcome: 'ok',
        query: { since: String(since), sinceAt: '2025-06-08T14:00:00.000Z', limit: '500' },
        count: 2,
      },
    ]);
    expect((await api.request(`/api/events?since=${seqAt(NOW - 60_000)}`, as('agent-token'))).status).toBe(
      200,
    );
    expect(audit.records).toHaveLength(1);
  });

  it("records an admin's read of the audit log with its filters and count", async () => {
    const { audit, api } = setUp();
    const res = await api.request('/api/audit?agentId=agent-1&action=export&limit=5', as('admin-token'));
    expect(res.status).toBe(200);
    expect(audit.records).toEqual([
      expect.objectContaining({
        agentId: 'admin-1',
        action: 'audit_read',
        customerIds: [],
        outcome: 'ok',
        query: { limit: '5', agentId: 'agent-1', action: 'export' },
        count: 0,
      }),
    ]);
    // The next read lists the one before.
    const again = await api.request('/api/audit?action=audit_read', as('admin-token'));
    expect(((await again.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect(audit.records).toHaveLength(2);
  });

  it('records a page of every customer larger than 50, not the console pages of 25', async () => {
    const { audit, api } = setUp();
    expect((await api.request('/api/customers?limit=200', as('agent-token'))).status).toBe(200);
    expect(audit.records).toEqual([
      expect.objectContaining({
        agentId: 'agent-1',
        action: 'customers_list',
        customerIds: [],
        query: { limit: '200' },
        count: 3,
      }),
    ]);
    expect((await api.request('/api/customers', as('agent-token'))).status).toBe(200);
    expect((await api.request('/api/customers?limit=50', as('agent-token'))).status).toBe(200);
    expect(audit.records).toHaveLength(1);
  });

  // QA (repro-2): a search, the inbox and the survey answers, 200 at a time, left no record, though each
  // answers names, contacts or what customers wrote. The same rule now: a page over 50 is one record.
  it.each([
    ['/api/customers?q=pmember&limit=200', 'customers_search', { q: 'yes', limit: '200' }],
    [
      '/api/conversations?status=resolved&limit=200',
      'conversations_list',
      { status: 'resolved', sort: 'waiting', limit: '200' },
    ],
    ['/api/csat/responses?limit=200&maxScore=2', 'csat_list', { maxScore: '2', limit: '200' }],
  ])('records %s (%s), and not a page of 50 or fewer', async (path, action, query) => {
    const { audit, api } = setUp();
    expect((await api.request(path, as('agent-token'))).status).toBe(200);
    expect(audit.records).toEqual([
      expect.objectContaining({
        agentId: 'agent-1',
        action,
        customerIds: [],
        outcome: 'ok',
        query,
        count: 3,
      }),
    ]);
    expect((await api.request(path.replace('limit=200', 'limit=50'), as('agent-token'))).status).toBe(200);
    expect((await api.request(path.replace('limit=200', ''), as('agent-token'))).status).toBe(200);
    expect(audit.records).toHaveLength(1);
  });
});
