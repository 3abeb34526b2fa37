import { describe, expect, it } from 'vitest';
import type { EventsPage } from '#shared/domain/live/events.js';
import { seqAt } from '#shared/domain/live/seq.js';
import type { Customer } from '#shared/domain/timeline.js';
import { customerIdOf } from '../support/open-conversation.js';
import { idleAfterLaterLooks } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { unmergeEraseRuntime } from '../support/unmerge-erase-runtime.js';
import { smsText } from '../unit/fakes/envelopes.js';

type Delivery = { id: string; customerId: string; status: string };

/**
 * The README's way to erase one person of a merged group: unmerge, then erase. What the person wrote
 * while merged went out under the kept customer's id (its live events, its webhook deliveries, its
 * routing event, its number on the kept profile); the unmerge gives it back, so the erasure finds it.
 */
describe('local runtime: unmerge, then erase the customer given back', () => {
  const env = unmergeEraseRuntime();
  const { queueTime, api, whatsapp, customer } = env;
  const timeline = async (id: string) =>
    (
      (await (await api('GET', `/api/customers/${id}/timeline?limit=100`)).json()) as {
        items: Array<{ id: string; type: string; event?: string; data?: { itemId?: string } }>;
      }
    ).items;

  it('leaves nothing of the erased customer under the kept one: live log, deliveries, number, routing', async () => {
    const since = seqAt(Date.now() - 60_000);
    const hook = await env.subscribe(['message.received']);
    await whatsapp('4915166666666', 'wamid.UF1', 'Fiona first');
    await whatsapp('4915177777777', 'wamid.UG1', 'Gus first');
    const [f, g] = [
      await customerIdOf(env.runtime, '4915166666666'),
      await customerIdOf(env.runtime, '4915177777777'),
    ];
    expect((await api('POST', `/api/customers/${f}/merge`, { customerId: g })).status).toBe(200);
    await whatsapp('4915177777777', 'wamid.UG2', 'Gus while merged SECRETG: I want to talk to a human');
    expect((await api('POST', `/api/customers/${f}/unmerge`, { customerId: g })).status).toBe(200);
    await env.runtime.idle();

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
    await env.runtime.idle();

    // The live log: nothing of G's under any id.
    const page = (await (await api('GET', `/api/events?since=${since}&limit=500`)).json()) as EventsPage;
    const text = JSON.stringify(page.events);
    expect(text).not.toContain('SECRETG');
    expect(text).not.toContain('4915177777777');
    expect(page.events.some((e) => e.customerId === f && e.type === 'timeline.item')).toBe(true);
    const client = inspectionClient(env.runtime.dynamoEndpoint);
    const windows = async () =>
      (await scanTable(client, 'threadline')).filter((item) => item.pk === `LIVE#OF#${g}`);
    try {
      const stored = JSON.stringify(await scanTable(client, 'threadline'));
      expect(stored).not.toContain('SECRETG');
      // The window stays for the second pass, which goes over it again and deletes it.
      expect((await windows()).map((item) => item.sk)).toEqual([expect.stringMatching(`^MERGED#${f}#`)]);
      expect(await env.runtime.store.privacy.sweepErased(g, new Date().toISOString())).toBe('swept');
      expect(await windows()).toEqual([]);
    } finally {
      client.destroy();
    }

    // No delivery sends G's words again: one by one or in bulk.
    const before = env.receiver.received.length;
    const replays: Array<readonly [number, string]> = [];
    for (const delivery of deliveries) {
      const replay = await api('POST', `/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`);
      replays.push([replay.status, delivery.customerId] as const);
    }
    // Only F's own message goes again: G's, under either id, is gone.
    expect(replays.map(([status]) => status).sort()).toEqual([202, 410, 410]);
    expect(replays.filter(([status]) => status === 202).map(([, id]) => id)).toEqual([f]);
    await env.runtime.idle();
    const bulk = await api('POST', `/api/webhooks/${hook.id}/replay`, {
      since: new Date(Date.now() - 3_600_000).toISOString(),
      statuses: ['failed', 'delivered'],
    });
    expect(bulk.status).toBe(202);
    expect(await bulk.json()).toMatchObject({ replayed: 1, gone: 2 });
    await env.runtime.idle();
    const sent = env.receiver.received.slice(before).map((r) => r.body);
    expect(sent.join('\n')).toContain('Fiona first');
    expect(sent.join('\n')).not.toContain('SECRETG');
    expect(sent.join('\n')).not.toContain('Gus');
  }, 60_000);

  it('opens again the suggestion a merge accepted, once the two are unmerged', async () => {
    await whatsapp('4915199999991', 'wamid.US1', 'my other phone is +49 151 99999992');
    await whatsapp('4915199999992', 'wamid.US2', 'hello from the other phone');
    const [h, i] = [
      await customerIdOf(env.runtime, '4915199999991'),
      await customerIdOf(env.runtime, '4915199999992'),
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
      await env.runtime.inbound.send([JSON.stringify(smsText(value, id, `text ${id}`))]);
      await idleAfterLaterLooks(env.runtime, queueTime);
    }
    const [k, o] = [
      await customerIdOf(env.runtime, '4915155555551'),
      await customerIdOf(env.runtime, '4915155555552'),
    ];
    expect((await api('POST', `/api/customers/${k}/merge`, { customerId: o })).status).toBe(200);
    // The merge carried the other's number, the latest written from.
    expect((await customer(k)).smsAddress).toBe('+4915155555552');
    expect((await api('POST', `/api/customers/${k}/unmerge`, { customerId: o })).status).toBe(200);
    const kept = await customer(k);
    expect(JSON.stringify(kept)).not.toContain('4915155555552');
    expect((await customer(o)).smsAddress).toBe('+4915155555552');
  }, 30_000);

  it('strips our replies to the customer given back from the delivery log: replay 410, audited under them', async () => {
    const json = async <T>(method: string, path: string, body?: unknown) => {
      const res = await api(method, path, body);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return (await res.json()) as T;
    };
    const sms = async (from: string, id: string, text: string) => {
      await env.runtime.inbound.send([JSON.stringify(smsText(from, id, text))]);
      await idleAfterLaterLooks(env.runtime, queueTime);
    };
    // Made after the tests before had their events published: the feed's list of subscriptions was
    // filled a moment before (see subscribe).
    const hook = await env.subscribe(['message.sent']);
    await whatsapp('16505550101', 'wamid.AL1', 'Alice here');
    await sms('+14155550202', 'SM-BOB1', 'Bob here');
    const [alice, bob] = [
      await customerIdOf(env.runtime, '16505550101'),
      await customerIdOf(env.runtime, '14155550202'),
    ];
    await json('POST', `/api/customers/${alice}/merge`, { customerId: bob });
    await env.runtime.idle();
    await sms('+14155550202', 'SM-BOB2', 'Bob while merged');
    const kept = await customer(alice);
    await json('POST', `/api/conversations/${kept.openConversationId}/replies`, {
      text: 'REPLYSECRET for Bob',
      channel: 'sms',
    });
    await idleAfterLaterLooks(env.runtime, queueTime);
    const listed = async () =>
      (await json<{ items: Delivery[] }>('GET', `/api/webhooks/${hook.id}/deliveries?limit=50`)).items;
    // The reply went out while merged, and its `message.sent` was delivered, before the unmerge: the
    // case this test is about.
    expect(await listed()).toMatchObject([{ status: 'delivered' }]);
    await json('POST', `/api/customers/${alice}/unmerge`, { customerId: bob });
    await idleAfterLaterLooks(env.runtime, queueTime);

    const deliveries = await listed();
    expect(deliveries).toHaveLength(1);
    const client = inspectionClient(env.runtime.dynamoEndpoint);
    const logged = async () =>
      JSON.stringify(
        (await scanTable(client, 'threadline')).filter((item) => item.entity === 'webhook_delivery'),
      );
    try {
      expect(await logged()).toContain('REPLYSECRET');
      const erased = await api('DELETE', `/api/customers/${bob}`);
      expect(erased.status).toBe(200);
      expect(((await erased.json()) as { complete: boolean }).complete).toBe(true);
      await env.runtime.idle();
      expect(await logged()).not.toContain('REPLYSECRET');
      expect(await logged()).not.toContain('Bob while merged');
    } finally {
      client.destroy();
    }

    // Our reply to Bob does not go out again.
    const before = env.receiver.received.length;
    const statuses: number[] = [];
    for (const delivery of deliveries) {
      statuses.push((await api('POST', `/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`)).status);
    }
    await env.runtime.idle();
    const sent = env.receiver.received
      .slice(before)
      .map((r) => r.body)
      .join('\n');
    expect(sent).not.toContain('REPLYSECRET');
    expect(sent).not.toContain('Bob');
    expect(statuses).toEqual([410]);

    // The replay refused is audited under the customer the words were of (the reply's delivery went
    // out under Alice's id: the erasure's strip names Bob).
    const audit = await json<{ items: Array<{ customerIds: string[] }> }>(
      'GET',
      '/api/audit?action=webhook_replay&limit=50',
    );
    expect(audit.items.filter((entry) => entry.customerIds.includes(bob))).toHaveLength(1);
  }, 90_000);
});
