import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startRuntimeOnFakeGraph } from '../support/fake-graph-runtime.js';
import { deliver, messengerMessage, signedMeta } from '../support/webhooks.js';

const SECRET = 'meta-send-refusals-secret';
const AGENT = agentToken('meta-send-refusals-agent');
const PAGE = '1000001';
const PAGE_TOKEN = 'EAAB-fake-page-token';

/**
 * Replies on Messenger go to META_GRAPH_URL when it is set (a local fake here), as media fetching did:
 * a refusal by the Send API can be rehearsed locally, and the reply's timeline item shows what Meta's
 * code means. Before, sends went to graph.facebook.com whatever the setting.
 */
describe('local runtime: Messenger replies the Send API refuses show what the code means', () => {
  let runtime: LocalRuntime;
  let graph: Awaited<ReturnType<typeof startRuntimeOnFakeGraph>>['graph'];
  let close: () => Promise<void> = async () => {};
  const api = agentCaller(() => runtime.url, AGENT);
  let psid = 6543210987650000;

  beforeAll(async () => {
    ({ runtime, graph, close } = await startRuntimeOnFakeGraph({
      pageToken: PAGE_TOKEN,
      // One attempt: a refusal of our token, retried before, is given up on at once.
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-ana:${AGENT}`, OUTBOUND_MAX_ATTEMPTS: '1' },
      routing: false,
    }));
  }, 60_000);

  afterAll(() => close());

  /** A new Messenger customer writes; an agent answers; what their reply's timeline item became. */
  const answered = async () => {
    const id = String(++psid);
    const payload = messengerMessage({
      page: PAGE,
      psid: id,
      ms: Date.now(),
      message: { mid: `m_in${id}`, text: 'Hello?' },
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/meta', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    const cid = await runtime.store.customers.findCustomerId(
      { kind: 'messenger', value: `${PAGE}:${id}` },
      { consistent: true },
    );
    const customer = cid ? await runtime.store.customers.getCustomer(cid) : undefined;
    if (!customer?.openConversationId) throw new Error('no conversation');
    return { id, customerId: customer.id, conversationId: customer.openConversationId };
  };
  const replyItem = async (refusal?: { code: number; subcode?: number }) => {
    const { id, customerId, conversationId } = await answered();
    if (refusal) graph.refusals.set(id, refusal);
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'On it' });
    await runtime.idle();
    const page = await api<{ items: Array<Record<string, unknown>> }>(
      'GET',
      `/api/customers/${customerId}/timeline?limit=50`,
    );
    return { id, item: page.items.find((i) => i.type === 'message' && i.direction === 'outbound') };
  };

  it('sends through the fake Graph with the Page token', async () => {
    const { id, item } = await replyItem();
    expect(item).toMatchObject({ status: 'sent' });
    const post = graph.seen.find(
      (s) => s.method === 'POST' && (s.body as { recipient?: { id?: string } }).recipient?.id === id,
    );
    expect(post).toMatchObject({ path: `/v23.0/${PAGE}/messages`, authorization: `Bearer ${PAGE_TOKEN}` });
  });

  it.each([
    [{ code: 190 }, '190', 'renew the Page access token'],
    [{ code: 10 }, '10', 'pages_messaging'],
  ])(
    'retries refusal %j of our token; out of attempts, shows it given up on for that (redrivable)',
    async (refusal, code, hint) => {
      const { item } = await replyItem(refusal);
      expect(item).toMatchObject({ status: 'failed' });
      const errors = JSON.stringify(item?.errors);
      expect(errors).toContain('"gave_up"');
      expect(errors).toContain('channel credentials refused: tell an admin');
      expect(errors).toContain(`error ${code}`);
      expect(errors).toContain(hint);
    },
  );

  it.each([
    [{ code: 10, subcode: 2018278 }, '10/2018278', 'more than 24 hours since the customer last wrote'],
    [{ code: 551 }, '551', "this person isn't available right now"],
  ])('shows refusal %j as failed with its code and what it means', async (refusal, code, hint) => {
    const { item } = await replyItem(refusal);
    expect(item).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(item?.errors)).toContain(code);
    expect(JSON.stringify(item?.errors)).toContain(hint);
  });
});
