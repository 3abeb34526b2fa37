import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerExport } from '#shared/domain/privacy.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const AGENT = agentToken('exports-agent-token');
const ADMIN = agentToken('exports-admin-token');
/** A budget a customer with a few long messages passes, so the export is written aside. */
const INLINE_BYTES = 4_000;

describe('local runtime: an export too large for one response', () => {
  let runtime: LocalRuntime;
  let now = Date.parse('2025-06-10T09:00:00.000Z');
  const get = (token: string, path: string) =>
    fetch(`${runtime.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    runtime = await startTestRuntime({
      clock: { now: () => new Date(now) },
      env: {
        AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ADMIN}:admin`,
        EXPORT_INLINE_BYTES: String(INLINE_BYTES),
      },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('is written aside: 202 with its URL, which only admins fetch, whole, until it expires', async () => {
    const texts = Array.from({ length: 5 }, (_, i) => `${i} ${'a long question '.repeat(80)}`);
    await runtime.inbound.send(
      texts.map((text, i) =>
        JSON.stringify(
          inboundText({
            providerMessageId: `wamid.BIG${i}`,
            text,
            occurredAt: new Date(now - (10 - i) * 1000).toISOString(),
          }),
        ),
      ),
    );
    await runtime.idle();
    const found = await get(AGENT, `/api/customers?q=${encodeURIComponent('+16505551234')}`);
    const customerId = ((await found.json()) as { items: Array<{ id: string }> }).items[0]?.id as string;

    const answer = await get(ADMIN, `/api/customers/${customerId}/export`);
    expect(answer.status).toBe(202);
    const stored = (await answer.json()) as { status: string; url: string; expiresAt: string; bytes: number };
    expect(stored).toMatchObject({ status: 'ready', expiresAt: '2025-06-10T09:15:00.000Z' });
    expect(stored.bytes).toBeGreaterThan(INLINE_BYTES);
    expect(answer.headers.get('location')).toBe(stored.url);

    expect((await get(AGENT, stored.url)).status).toBe(403);
    const fetched = await get(ADMIN, stored.url);
    expect(fetched.status).toBe(200);
    const data = (await fetched.json()) as CustomerExport;
    expect(data.timeline.filter((item) => item.type === 'message').map((item) => item.text)).toEqual(texts);
    // The profile as held, without the table's keys nor the indexes' (the name's, the customer list's).
    expect(data.customers[0]).toMatchObject({ id: customerId });
    expect(Object.keys(data.customers[0] ?? {}).filter((k) => /^(pk|sk|gsi\d+(pk|sk))$/.test(k))).toEqual([]);

    // The export is audited like one answered inline, and so is its download, the refused one too.
    const audit = await get(ADMIN, '/api/audit');
    const records = (
      (await audit.json()) as {
        items: Array<{ action: string; outcome: string; customerIds: string[] }>;
      }
    ).items;
    // The clock stands still here, so the two records share a time: in any order.
    expect(records.map((r) => `${r.action} ${r.outcome} ${r.customerIds}`).sort()).toEqual([
      `export stored ${customerId}`,
      `export_download forbidden ${customerId}`,
      `export_download ok ${customerId}`,
    ]);

    now += 15 * 60 * 1000;
    expect((await get(ADMIN, stored.url)).status).toBe(404);
  });

  it('answers 410 for the export of a customer from the first erase call on, and erasure deletes it', async () => {
    const customer = { kind: 'phone', value: '+16505559876' } as const;
    await runtime.inbound.send(
      Array.from({ length: 5 }, (_, i) =>
        JSON.stringify(
          inboundText({
            customer,
            providerMessageId: `wamid.GONE${i}`,
            text: `${i} ${'an erased question '.repeat(80)}`,
            occurredAt: new Date(now - (10 - i) * 1000).toISOString(),
          }),
        ),
      ),
    );
    await runtime.idle();
    const found = await get(ADMIN, `/api/customers?q=${encodeURIComponent(customer.value)}`);
    const customerId = ((await found.json()) as { items: Array<{ id: string }> }).items[0]?.id as string;
    const { url } = (await (await get(ADMIN, `/api/customers/${customerId}/export`)).json()) as {
      url: string;
    };
    expect((await get(ADMIN, url)).status).toBe(200);

    // The first call of a heavy customer's erasure, which stops before it is done.
    const client = inspectionClient(runtime.dynamoEndpoint);
    const privacy = privacyRepository({ doc: documentClient(client), table: 'threadline' }, runtime.store, {
      deletesPerCall: 1,
    });
    expect((await privacy.erase(customerId, 'admin-zoe', new Date(now).toISOString())).complete).toBe(false);
    client.destroy();
    const midway = await get(ADMIN, url);
    expect(midway.status).toBe(410);
    expect(((await midway.json()) as { error: { code: string } }).error.code).toBe('gone');

    const erase = () =>
      fetch(`${runtime.url}/api/customers/${customerId}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${ADMIN}` },
      });
    for (let call = 0; call < 20 && (await erase()).status === 202; call++);
    expect((await get(ADMIN, url)).status).toBe(410);
    const audit = (await (await get(ADMIN, '/api/audit?limit=20')).json()) as {
      items: Array<{ action: string; outcome: string; customerIds: string[] }>;
    };
    // The clock stands still here, so the records share a time: their outcomes, in any order.
    const downloads = audit.items.filter(
      (record) => record.action === 'export_download' && record.customerIds.includes(customerId),
    );
    expect(downloads.map((record) => record.outcome).sort()).toEqual(['gone', 'gone', 'ok']);
  });
});
