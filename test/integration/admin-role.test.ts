import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime, steppingClock } from '../support/runtime.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const AGENT = agentToken('roles-agent-token');
const ADMIN = agentToken('roles-admin-token');

describe('local runtime: only admins export, erase, merge and unmerge, and each call (or attempt) is audited', () => {
  let runtime: LocalRuntime;
  const call = async <T>(token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as T };
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      clock: steppingClock('2025-06-10T09:00:00.000Z'),
      env: { AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ADMIN}:admin` },
      queue: { visibilityTimeoutMs: 500 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('answers 403 forbidden to an agent, lets the admin through, and lists the audit log', async () => {
    const messages = [
      inboundText({ providerMessageId: 'wamid.R1', customer: { kind: 'phone', value: '+16505550001' } }),
      inboundText({ providerMessageId: 'wamid.R2', customer: { kind: 'phone', value: '+16505550002' } }),
    ];
    await runtime.inbound.send(messages.map((m) => JSON.stringify(m)));
    await runtime.idle();
    const find = async (q: string) =>
      (await call<{ items: Customer[] }>(AGENT, 'GET', `/api/customers?q=${encodeURIComponent(q)}`)).json
        .items[0] as Customer;
    const a = (await find('+16505550001')).id;
    const b = (await find('+16505550002')).id;
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/customers/${a}/export`],
      ['POST', `/api/customers/${a}/merge`, { customerId: b }],
      ['POST', `/api/customers/${a}/unmerge`, { customerId: b }],
      ['DELETE', `/api/customers/${b}`],
    ];

    for (const [method, path, body] of [...calls, ['GET', '/api/audit'] as [string, string]]) {
      const refused = await call<{ error: { code: string } }>(AGENT, method, path, body);
      expect([method, path, refused.status, refused.json.error.code]).toEqual([
        method,
        path,
        403,
        'forbidden',
      ]);
    }
    for (const [method, path, body] of calls) {
      expect([method, path, (await call(ADMIN, method, path, body)).status]).toEqual([method, path, 200]);
    }
    // A failed call is audited too, with the code it answered.
    expect((await call(ADMIN, 'DELETE', `/api/customers/${b}`)).status).toBe(410);

    const first = await call<{ items: AuditRecord[]; cursor: string | null }>(
      ADMIN,
      'GET',
      '/api/audit?limit=3',
    );
    expect(first.status).toBe(200);
    const rest = await call<{ items: AuditRecord[]; cursor: string | null }>(
      ADMIN,
      'GET',
      `/api/audit?limit=10&cursor=${encodeURIComponent(String(first.json.cursor))}`,
    );
    expect(rest.json.cursor).toBeNull();
    const log = [...first.json.items, ...rest.json.items];
    expect(log.map((r) => [r.agentId, r.action, r.customerIds, r.outcome])).toEqual([
      ['admin-zoe', 'erase', [b], 'gone'],
      ['admin-zoe', 'erase', [b], 'ok'],
      ['admin-zoe', 'unmerge', [a, b], 'ok'],
      ['admin-zoe', 'merge', [a, b], 'ok'],
      ['admin-zoe', 'export', [a], 'ok'],
      // The agent's attempts, refused before they ran, are recorded too.
      ['agent-ana', 'erase', [b], 'forbidden'],
      ['agent-ana', 'unmerge', [a], 'forbidden'],
      ['agent-ana', 'merge', [a], 'forbidden'],
      ['agent-ana', 'export', [a], 'forbidden'],
    ]);
    // Ids and codes only: no phone number, name or text in the log.
    expect(JSON.stringify(log)).not.toMatch(/6505550|Sheena|order/);
  });
});
