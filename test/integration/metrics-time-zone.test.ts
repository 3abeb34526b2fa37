import { describe, expect, it } from 'vitest';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { Keys } from '#shared/store/keys.js';
import { agentToken } from '../support/agent-token.js';
import { seedItems } from '../support/capacity-meter.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

const HOUR = 3_600_000;
const BERLIN = 'Europe/Berlin';

type Overall = { overall: Metrics; from: string; to: string; tz?: string };

/**
 * GET /api/metrics?tz=: the range's days are the business's, not UTC's. The counters are kept per UTC
 * hour, so a local day reads the hours it spans: 23 on the spring change, 25 on the autumn one. Without
 * `tz` the answer is the UTC days' as before (the day items written before the hours included). Against
 * the local runtime (dynalite).
 */
describe('metrics in a time zone', () => {
  const clock = useClockRuntime({
    metaSecret: 'metrics-tz-secret',
    agent: { token: agentToken('metrics-tz-ana'), admin: true },
    routing: true,
    policyFile: slaPolicyFile({ aiRepliesCount: false }),
  });
  const overall = (query: string) => clock.api<Overall>('GET', `/api/metrics${query}`);

  it("counts a message at 23:30 UTC on the next day in Berlin, the customer's figures too", async () => {
    // To the next 23:30 UTC: 00:30 the next day in Berlin (UTC+1 in December).
    const now = clock.manual.now();
    const midnight = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00.000Z`) + 24 * HOUR;
    await clock.advance(midnight - HOUR / 2 - now);
    const utcDay = new Date(clock.manual.now()).toISOString().slice(0, 10);
    const berlinDay = new Date(clock.manual.now() + 24 * HOUR).toISOString().slice(0, 10);
    await clock.whatsapp({ from: '447700900961', id: 'wamid.tz-1', text: 'I need a human please' });
    const found = await clock.api<{ items: Customer[] }>('GET', '/api/customers?q=%2B447700900961');
    const customerId = (found.items[0] as Customer).id;

    expect((await overall(`?from=${utcDay}&to=${utcDay}`)).overall.routed).toBe(1);
    const berlin = await overall(`?from=${utcDay}&to=${utcDay}&tz=${BERLIN}`);
    expect(berlin).toMatchObject({ from: utcDay, to: utcDay, tz: BERLIN });
    expect(berlin.overall.routed).toBe(0);
    // Today in Berlin is already the next day: the default range ends there.
    const today = await overall(`?tz=${BERLIN}`);
    expect(today.to).toBe(berlinDay);
    expect((await overall(`?from=${berlinDay}&tz=${BERLIN}`)).overall.routed).toBe(1);

    const of = (query: string) =>
      clock.api<{ metrics: Metrics }>('GET', `/api/metrics?customerId=${customerId}${query}`);
    expect((await of(`&from=${utcDay}&to=${utcDay}`)).metrics.routed).toBe(1);
    expect((await of(`&from=${utcDay}&to=${utcDay}&tz=${BERLIN}`)).metrics.routed).toBe(0);
    expect((await of(`&from=${berlinDay}&tz=${BERLIN}`)).metrics.routed).toBe(1);
  });

  it('reads the 23 and 25 hours of the days the clocks change, and the day items of before', async () => {
    const counted = (hour: string, routed: number) => ({
      ...Keys.metricsDay(5, hour),
      entity: 'metrics',
      routed,
    });
    const client = inspectionClient(clock.runtime.dynamoEndpoint);
    await seedItems(client, 'threadline', [
      counted('2026-03-28T22', 1), // 23:00 on 28 March in Berlin (UTC+1)
      counted('2026-03-28T23', 2), // 00:00 on 29 March (UTC+1)
      counted('2026-03-29T21', 4), // 23:00 on 29 March (UTC+2 since 02:00)
      counted('2026-03-29T22', 8), // 00:00 on 30 March
      counted('2026-03-29', 16), // a day item, as written before the hours
      counted('2026-10-24T21', 32), // 23:00 on 24 October (UTC+2)
      counted('2026-10-24T22', 64), // 00:00 on 25 October
      counted('2026-10-25T22', 128), // 23:00 on 25 October (UTC+1 since 03:00)
      counted('2026-10-25T23', 256), // 00:00 on 26 October
    ]);
    client.destroy();
    const routed = async (query: string) => (await overall(query)).overall.routed;
    expect(await routed(`?from=2026-03-29&to=2026-03-29&tz=${BERLIN}`)).toBe(2 + 4 + 16);
    expect(await routed(`?from=2026-03-28&to=2026-03-28&tz=${BERLIN}`)).toBe(1);
    expect(await routed(`?from=2026-10-25&to=2026-10-25&tz=${BERLIN}`)).toBe(64 + 128);
    // UTC days, as before: every hour of the day, and its day item.
    expect(await routed('?from=2026-03-29&to=2026-03-29')).toBe(4 + 8 + 16);
    expect(await routed('?from=2026-03-28&to=2026-03-28')).toBe(1 + 2);
    expect(await routed('?from=2026-10-25&to=2026-10-25')).toBe(128 + 256);
  });

  it('refuses a time zone it does not know, saying so', async () => {
    for (const tz of ['Mars/Olympus', 'Europe%2FBerlinn', '']) {
      const answer = await clock.call<{ error: { code: string; message: string } }>(
        'GET',
        `/api/metrics?tz=${tz}`,
      );
      expect(answer.status, tz).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    }
  });
});
