import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, signedTwilio, twilioSms } from '../support/webhooks.js';

const TWILIO_TOKEN = 'phone-noise-twilio-token';
const ACKNOWLEDGEMENT = 'Thanks for writing: a person will answer soon.';

/** A 30-second target around the clock, and the example policy's acknowledgement of an opened conversation. */
const POLICY = slaPolicyFile({ firstResponse: 'PT30S', nextResponse: 'PT30S' }, (policy) => {
  policy.automations = [
    {
      name: 'opened-acknowledgement',
      trigger: 'conversation_opened',
      actions: [{ type: 'reply', channel: 'last', text: ACKNOWLEDGEMENT }],
    },
  ];
});

type ConversationRead = Conversation & { waiting?: boolean; sla?: SlaState };

/**
 * What a phone sends that asks nothing wastes no agent's time: an SMS keyword (STOP, START, HELP) is
 * taken by the contact state, and a call's ringing and end, a hang-up before the beep and an empty
 * voicemail are shown, routed nowhere and wait for no one until the call settles, when a missed call
 * waits for a call-back (`missed-call-wait.test.ts`). A voicemail is the caller speaking, timed from itself.
 * Through the local runtime with signed Twilio requests, routing and the AI on, on manual time.
 */
describe('local runtime: SMS keywords and a call’s news are not the customer speaking', () => {
  const clock = useClockRuntime({
    metaSecret: 'phone-noise-meta-secret',
    agent: { token: agentToken('phone-noise-ana-token'), admin: true },
    policyFile: POLICY,
    routing: true,
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
  });
  const { manual, idle, advance, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const post = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${clock.runtime.url}${path}`, params, TWILIO_TOKEN));
    expect(answer.status, path).toBeLessThan(300);
    await idle();
    return answer.body;
  };
  const sms = (from: string, sid: string, text: string) =>
    post('/webhooks/twilio/sms', twilioSms({ sid, from, text }));
  const openInbox = async () =>
    (await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200')).items.map(
      (c) => c.id,
    );
  const events = async (customerId: string, event: string) =>
    (await timeline(customerId)).filter((i: TimelineItem) => i.event === event);
  const acknowledgements = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.type === 'message' && i.text === ACKNOWLEDGEMENT);

  /**
   * The customer asked nothing: their conversation waits on nobody and is out of the inbox, nothing was
   * routed or acknowledged, and no target breaches two minutes on.
   */
  const expectAskedNothing = async (customerId: string, conversationId: string) => {
    expect((await conversation(conversationId)).waiting).toBeFalsy();
    expect(await openInbox()).not.toContain(conversationId);
    expect(await events(customerId, 'routed')).toEqual([]);
    expect(await events(customerId, 'assigned')).toEqual([]);
    expect(await acknowledgements(customerId)).toEqual([]);
    // Within the missed call's 2-minute settle: nothing breached. Once settled it waits from the call's
    // end, so a target shorter than the settle is missed then (the local timers fire what fell due).
    await advance(100_000);
    expect(await events(customerId, 'sla_breached')).toEqual([]);
  };

  /** One call from `from`: its ringing, then each callback in turn, a second apart (Twilio times them on arrival). */
  const call = (from: string, sid: string) => {
    const params = {
      CallSid: sid,
      AccountSid: 'ACphonenoise000000000000000000000',
      From: from,
      To: '+15005550006',
      Direction: 'inbound',
    };
    return {
      ring: async () => {
        await post('/webhooks/twilio/voice', { ...params, CallStatus: 'ringing' });
        manual.advance(1000);
      },
      status: async (status: string, seconds: number) => {
        await post('/webhooks/twilio/voice/status', {
          ...params,
          CallStatus: status,
          CallDuration: String(seconds),
        });
        manual.advance(1000);
      },
      voicemail: async (seconds: number) => {
        const recording = `RE${sid.slice(2)}`;
        await post(`/webhooks/twilio/voice/recording?${new URLSearchParams({ From: from, To: params.To })}`, {
          AccountSid: params.AccountSid,
          CallSid: sid,
          RecordingSid: recording,
          RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/${recording}`,
          RecordingStatus: 'completed',
          RecordingDuration: String(seconds),
        });
        manual.advance(1000);
      },
    };
  };

  it('takes an SMS STOP as the contact state: not routed, waiting on nobody, no target breached', async () => {
    const phone = '+14155550171';
    await sms(phone, 'SMnoise00000000000000000000000001', 'STOP');
    const customer = await find(phone);
    const items = await timeline(customer.id);
    expect(items.filter((i) => i.type === 'message' && i.direction === 'inbound')).toMatchObject([
      { text: 'STOP', data: { optOut: 'stop' } },
    ]);
    const channels = await api<Array<{ channel: string; reason?: string }>>(
      'GET',
      `/api/customers/${customer.id}/channels`,
    );
    expect(channels.find((c) => c.channel === 'sms')).toMatchObject({ reason: 'sms_opted_out' });
    await expectAskedNothing(customer.id, items[0]?.conversationId ?? '');
  });

  it('leaves an open conversation as it was on STOP, START and HELP, and takes YES as an answer', async () => {
    const phone = '+14155550172';
    await sms(phone, 'SMnoise00000000000000000000000002', 'I want to speak to a person, please.');
    const customer = await find(phone);
    const id = customer.openConversationId ?? '';
    await advance(5_000);
    const reply = { text: 'Shall I refund the order?', channel: 'sms' };
    expect((await clock.call('POST', `/api/conversations/${id}/replies`, reply)).status).toBe(202);
    await advance(5_000);
    expect((await conversation(id)).waiting).toBeFalsy();
    const routed = (await events(customer.id, 'routed')).length;
    await sms(phone, 'SMnoise00000000000000000000000003', 'stop');
    await sms(phone, 'SMnoise00000000000000000000000004', 'Start');
    await sms(phone, 'SMnoise00000000000000000000000005', 'HELP');
    expect((await conversation(id)).waiting).toBeFalsy();
    expect(await events(customer.id, 'routed')).toHaveLength(routed);
    await advance(120_000);
    expect(await events(customer.id, 'sla_breached')).toEqual([]);
    // YES lifts an opt-out too, but it is the customer's answer to the question: it waits.
    await sms(phone, 'SMnoise00000000000000000000000006', 'Yes');
    expect((await conversation(id)).waiting).toBe(true);
    expect(await events(customer.id, 'routed')).toHaveLength(routed + 1);
  });

  it('shows a hang-up before the beep as a missed call, waiting on nobody until it settles, never acknowledged', async () => {
    const phone = '+14155550173';
    const c = call(phone, 'CAnoise00000000000000000000000001');
    await c.ring();
    await c.status('completed', 3);
    const customer = await find(phone);
    const items = await timeline(customer.id);
    expect(items.map((i) => i.event)).toEqual(['call_ringing', 'call_completed']);
    const id = items[0]?.conversationId ?? '';
    await expectAskedNothing(customer.id, id);
    await advance(25_000);
    // Settled (since 2026-12-07): it waits for a call-back from the call's end, never acknowledged by SMS.
    expect(await conversation(id)).toMatchObject({ waiting: true, missedCallAt: items[1]?.at });
    expect(await acknowledgements(customer.id)).toEqual([]);
  });

  it('waits on a voicemail from the voicemail, not the ring, acknowledged once, whatever the callbacks’ order', async () => {
    const phone = '+14155550174';
    const c = call(phone, 'CAnoise00000000000000000000000002');
    await c.ring();
    manual.advance(8_000);
    // Twilio does not promise the order: the hang-up's status comes before the recording.
    await c.status('completed', 25);
    const voicemailAt = new Date(manual.now()).toISOString();
    await c.voicemail(14);
    const customer = await find(phone);
    const id = customer.openConversationId ?? '';
    const now = await conversation(id);
    expect(now.waiting).toBe(true);
    expect(now.waitingSince).toBe(voicemailAt);
    expect(now.sla?.firstResponseDue).toBe(new Date(Date.parse(voicemailAt) + 30_000).toISOString());
    expect(await openInbox()).toContain(id);
    expect(await events(customer.id, 'routed')).toHaveLength(1);
    expect(await acknowledgements(customer.id)).toHaveLength(1);
    const calls = (await timeline(customer.id)).filter((i) => i.event?.startsWith('call_'));
    expect(calls.map((i) => [i.event, i.conversationId])).toEqual([
      ['call_ringing', id],
      ['call_completed', id],
      ['call_voicemail', id],
    ]);
  });

  it('keeps a voicemail of one second, and no-answer, as missed calls: not routed, waiting once settled', async () => {
    const phone = '+14155550175';
    const first = call(phone, 'CAnoise00000000000000000000000003');
    await first.ring();
    await first.voicemail(1);
    await first.status('completed', 9);
    const second = call(phone, 'CAnoise00000000000000000000000004');
    await second.ring();
    await second.status('no-answer', 0);
    const customer = await find(phone);
    const items = await timeline(customer.id);
    expect(items.map((i) => i.event)).toEqual([
      'call_ringing',
      'call_voicemail',
      'call_completed',
      'call_ringing',
      'call_missed',
    ]);
    const id = items[0]?.conversationId ?? '';
    await expectAskedNothing(customer.id, id);
    await advance(25_000);
    // Settled: the one conversation waits from the first missed call's end.
    expect(await conversation(id)).toMatchObject({ waiting: true, waitingSince: items[2]?.at });
  });

  it('leaves a waiting SMS conversation’s wait where it was when the customer calls and hangs up', async () => {
    const phone = '+14155550176';
    await sms(phone, 'SMnoise00000000000000000000000007', 'I want to speak to a person, please.');
    const customer = await find(phone);
    const id = customer.openConversationId ?? '';
    const before = await conversation(id);
    expect(before.waiting).toBe(true);
    manual.advance(10_000);
    const c = call(phone, 'CAnoise00000000000000000000000005');
    await c.ring();
    await c.status('completed', 2);
    const after = await conversation(id);
    expect(after.waitingSince).toBe(before.waitingSince);
    expect((await events(customer.id, 'call_completed'))[0]?.conversationId).toBe(id);
    expect(await events(customer.id, 'routed')).toHaveLength(1);
  });
});
