import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsPage } from '#shared/domain/live/events.js';
import { seqAt } from '#shared/domain/live/seq.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentFetcher } from '../support/agent-api.js';
import { customerIdOf } from '../support/open-conversation.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { idleAfterLaterLooks, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';
import { smsText } from '../unit/fakes/envelopes.js';

const SECRET = 'unmerge-erase-meta-secret';
const ADMIN = 'unmerge-erase-admin-token';

type Delivery = { id: string; customerId: string; status: string };

/**
 * The README's way to erase one person of a merged group: unmerge, then erase. What the person wrote
 * while merged went out under the kept customer's id (its live events, its webhook deliveries, its
 * routing event, its number on the kept profile); the unmerge gives it back, so the erasure finds it.
 */
describe('local runtime: unmerge, then erase the customer given back', () => {
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const queueTime = new SteppedTimers();

  beforeAll(async () => {
    receiver = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      live: true,
      events: true,
      routing: true,
      queue: { timers: queueTime },
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `admin-dpo:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile(),
      },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await receiver?.close();
  });

  const api = agentFetcher(() => runtime.url, ADMIN);
  const whatsapp = async (from: string, id: string, text: string) => {
    const at = new Date().toISOString();
    const payload = whatsappText({ from, name: `Name ${from}`, messages: [{ id, at, text }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await idleAfterLaterLooks(runtime, queueTime);
  };
  const customer = async (id: string) =>
    (await (await api('GET', `/api/customers/${id}`)).json()) as Customer;
  const timeline = async (id: string) =>
    (
      (await (await api('GET', `/api/customers/${id}/timeline?limit=100`)).json()) as {
        items: Array<{ id: string; type: string; event?: string; data?: { itemId?: string } }>;
      }
    ).items;

  it('leaves nothing of the erased customer under the kept one: live log, deliveries, number, routing', async () => {
    const since = seqAt(Date.now() - 60_000);
    const hook = (await (
      await api('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] })
    ).json()) as { id: string };
    await whatsapp('4915166666666', 'wamid.UF1', 'Fiona first');
    await whatsapp('4915177777777', 'wamid.UG1', 'Gus first');
    const [f, g] = [
      await customerIdOf(runtime, '4915166666666'),
      await customerIdOf(runtime, '4915177777777'),
    ];
    expect((await api('POST', `/api/customers/${f}/merge`, { customerId: g })).status).toBe(200);
    await whatsapp('4915177777777', 'wamid.UG2', 'Gus while merged SECRETG: I want to talk to a human');
    expect((await api('POST', `/api/customers/${f}/unmerge`, { customerId: g })).status).toBe(200);
    await runtime.idle();

    // The kept customer answers on its own number again, and keeps no event of the other's message.
    const kept = await customer(f);
    expect(kept.identities.map((i) => i.value)).toEqual(['+4915166666666']);
    // Its reply address was the other's number (carried by the merge): gone, its own number is answered.
    expect(JSON.stringify(kept)).not.toContain('4915177777777');
    expect(kept.whatsappAddress).toBeUndefined();
    // Routing's decision on the other's message (keyed on it, its id naming the number) went back with it.
    const moved = 'whatsapp:wamid.UG2';
    const keyed = (items: Array<{ id: string }>) => items.map((i) => i.id).filter((id) => id.includes(moved));
    expect(keyed(await timeline(f))).toEqual([]);
    expect(keyed(await timeline(g)).sort()).toEqual([`route:${moved}`, moved]);

    const deliveries = (
      (await (await api('GET', `/api/webhooks/${hook.id}/deliveries?limit=50`)).json()) as {
        items: Delivery[];
      }
    ).items;
    // G's message while merged went out under F's id: two of the three are F's.
    expect(deliveries.map((d) => d.customerId).sort()).toEqual([f, f, g].sort());

    const erased = await api('DELETE', `/api/customers/${g}`);
    expect(erased.status).toBe(200);
    expect(((await erased.json()) as { complete: boolean }).complete).toBe(true);
    await runtime.idle();

    // The live log: nothing of G's under any id.
    const page = (await (await api('GET', `/api/events?since=${since}&limit=500`)).json()) as EventsPage;
    const text = JSON.stringify(page.events);
    expect(text).not.toContain('SECRETG');
    expect(text).not.toContain('4915177777777');
    expect(page.events.some((e) => e.customerId === f && e.type === 'timeline.item')).toBe(true);
    const client = inspectionClient(runtime.dynamoEndpoint);
    const windows = async () =>
      (await scanTable(client, 'threadline')).filter((item) => item.pk === `LIVE#OF#${g}`);
    try {
      const stored = JSON.stringify(await scanTable(client, 'threadline'));
      expect(stored).not.toContain('SECRETG');
      // The window stays for the second pass, which goes over it again and deletes it.
      expect((await windows()).map((item) => item.sk)).toEqual([expect.stringMatching(`^MERGED#${f}#`)]);
      expect(await runtime.store.privacy.sweepErased(g, new Date().toISOString())).toBe('swept');
      expect(await windows()).toEqual([]);
    } finally {
      client.destroy();
    }

    // No delivery sends G's words again: one by one or in bulk.
    const before = receiver.received.length;
    const replays: Array<readonly [number, string]> = [];
    for (const delivery of deliveries) {
      const replay = await api('POST', `/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`);
      replays.push([replay.status, delivery.customerId] as const);
    }
    // Only F's own message goes again: G's, under either id, is gone.
    expect(replays.map(([status]) => status).sort()).toEqual([202, 410, 410]);
    expect(replays.filter(([status]) => status === 202).map(([, id]) => id)).toEqual([f]);
    await runtime.idle();
    const bulk = await api('POST', `/api/webhooks/${hook.id}/replay`, {
      since: new Date(Date.now() - 3_600_000).toISOString(),
      statuses: ['failed', 'delivered'],
    });
    expect(bulk.status).toBe(202);
    expect(await bulk.json()).toMatchObject({ replayed: 1, gone: 2 });
    await runtime.idle();
    const sent = receiver.received.slice(before).map((r) => r.body);
    expect(sent.join('\n')).toContain('Fiona first');
    expect(sent.join('\n')).not.toContain('SECRETG');
    expect(sent.join('\n')).not.toContain('Gus');
  }, 60_000);

  it('opens again the suggestion a merge accepted, once the two are unmerged', async () => {
    await whatsapp('4915199999991', 'wamid.US1', 'my other phone is +49 151 99999992');
    await whatsapp('4915199999992', 'wamid.US2', 'hello from the other phone');
    const [h, i] = [
      await customerIdOf(runtime, '4915199999991'),
      await customerIdOf(runtime, '4915199999992'),
    ];
    const open = async () =>
      ((await customer(h)) as Customer & { suggestions: Array<{ otherId: string; status: string }> })
        .suggestions;
    expect(await open()).toMatchObject([{ otherId: i, status: 'open' }]);
    expect((await api('POST', `/api/customers/${h}/suggestions/${i}/accept`)).status).toBe(200);
    expect(await open()).toEqual([]);
    expect((await api('POST', `/api/customers/${h}/unmerge`, { customerId: i })).status).toBe(200);
    // Two customers again, the evidence as it was: an agent may accept it again, or dismiss it.
    expect(await open()).toMatchObject([{ otherId: i, status: 'open' }]);
    expect((await api('POST', `/api/customers/${h}/suggestions/${i}/accept`)).status).toBe(200);
  }, 30_000);

  it("takes the other's number off the kept profile's SMS reply address too", async () => {
    for (const [value, id] of [
      ['+4915155555551', 'SM-U1'],
      ['+4915155555552', 'SM-U2'],
    ] as const) {
      await runtime.inbound.send([JSON.stringify(smsText(value, id, `text ${id}`))]);
      await idleAfterLaterLooks(runtime, queueTime);
    }
    const [k, o] = [
      await customerIdOf(runtime, '4915155555551'),
      await customerIdOf(runtime, '4915155555552'),
    ];
    expect((await api('POST', `/api/customers/${k}/merge`, { customerId: o })).status).toBe(200);
    // The merge carried the other's number, the latest written from.
    expect((await customer(k)).smsAddress).toBe('+4915155555552');
    expect((await api('POST', `/api/customers/${k}/unmerge`, { customerId: o })).status).toBe(200);
    const kept = await customer(k);
    expect(JSON.stringify(kept)).not.toContain('4915155555552');
    expect((await customer(o)).smsAddress).toBe('+4915155555552');
  }, 30_000);
});
