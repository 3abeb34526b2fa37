import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type ClockRuntime, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, metaEvent, metaFixtureEvent, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'meta-automated-echo-secret';
const PAGE = '1000001';
/** The app of the instant reply fixture, named as an automation (Meta documents no id of its own). */
const AUTOMATION_APP = '1517776481860111';
const HOUR = 3_600_000;

type ConversationRead = Conversation & { waiting?: boolean; sla?: SlaState };

/** One Messenger event between the Page and `psid` at the runtime's time, handled; `echo`: the Page sent it. */
async function postMessenger(
  clock: ClockRuntime,
  psid: string,
  event: Record<string, unknown>,
  echo = false,
) {
  const [sender, recipient] = echo ? [PAGE, psid] : [psid, PAGE];
  const body = metaEvent({
    object: 'page',
    account: PAGE,
    ms: clock.manual.now(),
    event: { sender: { id: sender }, recipient: { id: recipient }, ...event },
  });
  const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', body, META_SECRET));
  expect(answer.status).toBe(200);
  await clock.idle();
}

/**
 * Meta Business Suite's automated responses (instant reply, away message) answer in the Page's name:
 * their echo carries the automation's `app_id` (META_AUTOMATION_APP_IDS). Such an echo is kept, marked
 * `automated`, and is no person's reply: the AI keeps the conversation, the wait and the response
 * target go on. A person's echo from the Page inbox (263902037430900) still answers as before. The
 * policy is open around the clock, so the AI answers whatever the time of the run.
 */
describe('local runtime: an automated Messenger greeting is no person replying', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('meta-automated-echo-token'), admin: true },
    policyFile: slaPolicyFile(
      { firstResponse: 'PT1H', nextResponse: 'PT1H', aiRepliesCount: true },
      (policy) => {
        (policy.businessHours as { hours: unknown }).hours = [
          { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open: '00:00', close: '24:00' },
        ];
      },
    ),
    routing: true,
    env: { META_AUTOMATION_APP_IDS: ` ${AUTOMATION_APP} ,42` },
  });
  const { manual, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const post = (psid: string, event: Record<string, unknown>, options: { echo?: boolean } = {}) =>
    postMessenger(clock, psid, event, options.echo);
  const say = (psid: string, mid: string, text: string) => post(psid, { message: { mid, text } });
  /** A fixture's echo, under its own mid. */
  const echo = (psid: string, name: string, mid: string) => {
    const event = metaFixtureEvent(name);
    return post(psid, { ...event, message: { ...(event.message as object), mid } }, { echo: true });
  };
  const reasons = (items: TimelineItem[]) =>
    items.filter((i) => i.event === 'routed').map((i) => (i.data as { reason?: string }).reason);
  const aiReplies = (items: TimelineItem[]) =>
    items.filter(
      (i) => (i.data?.author as { kind?: string } | undefined)?.kind === 'ai' && i.type === 'message',
    );

  it('keeps the echo, marked, and leaves the next message to the AI', async () => {
    const psid = '7900000000000301';
    await say(psid, 'm_auto_a', 'hey!');
    await echo(psid, 'messenger_echo_instant_reply', 'm_auto_greeting');
    manual.advance(60_000);
    await say(psid, 'm_auto_b', 'hello again!');
    const customer = await find(`${PAGE}:${psid}`);
    const items = await timeline(customer.id);
    const greeting = items.find((i) => i.providerMessageId === 'm_auto_greeting');
    expect(greeting).toMatchObject({
      direction: 'outbound',
      data: { automated: true, appId: AUTOMATION_APP },
    });
    expect(reasons(items)).not.toContain('human_took_over');
    expect(items.filter((i) => i.type === 'note')).toEqual([]);
    expect(aiReplies(items)).toHaveLength(2);
  });

  it('ends no wait and meets no target; a person in the Page inbox still does', async () => {
    const psid = '7900000000000401';
    await say(psid, 'm_auto_refund', 'my parcel arrived broken, I want a refund');
    const id = (await find(`${PAGE}:${psid}`)).openConversationId as string;
    const before = await conversation(id);
    expect(before).toMatchObject({ waiting: true, sla: { responded: false } });
    manual.advance(60_000);
    await echo(psid, 'messenger_echo_instant_reply', 'm_auto_away');
    const after = await conversation(id);
    expect(after).toMatchObject({
      waiting: true,
      waitingSince: before.waitingSince,
      sla: { responded: false },
    });
    expect(after.sla?.firstResponseDue).toBe(before.sla?.firstResponseDue);

    await echo(psid, 'messenger_echo_page_inbox', 'm_auto_person');
    const answered = await conversation(id);
    expect(answered.waiting).toBe(false);
    expect(answered.sla?.responded).toBe(true);
  });
});

/**
 * A lone referral (`messaging_referrals`: the customer followed a click-to-Messenger ad or an m.me link
 * into a thread that exists, and wrote nothing) is context for their next message: kept on the
 * timeline with the ad, it opens no wait, starts no response target and asks the AI nothing. The
 * customer's message after it starts the wait.
 */
describe('local runtime: a lone Messenger ad referral is context, not a message', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('meta-referral-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT1H', nextResponse: 'PT1H' }),
    routing: true,
  });
  const { advance, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const post = (psid: string, event: Record<string, unknown>) => postMessenger(clock, psid, event);

  it('keeps the ad on the timeline and waits from the message that follows it', async () => {
    const psid = '7900000000000501';
    await post(psid, metaFixtureEvent('messenger_referral_ad'));
    const customer = await find(`${PAGE}:${psid}`);
    const id = customer.openConversationId as string;
    let items = await timeline(customer.id);
    expect(items.filter((i) => i.type === 'message')).toMatchObject([
      {
        direction: 'inbound',
        conversationId: id,
        data: { context: true, referral: { ad_id: '6045246247433', ref: 'winter-sale', source: 'ADS' } },
      },
    ]);
    expect(items.filter((i) => i.event === 'routed' || i.direction === 'outbound')).toEqual([]);
    expect(await conversation(id)).toMatchObject({ waiting: false });
    // No response target runs on it: two hours on, nothing was missed.
    await advance(2 * HOUR);
    expect((await conversation(id)).sla?.breaches ?? []).toEqual([]);

    await post(psid, { message: { mid: 'm_after_ad', text: 'my parcel arrived broken, I want a refund' } });
    items = await timeline(customer.id);
    const message = items.find((i) => i.providerMessageId === 'm_after_ad');
    expect(message?.conversationId).toBe(id);
    expect(items.filter((i) => i.event === 'routed')).toHaveLength(1);
    expect(await conversation(id)).toMatchObject({ waiting: true, waitingSince: message?.at });
  });
});
