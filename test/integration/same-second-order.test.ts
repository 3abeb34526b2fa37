import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, whatsappEcho, whatsappText } from '../support/webhooks.js';

const SECRET = 'same-second-secret';
const TOKEN = agentToken('same-second-token');

/**
 * WhatsApp times a message to the whole second, so a customer's question, the business app's answer
 * (an `smb_message_echoes` echo) and the customer's thanks can all carry one second. Their keys tie on
 * the time and used to sort by the provider's id (`wamid...`, no order): the answer above the question.
 * They read in the order they reached us, on every page, oldest-first or newest-first, and for the AI.
 */
describe('local runtime: messages of one second read in the order they came', () => {
  let now = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-order:${TOKEN}` },
    clock: { now: () => new Date(now) },
  });
  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const pages = async (customerId: string, limit: number): Promise<TimelineItem[]> => {
    const items: TimelineItem[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { items: TimelineItem[]; cursor: string | null } = await api(
        `/api/customers/${customerId}/timeline?${query}`,
      );
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  };

  it('keeps question, app answer and thanks of one second in their order, redelivered too', async () => {
    const waId = '447700900777';
    const second = now - 5_000;
    const at = new Date(second).toISOString();
    // The ids sort against the order they came in: Z (question), A (answer), M (thanks).
    const [question, answer, thanks] = ['wamid.Z1', 'wamid.A1', 'wamid.M1'];
    const before = new Date(second - 10_000).toISOString();
    now = second - 9_000;
    await post(whatsappText({ from: waId, messages: [{ id: 'wamid.H1', at: before, text: 'Hi' }] }));
    now = second + 1_200;
    await post(whatsappText({ from: waId, messages: [{ id: question, at, text: 'Do you deliver?' }] }));
    now = second + 1_500;
    await post(whatsappEcho({ to: waId, id: answer, at, text: 'Yes, on Fridays' }));
    now = second + 1_900;
    await post(whatsappText({ from: waId, messages: [{ id: thanks, at, text: 'Thanks!' }] }));
    // The provider's retry of the question, in a new webhook call: its first arrival stands.
    now = second + 2_300;
    await post(whatsappText({ from: waId, messages: [{ id: question, at, text: 'Do you deliver?' }] }));

    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${waId}` },
      { consistent: true },
    );
    if (!customerId) throw new Error('no customer');
    const ours = (items: readonly TimelineItem[]) =>
      items.filter((item) => item.type === 'message' && item.at === at).map((item) => item.providerMessageId);
    const order = [question, answer, thanks];
    expect(ours(await pages(customerId, 50))).toEqual(order);
    // A page never ends inside the second (it ends before it): the second reads whole, in order, once.
    for (const limit of [3, 4, 5]) expect(ours(await pages(customerId, limit))).toEqual(order);
    // Newest first (the web chat's reading) and the recent items routing and the AI read.
    const back = await runtime.store.timeline.timelineBack(customerId, { limit: 3 });
    expect(ours(back.items)).toEqual(order);
    expect(ours(await runtime.store.timeline.recentTimeline([customerId], 12))).toEqual(order);
  });

  it('orders two messages of one webhook call by their place in it', async () => {
    const waId = '447700900778';
    const second = Math.floor(now / 1000) * 1000 + 2_000;
    const at = new Date(second).toISOString();
    now = second + 800;
    await post(
      whatsappText({
        from: waId,
        messages: [
          { id: 'wamid.Y2', at, text: 'Hello' },
          { id: 'wamid.B2', at, text: 'Where is my order?' },
        ],
      }),
    );
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${waId}` },
      { consistent: true },
    );
    if (!customerId) throw new Error('no customer');
    const items = await pages(customerId, 50);
    expect(
      items.filter((item) => item.type === 'message' && item.at === at).map((item) => item.providerMessageId),
    ).toEqual(['wamid.Y2', 'wamid.B2']);
  });
});
