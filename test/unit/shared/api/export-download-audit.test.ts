import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

const CUSTOMER = 'cu_0mxawnlpz38cfcca4fb95ad54c2b3';
const EXPORT = `ex_201afe7a92ee5adf_${CUSTOMER}`;

/**
 * A download of an export written aside that is refused before the route reads it: a non-admin's
 * (403). Its audit record named the export as a webhook (`webhookId: "ex_…"`), since
 * the refusal took the path's id for a webhook's as on the webhook routes, and no customer: an admin
 * reading the log saw an agent act on a webhook that does not exist, and a search of the log by
 * customer missed the attempt on that customer's export. It names the customer the export id names,
 * as the download's own record does, and no webhook.
 */
describe('GET /api/exports/{id} refused: its audit record', () => {
  const call = async (token: string, id: string) => {
    const audit = memoryAuditLog();
    const api = createAgentApp(untouchedAgentDeps({ audit }));
    const res = await api.request(`/api/exports/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, records: audit.records };
  };

  it("names a non-admin's attempt's customer, not a webhook", async () => {
    const { status, records } = await call('agent-token', EXPORT);
    expect(status).toBe(403);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      agentId: 'agent-1',
      action: 'export_download',
      customerIds: [CUSTOMER],
      outcome: 'forbidden',
    });
    expect(records[0]).not.toHaveProperty('webhookId');
  });

  it('names no customer for an id that names none, and no webhook', async () => {
    const { status, records } = await call('agent-token', 'ex_older-shape');
    expect(status).toBe(403);
    expect(records[0]).toMatchObject({ action: 'export_download', customerIds: [], outcome: 'forbidden' });
    expect(records[0]).not.toHaveProperty('webhookId');
  });
});
