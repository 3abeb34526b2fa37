import { describe, expect, it } from 'vitest';
import { MISSED_CALL_SETTLE_MS } from '#shared/domain/missed-call.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { twilioCall } from '../support/twilio-caller.js';
import { deliver, signedTwilio, twilioSms } from '../support/webhooks.js';

const TWILIO_TOKEN = 'missed-call-place-twilio-token';
const HOUR = 60 * 60_000;

type ConversationRead = Conversation & { waiting?: boolean };

/**
 * Where a settled missed call waits: where a message of the caller's at the call would (the resolver's
 * rule). The conversation resolved before it is reopened only within REOPEN_WINDOW_HOURS (1 h here);
 * after it, the call opens a new one. A conversation opened during the settle (the caller texted after
 * hanging up) is the one it joins: never a second open conversation. Local runtime, manual time.
 */
describe('local runtime: a missed call follows the reopen window and the open conversation', () => {
  const clock = useClockRuntime({
    metaSecret: 'missed-call-place-meta-secret',
    agent: { token: agentToken('missed-call-place-ana-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT30M', nextResponse: 'PT30M' }),
    routing: true,
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN, REOPEN_WINDOW_HOURS: '1' },
  });
  const { manual, idle, advance, api } = clock;
  const { find } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const openOf = async (customerId: string) =>
    (
      await api<{ items: ConversationRead[] }>('GET', '/api/conversations?status=open&limit=200')
    ).items.filter((c) => c.customerId === customerId);
  const post = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${clock.runtime.url}${path}`, params, TWILIO_TOKEN));
    expect(answer.status, path).toBeLessThan(300);
    await idle();
  };
  const call = (from: string, sid: string) =>
    twilioCall(post, 'ACmissedplace000000000000000000000', from, sid);
  const at = () => new Date(manual.now()).toISOString();

  /** The caller's voicemail opens a conversation, which an agent resolves; its id. */
  const resolvedConversation = async (phone: string, sid: string) => {
    const first = call(phone, sid);
    await first.ring();
    await first.voicemail(10);
    await first.end('completed', 15);
    await advance(MISSED_CALL_SETTLE_MS);
    const id = (await find(phone)).openConversationId ?? '';
    expect((await clock.call('POST', `/api/conversations/${id}/resolve`, {})).status).toBeLessThan(300);
    await idle();
    return id;
  };

  /** A call that rings and ends unanswered (`status`) `laterMs` after the last; the time of its end. */
  const missedCall = async (phone: string, sid: string, laterMs: number, status: string) => {
    manual.advance(laterMs);
    const c = call(phone, sid);
    await c.ring();
    const endedAt = at();
    await c.end(status, status === 'completed' ? 4 : 0);
    return endedAt;
  };

  it('opens a new conversation for a missed call after the reopen window, the old one left resolved', async () => {
    const phone = '+14155550191';
    const old = await resolvedConversation(phone, 'CAmissedplace00000000000000000001');
    const endedAt = await missedCall(phone, 'CAmissedplace00000000000000000002', 2 * HOUR, 'no-answer');
    await advance(MISSED_CALL_SETTLE_MS);
    const customer = await find(phone);
    expect((await conversation(old)).status).toBe('resolved');
    const opened = customer.openConversationId ?? '';
    expect(opened).not.toBe(old);
    expect(await conversation(opened)).toMatchObject({
      status: 'open',
      waiting: true,
      waitingSince: endedAt,
      missedCallAt: endedAt,
      previousConversationId: old,
    });
    expect((await conversation(opened)).sla?.firstResponseDue).toBe(
      new Date(Date.parse(endedAt) + 30 * 60_000).toISOString(),
    );
    // The timer again: the same one conversation.
    await advance(MISSED_CALL_SETTLE_MS);
    expect((await openOf(customer.id)).map((c) => c.id)).toEqual([opened]);
  });

  it('still reopens the resolved conversation within the window', async () => {
    const phone = '+14155550192';
    const old = await resolvedConversation(phone, 'CAmissedplace00000000000000000003');
    const endedAt = await missedCall(phone, 'CAmissedplace00000000000000000004', HOUR / 2, 'busy');
    await advance(MISSED_CALL_SETTLE_MS);
    expect(await conversation(old)).toMatchObject({
      status: 'open',
      waitingSince: endedAt,
      missedCallAt: endedAt,
    });
    expect((await find(phone)).openConversationId).toBe(old);
  });

  it('joins the conversation the caller’s text opened during the settle, never a second open one', async () => {
    const phone = '+14155550193';
    const old = await resolvedConversation(phone, 'CAmissedplace00000000000000000005');
    const endedAt = await missedCall(phone, 'CAmissedplace00000000000000000006', 2 * HOUR, 'completed');
    manual.advance(30_000);
    const textedAt = at();
    await post(
      '/webhooks/twilio/sms',
      twilioSms({
        sid: 'SMmissedplace0000000000000000001',
        from: phone,
        text: 'Nobody picked up: talk to a person please',
      }),
    );
    const customer = await find(phone);
    const texted = customer.openConversationId ?? '';
    expect(texted).not.toBe(old);
    await advance(MISSED_CALL_SETTLE_MS);
    expect((await conversation(old)).status).toBe('resolved');
    expect(await conversation(texted)).toMatchObject({
      status: 'open',
      waitingSince: textedAt,
      missedCallAt: endedAt,
    });
    expect((await openOf(customer.id)).map((c) => c.id)).toEqual([texted]);
    expect((await find(phone)).openConversationId).toBe(texted);
    // Fired twice: nothing more.
    await advance(MISSED_CALL_SETTLE_MS);
    expect((await openOf(customer.id)).map((c) => c.id)).toEqual([texted]);
    expect((await conversation(old)).status).toBe('resolved');
  });
});
