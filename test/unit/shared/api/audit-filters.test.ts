import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AuditQuery, AuditRecord } from '#shared/domain/audit.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

const asAdmin = { headers: { Authorization: 'Bearer admin-token' } };

/** An audit log holding four records, that notes every query it is asked. */
async function seeded() {
  const audit = memoryAuditLog();
  const asked: AuditQuery[] = [];
  const entries: Array<Omit<AuditRecord, 'id'>> = [
    {
      at: '2025-06-01T09:00:00.000Z',
      agentId: 'zoe',
      action: 'export',
      customerIds: ['cu_1'],
      outcome: 'ok',
    },
    {
      at: '2025-06-02T09:00:00.000Z',
      agentId: 'admin-1',
      action: 'erase',
      customerIds: ['cu_2'],
      outcome: 'ok',
    },
    {
      at: '2025-06-03T09:00:00.000Z',
      agentId: 'zoe',
      action: 'merge',
      customerIds: ['cu_2', 'cu_1'],
      outcome: 'ok',
    },
    {
      at: '2025-06-04T09:00:00.000Z',
      agentId: 'zoe',
      action: 'export',
      customerIds: ['cu_3'],
      outcome: 'ok',
    },
  ];
  for (const entry of entries) await audit.recordAudit(entry);
  const api = createAgentApp(
    untouchedAgentDeps({
      audit: { ...audit, listAudit: (query) => (asked.push(query), audit.listAudit(query)) },
    }),
  );
  const list = async (query: string) => {
    const res = await api.request(`/api/audit?${query}`, asAdmin);
    return {
      status: res.status,
      body: (await res.json()) as { items?: AuditRecord[]; error?: { message: string } },
    };
  };
  return { list, asked };
}

describe('agent API: GET /api/audit filters', () => {
  it.each([
    ['customerId=cu_1', ['au_3', 'au_1']],
    ['agentId=zoe', ['au_4', 'au_3', 'au_1']],
    ['agentId=me', ['au_2']],
    ['action=export', ['au_4', 'au_1']],
    ['customerId=cu_1&agentId=zoe&action=export', ['au_1']],
    ['since=2025-06-02T09:00:00Z&until=2025-06-04T09:00:00Z', ['au_3', 'au_2']],
    ['since=2025-06-02T10:00:00%2B01:00', ['au_4', 'au_3', 'au_2']],
    ['agentId=zoe&until=2025-06-03T09:00:00.000Z', ['au_1']],
  ])('%s answers the records it names, newest first', async (query, ids) => {
    const { list } = await seeded();
    const { status, body } = await list(query);
    expect(status).toBe(200);
    expect(body.items?.map((r) => r.id)).toEqual(ids);
  });

  it('hands the store the window in UTC, as records keep their times, and `me` as the caller', async () => {
    const { list, asked } = await seeded();
    await list('agentId=me&since=2025-06-02T10:00:00%2B01:00&until=2025-06-05');
    expect(asked).toEqual([]);
    await list('agentId=me&since=2025-06-02T10:00:00%2B01:00&until=2025-06-05T00:00:00Z');
    expect(asked).toEqual([
      {
        limit: 50,
        agentId: 'admin-1',
        since: '2025-06-02T09:00:00.000Z',
        until: '2025-06-05T00:00:00.000Z',
      },
    ]);
  });

  it('reads `me` as the caller for subjectAgentId too (before: the records acting on an agent named me)', async () => {
    const { list, asked } = await seeded();
    expect((await list('subjectAgentId=me')).status).toBe(200);
    expect(asked).toEqual([{ limit: 50, subjectAgentId: 'admin-1' }]);
  });

  it.each([
    ['action=delete_everything', 'action'],
    ['customerId=cu%231', 'customerId'],
    // Well-formed for a path, but no customer id (every one is `cu_`...): before, 200 with nothing.
    ['customerId=hello', 'customerId'],
    ['customerId=__proto__', 'customerId'],
    ['agentId=', 'agentId'],
    ['since=yesterday', 'since'],
    ['until=2025-06-05', 'until'],
    ['since=2025-06-05T00:00:00Z&until=2025-06-05T00:00:00Z', 'since must be before until'],
    ['since=2025-06-06T00:00:00Z&until=2025-06-05T00:00:00Z', 'since must be before until'],
    ['customer=cu_1', 'Unrecognized key: "customer"'],
    ['agent=zoe', 'Unrecognized key: "agent"'],
  ])('answers 400 for %s, naming %s, and reads nothing', async (query, named) => {
    const { list, asked } = await seeded();
    const { status, body } = await list(query);
    expect(status).toBe(400);
    expect(body.error?.message).toContain(named);
    expect(asked).toEqual([]);
  });
});
