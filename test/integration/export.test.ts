import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerExport } from '#shared/domain/privacy.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { startTestRuntime } from '../support/runtime.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const AGENT = 'exports-agent-token';
const ADMIN = 'exports-admin-token';
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

    // The export is audited like one answered inline.
    const audit = await get(ADMIN, '/api/audit');
    const records = ((await audit.json()) as { items: Array<{ action: string; outcome: string }> }).items;
    expect(records[0]).toMatchObject({ action: 'export', outcome: 'stored' });

    now += 15 * 60 * 1000;
    expect((await get(ADMIN, stored.url)).status).toBe(404);
  });
});
