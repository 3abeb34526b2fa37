import { afterAll, describe, expect, it } from 'vitest';
import { HeldMetaSender } from '../support/held-meta-sender.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, messengerMessage, signedMeta, waitUntil } from '../support/webhooks.js';

const SECRET = 'echo-race-secret';
const TOKEN = 'echo-race-token';
const PAGE = '1234567890';
const PSID = '5550003001';
/** Our app's id as Meta would stamp it on the echo; the resolver does not know it. */
const OUR_APP = 1517776481860111;

/** A Messenger body with one `messaging[]` event, from the person or (`echo`) from the Page. */
function messenger(ms: number, message: Record<string, unknown>, echo = false): unknown {
  return messengerMessage({ page: PAGE, psid: PSID, ms, message, echo });
}

/**
 * The echo race: Meta may deliver the echo of our own Messenger reply before the Send API's answer
 * reaches our sender (tens of milliseconds). Such an echo is our reply, not a person's answer from the
 * Page inbox: it writes no second outbound item and answers nothing, whichever comes first, and again
 * on a redelivery. Through the local runtime, the interleaving forced by a sender held mid-call.
 */
describe('local runtime: the echo of our reply that overtakes our sender', () => {
  const sender = new HeldMetaSender('m_race_reply');
  let now = Date.parse('2026-12-04T15:00:00.000Z');
  const tick = () => {
    now += 1_000;
    return now;
  };

  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-race:${TOKEN}` },
    clock: { now: () => new Date(now) },
    senders: { messenger: sender },
  });
  // Registered after the runtime's own, so it runs first: the held send lets go before the close.
  afterAll(() => {
    sender.release();
  });

  const post = async (payload: unknown) => {
    expect((await deliver(signedMeta(runtime.url, '/webhooks/meta', payload, SECRET))).status).toBe(200);
  };
  const timeline = async (customerId: string) =>
    (await runtime.store.timeline.timeline(customerId, { limit: 50 })).items;

  it('takes an echo that comes before the send is recorded for our reply, once, and answers nothing', async () => {
    await post(messenger(tick(), { mid: 'm_race_q1', text: 'Where is my parcel?' }));
    await runtime.idle();
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'messenger', value: `${PAGE}:${PSID}` },
      { consistent: true },
    );
    if (!customerId) throw new Error('no customer');
    const conversationId = (await runtime.store.customers.getCustomer(customerId))?.openConversationId;
    const read = async () => {
      const snapshot = await runtime.store.conversationState.getConversationState(conversationId as string);
      if (!snapshot) throw new Error('no conversation');
      return snapshot;
    };

    tick();
    const res = await fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'On its way.' }),
    });
    expect(res.status).toBe(202);
    await waitUntil(() => sender.requests.length === 1, 'the sender called Meta');
    const [request] = sender.requests;
    const replyItemId = `reply:${request?.message.id}`;

    // The customer writes again while our send is in flight; then Meta's echo of the reply overtakes
    // the Send API's answer.
    const again = tick();
    await post(messenger(again, { mid: 'm_race_q2', text: 'Today?' }));
    await waitUntil(
      async () => (await read()).conversation.lastMessageAt === new Date(again).toISOString(),
      'the second message is on the conversation',
    );
    const waiting = await read();
    const echoedAt = tick();
    const echo = messenger(
      echoedAt,
      {
        mid: 'm_race_reply',
        text: 'On its way.',
        app_id: OUR_APP,
        ...(request?.body.message.metadata ? { metadata: request.body.message.metadata } : {}),
      },
      true,
    );
    await post(echo);
    await waitUntil(
      async () => (await timeline(customerId)).some((i) => i.providerMessageId === 'm_race_reply'),
      'the echo is applied',
    );
    const outbound = async () =>
      (await timeline(customerId)).filter((i) => i.direction === 'outbound').map((i) => i.id);
    expect(await outbound()).toEqual([replyItemId]);
    const afterEcho = await read();
    expect(afterEcho.conversation.waitingSince).toBe(waiting.conversation.waitingSince);
    expect(afterEcho.conversation.answeredAt).toBe(waiting.conversation.answeredAt);
    expect(afterEcho.state).toEqual(waiting.state);

    // Meta answers our sender now; then the echo comes again (a redelivery).
    sender.release();
    await runtime.idle();
    await post(echo);
    await runtime.idle();
    expect(await outbound()).toEqual([replyItemId]);
    const reply = (await timeline(customerId)).find((i) => i.id === replyItemId);
    expect([reply?.providerMessageId, reply?.status]).toEqual(['m_race_reply', 'sent']);
    const settled = await read();
    // The customer wrote after our reply: they still wait (from their oldest unanswered message, as
    // for any reply that a later message overtakes), and the echo answered nothing.
    expect(settled.conversation.waitingSince).toBe(waiting.conversation.waitingSince);
    expect(settled.state.firstResponseAt).not.toBe(new Date(echoedAt).toISOString());
    expect(settled.conversation.answeredAt).not.toBe(new Date(echoedAt).toISOString());
  });
});
