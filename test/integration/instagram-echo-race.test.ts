import { describe, expect, it } from 'vitest';
import { useEchoRace } from '../support/echo-race.js';
import { IG_ACCOUNT, instagramText } from '../support/webhooks.js';

const IGSID = '6660004001';
const OUR_APP = 1517776481860111;

/** An Instagram echo of a message the account sent (`is_echo`, on the `messages` field, no `metadata`). */
function instagramEcho(options: { mid: string; ms: number; text: string }): unknown {
  return {
    object: 'instagram',
    entry: [
      {
        id: IG_ACCOUNT,
        time: options.ms,
        messaging: [
          {
            sender: { id: IG_ACCOUNT },
            recipient: { id: IGSID },
            timestamp: options.ms,
            message: { mid: options.mid, text: options.text, is_echo: true, app_id: OUR_APP },
          },
        ],
      },
    ],
  };
}

/**
 * Instagram echoes every message the account sends, ours too, and the echo may overtake the Send API's
 * answer to our sender. Instagram hands back no `metadata`, so before, such an echo was written as a
 * second outbound item and taken for a person's answer from the Instagram app (the wait ended, the
 * first response counted, the AI silenced). It is our reply in the middle of its send: recognised by
 * that reply, whichever comes first, and again on a redelivery.
 */
describe('local runtime: the Instagram echo of our reply that overtakes our sender', () => {
  const { sender, runtime, tick, post, timeline, replyInFlight, applyEcho, outbound, releaseThenRedeliver } =
    useEchoRace({
      name: 'ig-echo-race',
      channel: 'instagram',
      providerMessageId: 'ig_race_reply',
      start: '2026-12-04T16:00:00.000Z',
    });

  it('takes the echo that comes before the send result for our reply: one item, no answer', async () => {
    const asked = tick();
    await post(
      instagramText({
        sender: IGSID,
        mid: 'ig_race_q1',
        at: new Date(asked).toISOString(),
        text: 'Is the blue one in stock?',
      }),
    );
    await runtime.idle();
    const { customerId, read, request, replyItemId } = await replyInFlight(
      { kind: 'instagram', value: `${IG_ACCOUNT}:${IGSID}` },
      'Yes, two left.',
    );
    expect(request?.body.message.metadata).toBeUndefined();
    const before = await read();

    // Meta's echo of the reply overtakes the Send API's answer.
    const echo = instagramEcho({ mid: 'ig_race_reply', ms: tick(), text: 'Yes, two left.' });
    await applyEcho(customerId, echo, 'ig_race_reply');
    expect(await outbound(customerId)).toEqual([replyItemId]);
    const afterEcho = await read();
    expect(afterEcho.state.humanRepliedAt).toBe(before.state.humanRepliedAt);
    expect(afterEcho.state.firstResponseAt).toBe(before.state.firstResponseAt);

    // Meta answers our sender now; then the echo comes again (a redelivery).
    await releaseThenRedeliver(echo);
    expect(await outbound(customerId)).toEqual([replyItemId]);
    const reply = (await timeline(customerId)).find((i) => i.id === replyItemId);
    expect([reply?.providerMessageId, reply?.status]).toEqual(['ig_race_reply', 'sent']);
    // The agent's reply answered (as the sender records it), once; the echo answered nothing more.
    const settled = await read();
    expect(settled.conversation.waitingSince).toBeUndefined();
    const ref = await runtime.store.timeline.getTimelineItem(customerId, reply?.at ?? '', replyItemId);
    expect(ref?.status).toBe('sent');
  });

  it('still takes a person’s answer from the Instagram app as one', async () => {
    sender.release();
    const ms = tick();
    await post(instagramEcho({ mid: 'ig_app_answer', ms, text: 'Answered from the app' }));
    await runtime.idle();
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'instagram', value: `${IG_ACCOUNT}:${IGSID}` },
      { consistent: true },
    );
    const items = await timeline(customerId ?? '');
    expect(items.filter((i) => i.providerMessageId === 'ig_app_answer').map((i) => i.direction)).toEqual([
      'outbound',
    ]);
  });
});
