import { describe, expect, it } from 'vitest';
import { useEchoRace } from '../support/echo-race.js';
import { messengerMessage, waitUntil } from '../support/webhooks.js';

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
  const { runtime, tick, post, timeline, replyInFlight, applyEcho, outbound, releaseThenRedeliver } =
    useEchoRace({
      name: 'echo-race',
      channel: 'messenger',
      providerMessageId: 'm_race_reply',
      start: '2026-12-04T15:00:00.000Z',
    });

  it('takes an echo that comes before the send is recorded for our reply, once, and answers nothing', async () => {
    await post(messenger(tick(), { mid: 'm_race_q1', text: 'Where is my parcel?' }));
    await runtime.idle();
    const { customerId, read, request, replyItemId } = await replyInFlight(
      { kind: 'messenger', value: `${PAGE}:${PSID}` },
      'On its way.',
    );

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
    await applyEcho(customerId, echo, 'm_race_reply');
    expect(await outbound(customerId)).toEqual([replyItemId]);
    const afterEcho = await read();
    expect(afterEcho.conversation.waitingSince).toBe(waiting.conversation.waitingSince);
    expect(afterEcho.conversation.answeredAt).toBe(waiting.conversation.answeredAt);
    expect(afterEcho.state).toEqual(waiting.state);

    // Meta answers our sender now; then the echo comes again (a redelivery).
    await releaseThenRedeliver(echo);
    expect(await outbound(customerId)).toEqual([replyItemId]);
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
