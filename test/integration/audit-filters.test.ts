import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { indexAuditLog } from '#shared/store/audit-index-backfill.js';
import { putItem } from '#shared/store/dynamo-client.js';
import { putAuditInput } from '#shared/store/params/audit.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime, steppingClock } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const AGENT = agentToken('filters-agent-token');
const ZOE = agentToken('filters-zoe-token');
const MAX = agentToken('filters-max-token');

type Page = { items: AuditRecord[]; cursor: string | null };

describe('local runtime: the audit log filtered by customer, agent, action and time', () => {
  let runtime: LocalRuntime;
  const call = async <T>(token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
  };
  /** Every record a query lists, page after page of `limit`, and how many pages it took. */
  const listAll = async (query: string, limit = 50, token = ZOE) => {
    const items: AuditRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: { status: number; json: Page } = await call<Page>(
        token,
        'GET',
        `/api/audit?limit=${limit}&${query}${after}`,
      );
      expect(page.status, JSON.stringify(page.json)).toBe(200);
      items.push(...page.json.items);
      cursor = page.json.cursor;
      pages += 1;
    } while (cursor && pages < 50);
    return items;
  };
  /** The records of the calls made, without the test's own reads of the log (`audit_read`, each recorded). */
  const summary = (records: AuditRecord[]) =>
    records
      .filter((r) => r.action !== 'audit_read')
      .map((r) => [r.agentId, r.action, r.customerIds, r.outcome]);
  let client: ReturnType<typeof inspectionClient>;
  const db = () => ({ doc: documentClient(client), table: 'threadline' });

  let a: string;
  let b: string;
  let c: string;
  let log: AuditRecord[];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      clock: steppingClock('2025-06-10T09:00:00.000Z'),
      env: { AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ZOE}:admin,admin-max:${MAX}:admin` },
      queue: { visibilityTimeoutMs: 500 },
    });
    client = inspectionClient(runtime.dynamoEndpoint);
    const phones = ['+16505550101', '+16505550102', '+16505550103'];
    await runtime.inbound.send(
      phones.map((value, i) =>
        JSON.stringify(inboundText({ providerMessageId: `wamid.F${i}`, customer: { kind: 'phone', value } })),
      ),
    );
    await runtime.idle();
    const find = async (q: string) =>
      (await call<{ items: Customer[] }>(AGENT, 'GET', `/api/customers?q=${encodeURIComponent(q)}`)).json
        .items[0] as Customer;
    [a = '', b = '', c = ''] = await Promise.all(phones.map(async (phone) => (await find(phone)).id));
    // A record written before the filters: in the log, with no index entries.
    await putItem(
      db(),
      putAuditInput('threadline', {
        id: 'au_0000old0000000000000000',
        at: '2025-06-01T09:00:00.000Z',
        agentId: 'admin-old',
        action: 'export',
        customerIds: [a],
        outcome: 'ok',
      }),
    );
    const calls: Array<[string, string, string, unknown?]> = [
      [ZOE, 'GET', `/api/customers/${a}/export`],
      [MAX, 'GET', `/api/customers/${b}/export`],
      [ZOE, 'POST', `/api/customers/${a}/merge`, { customerId: b }],
      [AGENT, 'PATCH', `/api/customers/${c}`, { name: 'Cleo' }],
      [AGENT, 'DELETE', `/api/customers/${c}`],
      [MAX, 'DELETE', `/api/customers/${c}`],
    ];
    for (const [token, method, path, body] of calls) await call(token, method, path, body);
    log = await listAll('', 3);
  });

  afterAll(async () => {
    client?.destroy();
    await runtime?.close();
  });

  it('lists the whole log as before, the record from before the filters too', () => {
    expect(summary(log)).toEqual([
      ['admin-max', 'erase', [c], 'ok'],
      ['agent-ana', 'erase', [c], 'forbidden'],
      ['agent-ana', 'rename', [c], 'ok'],
      ['admin-zoe', 'merge', [a, b], 'ok'],
      ['admin-max', 'export', [b], 'ok'],
      ['admin-zoe', 'export', [a], 'ok'],
      ['admin-old', 'export', [a], 'ok'],
    ]);
  });

  it("finds a customer's records, the merge that named them as its source too, a page at a time", async () => {
    expect(summary(await listAll(`customerId=${b}`, 1))).toEqual([
      ['admin-zoe', 'merge', [a, b], 'ok'],
      ['admin-max', 'export', [b], 'ok'],
    ]);
  });

  it("finds an erased customer's records after the erasure: their index is kept as the log is", async () => {
    expect(summary(await listAll(`customerId=${c}`))).toEqual(summary(log.slice(0, 3)));
    expect(summary(await listAll(`customerId=${c}&action=erase`))).toEqual(summary(log.slice(0, 2)));
    const items = await scanTable(client, 'threadline');
    expect(items.filter((item) => item.pk === `AUDIT#CUSTOMER#${c}`)).toHaveLength(3);
    expect(items.filter((item) => item.pk === `CUSTOMER#${c}` && item.sk !== 'PROFILE')).toEqual([]);
  });

  it("finds an agent's calls (`me`: the caller's), an action's, and a time window, combined", async () => {
    expect(summary(await listAll('agentId=admin-zoe', 1))).toEqual([
      ['admin-zoe', 'merge', [a, b], 'ok'],
      ['admin-zoe', 'export', [a], 'ok'],
    ]);
    expect(summary(await listAll('agentId=me', 50, MAX))).toEqual([
      ['admin-max', 'erase', [c], 'ok'],
      ['admin-max', 'export', [b], 'ok'],
    ]);
    expect(summary(await listAll('action=export', 1))).toEqual(summary(log.slice(4, 6)));
    expect(summary(await listAll('agentId=agent-ana&action=rename'))).toEqual(summary(log.slice(2, 3)));
    const window = `since=${log[4]?.at}&until=${log[1]?.at}`;
    expect(summary(await listAll(window, 1))).toEqual(summary(log.slice(2, 5)));
    expect(summary(await listAll(`${window}&customerId=${c}`, 1))).toEqual(summary(log.slice(2, 3)));
    expect(summary(await listAll(`since=${log[4]?.at}&action=export`))).toEqual(summary(log.slice(4, 5)));
  });

  it('answers 400 for a filter it does not know or a value it cannot use', async () => {
    for (const query of ['customer=x', 'action=read', `since=${log[0]?.at}&until=${log[1]?.at}`]) {
      expect((await call(ZOE, 'GET', `/api/audit?${query}`)).status, query).toBe(400);
    }
  });

  it('indexes the records from before the filters with the upgrade command, once however often it runs', async () => {
    expect(summary(await listAll(`customerId=${a}`))).toEqual(
      summary(log.slice(3, 6).filter((r) => r.customerIds.includes(a))),
    );
    // Every record of the log is indexed, the reads of it recorded so far (`audit_read`) too.
    const records = (await scanTable(client, 'threadline')).filter((item) => item.entity === 'audit');
    expect(records.length).toBeGreaterThan(log.length);
    for (const run of [1, 2]) {
      const done = await indexAuditLog(db(), undefined, { limit: 2 });
      expect([run, done.indexed, done.cursor]).toEqual([run, records.length, undefined]);
    }
    expect(summary(await listAll(`customerId=${a}`))).toEqual([
      ['admin-zoe', 'merge', [a, b], 'ok'],
      ['admin-zoe', 'export', [a], 'ok'],
      ['admin-old', 'export', [a], 'ok'],
    ]);
    expect(summary(await listAll('agentId=admin-old'))).toEqual(summary(log.slice(6)));
    expect(summary(await listAll('action=export'))).toEqual(summary(log.slice(4)));
  });

  it('finds the records of an agent acted on (`subjectAgentId`): a removal and a restore by another', async () => {
    expect((await call(ZOE, 'DELETE', '/api/agents/agent-ana')).status).toBe(204);
    expect((await call(MAX, 'POST', '/api/agents/agent-ana/restore')).status).toBe(204);
    const records = await listAll('subjectAgentId=agent-ana', 1);
    expect(records.map((r) => [r.agentId, r.action, r.subjectAgentId])).toEqual([
      ['admin-max', 'agent_restore', 'agent-ana'],
      ['admin-zoe', 'agent_remove', 'agent-ana'],
    ]);
    expect(await listAll('subjectAgentId=agent-ana&agentId=admin-zoe')).toHaveLength(1);
    expect((await listAll('agentId=agent-ana')).map((r) => r.action)).toEqual(['erase', 'rename']);
  });
});
