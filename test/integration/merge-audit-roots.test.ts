import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('merge-roots-admin-token');

/**
 * A merge asked between customers merged before goes between the customers standing for them (their
 * roots): its audit record names those too, and the kept customer cannot be merged into one of its own.
 */
describe('local runtime: merges of customers merged before, in the audit log', () => {
  let runtime: LocalRuntime;
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as T };
  };
  let ids: string[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `admin-dpo:${ADMIN}:admin` } });
    const phones = ['+16505550301', '+16505550302', '+16505550303'];
    await runtime.inbound.send(
      phones.map((value, i) =>
        JSON.stringify(inboundText({ providerMessageId: `wamid.R${i}`, customer: { kind: 'phone', value } })),
      ),
    );
    await runtime.idle();
    ids = await Promise.all(
      phones.map(
        async (phone) =>
          (await call<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(phone)}`)).json
            .items[0]?.id ?? '',
      ),
    );
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  it('names the kept customer in the record of a merge into one merged before, and refuses merging it into its own', async () => {
    const [fiona = '', gus = '', hal = ''] = ids;
    expect((await call('POST', `/api/customers/${fiona}/merge`, { customerId: gus })).status).toBe(200);
    // Gus stands for Fiona now: Hal's identities land on Fiona.
    expect((await call('POST', `/api/customers/${gus}/merge`, { customerId: hal })).status).toBe(200);
    const fionas = await call<{ items: AuditRecord[] }>('GET', `/api/audit?customerId=${fiona}&action=merge`);
    // Before, the second record named Gus and Hal only: Fiona's audit did not say how Hal's data reached her.
    expect(fionas.json.items.map((r) => [r.customerIds.toSorted(), r.outcome])).toEqual([
      [[fiona, gus, hal].toSorted(), 'ok'],
      [[fiona, gus].toSorted(), 'ok'],
    ]);
    // Fiona into Hal, who is merged into Fiona: before, 200 with nothing done, recorded `ok`.
    const reversed = await call<{ error: { code: string; message: string } }>(
      'POST',
      `/api/customers/${hal}/merge`,
      { customerId: fiona },
    );
    expect(reversed.status).toBe(409);
    expect(reversed.json.error.message).toBe(`customer ${hal} is already merged into ${fiona}`);
    // Asked again, the first merge is a repeat that completes, not a refusal.
    expect((await call('POST', `/api/customers/${fiona}/merge`, { customerId: gus })).status).toBe(200);
  });
});
