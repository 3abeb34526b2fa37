import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsPage } from '#shared/domain/live/events.js';
import { seqAt } from '#shared/domain/live/seq.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { smsText } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('live-erasure-admin-token');

describe('local runtime: an erasure takes the customer out of the live event log', () => {
  let runtime: LocalRuntime;
  const call = async (method: string, path: string) =>
    fetch(`${runtime.url}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN}` } });
  const idOf = async (value: string) =>
    (
      (
        (await (await call('GET', `/api/customers?q=${encodeURIComponent(value)}`)).json()) as {
          items: Customer[];
        }
      ).items[0] as Customer
    ).id;
  /** The live log's items, as stored. */
  const logItems = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items.filter((item) => String(item.pk).startsWith('LIVE'));
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({ live: true, env: { AGENT_TOKENS: `admin-eve:${ADMIN}:admin` } });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('removes their events (message text, name) from the log, keeps everyone else’s, and counts them', async () => {
    const since = seqAt(Date.now() - 60_000);
    // Two customers in one batch: their events may share a pack of the log.
    await runtime.inbound.send(
      [
        smsText('+14155550131', 'SM-LE1', 'my live-secret address', { profileName: 'Name of SM-LE1' }),
        smsText('+14155550132', 'SM-LE2', 'a kept-message', { profileName: 'Name of SM-LE2' }),
      ].map((e) => JSON.stringify(e)),
    );
    await runtime.idle();
    await runtime.inbound.send([
      JSON.stringify(
        smsText('+14155550131', 'SM-LE3', 'second live-secret', { profileName: 'Name of SM-LE3' }),
      ),
    ]);
    await runtime.idle();
    const [erased, kept] = [await idOf('+14155550131'), await idOf('+14155550132')];
    expect(JSON.stringify(await logItems())).toContain('live-secret');

    const answer = await call('DELETE', `/api/customers/${erased}`);
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as { liveEvents: number; complete: boolean };
    expect(report.complete).toBe(true);
    expect(report.liveEvents).toBeGreaterThanOrEqual(2);
    await runtime.idle();

    const stored = JSON.stringify(await logItems());
    for (const text of ['live-secret', '4155550131', 'Name of SM-LE1']) expect(stored).not.toContain(text);
    expect(stored).toContain('kept-message');
    // What a catch-up answers: the other customer's events, and of the erased one only `erased`.
    const page = (await (await call('GET', `/api/events?since=${since}&limit=500`)).json()) as EventsPage;
    const theirs = page.events.filter((event) => event.customerId === erased);
    expect(theirs.map((event) => event.type === 'customer.updated' && event.item.change)).toEqual(['erased']);
    expect(page.events.some((event) => event.customerId === kept && event.type === 'timeline.item')).toBe(
      true,
    );
  });
});
