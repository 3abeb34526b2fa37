import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '#shared/domain/envelope.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startRuntimeOnFakeGraph } from '../support/fake-graph-runtime.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { deliver, IG_ACCOUNT, instagramText, messengerMessage, signedMeta } from '../support/webhooks.js';

const SECRET = 'meta-profile-names-secret';
const AGENT = agentToken('meta-profile-names-agent');
const PAGE = '1000002';
const PAGE_TOKEN = 'EAAB-fake-page-token-for-names';
const ASK = 'I want to talk to a human please';

/**
 * Messenger and Instagram webhooks carry no name: the resolver asks Meta's profile API (here the fake
 * Graph) once for a customer with none, after the message is stored and before routing, so the inbox,
 * the search and the hand-off note name them. A refusal leaves the customer nameless and is not asked again.
 */
describe('local runtime: Messenger and Instagram customers are named from their Meta profile', () => {
  let runtime: LocalRuntime;
  let graph: Awaited<ReturnType<typeof startRuntimeOnFakeGraph>>['graph'];
  let close: () => Promise<void> = async () => {};
  const api = agentCaller(() => runtime.url, AGENT);
  let mid = 0;

  beforeAll(async () => {
    ({ runtime, graph, close } = await startRuntimeOnFakeGraph({
      pageToken: PAGE_TOKEN,
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-ana:${AGENT}`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile(),
      },
      routing: true,
    }));
  }, 60_000);

  afterAll(() => close());

  const post = async (body: unknown, path = '/webhooks/meta') => {
    const res = await deliver(signedMeta(runtime.url, path, body, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const messenger = (psid: string, text = ASK) =>
    post(messengerMessage({ page: PAGE, psid, ms: Date.now(), message: { mid: `m_name${++mid}`, text } }));
  const customerOf = async (identity: Identity) => {
    const id = await runtime.store.customers.findCustomerId(identity, { consistent: true });
    const customer = id ? await runtime.store.customers.getCustomer(id) : undefined;
    if (!customer) throw new Error('no customer');
    return customer;
  };
  const lookups = (scoped: string) =>
    graph.seen.filter((s) => s.method === 'GET' && s.path.startsWith(`/v23.0/${scoped}?`));
  const timeline = async (customerId: string) =>
    (
      await api<{ items: Array<Record<string, unknown>> }>(
        'GET',
        `/api/customers/${customerId}/timeline?limit=50`,
      )
    ).items;

  it('names a new Messenger customer "First Last", found by search and in the hand-off note', async () => {
    graph.profiles.set('7100000000000001', { first_name: 'Rosa', last_name: 'Quintero' });
    await messenger('7100000000000001');
    const customer = await customerOf({ kind: 'messenger', value: `${PAGE}:7100000000000001` });
    expect(customer.name).toBe('Rosa Quintero');
    expect(lookups('7100000000000001')).toEqual([
      expect.objectContaining({
        path: '/v23.0/7100000000000001?fields=first_name,last_name',
        authorization: `Bearer ${PAGE_TOKEN}`,
      }),
    ]);
    const found = await api<{ items: Array<{ id: string }> }>('GET', '/api/customers?q=quintero');
    expect(found.items.map((c) => c.id)).toContain(customer.id);
    const note = (await timeline(customer.id)).find((i) => i.type === 'note');
    expect(String(note?.text)).toContain('Rosa Quintero');
    // The next message asks nothing: the profile has its name.
    await messenger('7100000000000001', 'Still there?');
    expect(lookups('7100000000000001')).toHaveLength(1);
  });

  it('names an Instagram customer by their name, else their @username', async () => {
    graph.profiles.set('7200000000000001', { name: 'Iker Sola', username: 'ikersola' });
    graph.profiles.set('7200000000000002', { username: 'nightowl.77' });
    const at = new Date().toISOString();
    await post(instagramText({ sender: '7200000000000001', mid: 'ig_name1', at, text: ASK }));
    await post(instagramText({ sender: '7200000000000002', mid: 'ig_name2', at, text: ASK }));
    const named = await customerOf({ kind: 'instagram', value: `${IG_ACCOUNT}:7200000000000001` });
    const user = await customerOf({ kind: 'instagram', value: `${IG_ACCOUNT}:7200000000000002` });
    expect(named.name).toBe('Iker Sola');
    expect(user.name).toBe('nightowl.77');
    expect(lookups('7200000000000001')[0]?.path).toBe('/v23.0/7200000000000001?fields=name,username');
  });

  it('stores and routes the message Graph refuses to describe (190), and does not ask again', async () => {
    graph.refusals.set('7100000000000002', { code: 190 });
    await messenger('7100000000000002');
    const customer = await customerOf({ kind: 'messenger', value: `${PAGE}:7100000000000002` });
    expect(customer.name).toBeUndefined();
    const items = await timeline(customer.id);
    expect(items.find((i) => i.type === 'message' && i.direction === 'inbound')).toBeDefined();
    expect(items.find((i) => i.event === 'routed')).toBeDefined();
    expect(String(items.find((i) => i.type === 'note')?.text)).toContain('Customer with no name on file');
    expect(lookups('7100000000000002')).toHaveLength(1);
    // Meta would answer now: the refusal is remembered on the profile, the next message asks nothing.
    graph.refusals.delete('7100000000000002');
    graph.profiles.set('7100000000000002', { first_name: 'Late', last_name: 'Answer' });
    await messenger('7100000000000002', 'Hello again');
    expect(lookups('7100000000000002')).toHaveLength(1);
    expect((await customerOf({ kind: 'messenger', value: `${PAGE}:7100000000000002` })).name).toBeUndefined();
  });

  it('makes no second lookup for a redelivered first message', async () => {
    graph.profiles.set('7100000000000003', { first_name: 'Noor' });
    const body = messengerMessage({
      page: PAGE,
      psid: '7100000000000003',
      ms: Date.now(),
      message: { mid: 'm_name_redelivered', text: 'Hi' },
    });
    await post(body);
    await post(body);
    expect(lookups('7100000000000003')).toHaveLength(1);
    expect((await customerOf({ kind: 'messenger', value: `${PAGE}:7100000000000003` })).name).toBe('Noor');
  });
});
