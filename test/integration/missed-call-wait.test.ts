import { describe, expect, it } from 'vitest';
import { MISSED_CALL_SETTLE_MS } from '#shared/domain/missed-call.js';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { twilioCall } from '../support/twilio-caller.js';
import { deliver, signedTwilio } from '../support/webhooks.js';

const TWILIO_TOKEN = 'missed-call-wait-twilio-token';
const POLICY = slaPolicyFile({ firstResponse: 'PT30M', nextResponse: 'PT30M' });

type ConversationRead = Conversation & { waiting?: boolean; sla?: SlaState };

/**
 * A missed call (a hang-up before the beep, no-answer, an empty voicemail, or a voicemail) waits for a
 * call-back: once the call has settled (its recording had time to land), its conversation is in the
 * waiting inbox, from the call's end, marked `missedCallAt`, its first-response target running; a
 * voicemail's own wait stays the one wait; an answer given before the settle leaves it answered; a reply
 * ends it. Through the local runtime with signed Twilio requests, on manual time.
 */
describe('local runtime: a missed call waits in the inbox once it has settled', () => {
  const calls: RecordedCall[] = [];
  const clock = useClockRuntime({
    metaSecret: 'missed-call-wait-meta-secret',
    agent: { token: agentToken('missed-call-wait-ana-token'), admin: true },
    policyFile: POLICY,
    routing: true,
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
    dynamoClient: (client) => {
      recordCalls(client, calls);
      return client;
    },
  });
  const { manual, idle, advance, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const waitingInbox = async () =>
    (await api<{ items: ConversationRead[] }>('GET', '/api/conversations?status=open&limit=200')).items;
  const post = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${clock.runtime.url}${path}`, params, TWILIO_TOKEN));
    expect(answer.status, path).toBeLessThan(300);
    await idle();
  };
  const at = () => new Date(manual.now()).toISOString();

  const call = (from: string, sid: string) =>
    twilioCall(post, 'ACmissedwait0000000000000000000000', from, sid);

  it('puts a hang-up before the beep in the waiting inbox after the settle, from the call, until a reply', async () => {
    const phone = '+14155550181';
    const c = call(phone, 'CAmissedwait000000000000000000001');
    await c.ring();
    manual.advance(3_000);
    const endedAt = at();
    await c.end('completed', 3);
    const customer = await find(phone);
    const id = customer.openConversationId ?? (await timeline(customer.id))[0]?.conversationId ?? '';
    // Not yet: the recording may still come.
    expect((await conversation(id)).waiting).toBeFalsy();
    await advance(MISSED_CALL_SETTLE_MS);
    const settled = await conversation(id);
    expect(settled).toMatchObject({ waiting: true, waitingSince: endedAt, missedCallAt: endedAt });
    expect(settled.sla?.firstResponseDue).toBe(new Date(Date.parse(endedAt) + 30 * 60_000).toISOString());
    expect((await waitingInbox()).find((c) => c.id === id)).toMatchObject({ missedCallAt: endedAt });
    // The timer again, late: nothing more.
    await advance(MISSED_CALL_SETTLE_MS);
    expect((await conversation(id)).waitingSince).toBe(endedAt);
    const reply = await clock.call('POST', `/api/conversations/${id}/replies`, {
      text: 'Calling you back now',
    });
    expect(reply.status).toBe(202);
    await idle();
    const answered = await conversation(id);
    expect(answered.waiting).toBeFalsy();
    expect(answered.missedCallAt).toBeUndefined();
    expect(answered.sla).toMatchObject({ responded: true, status: 'active' });
    expect(answered.sla?.firstResponseDue).toBeUndefined();
  });

  it('costs a hang-up’s status no DynamoDB call more, and its settle 5 (2 of them writes)', async () => {
    const phone = '+14155550185';
    const c = call(phone, 'CAmissedwait000000000000000000006');
    await c.ring();
    manual.advance(2_000);
    calls.length = 0;
    await c.end('completed', 2);
    // The status's own calls, as before: its timer is no DynamoDB call (the scheduler's, or the local store's).
    expect(calls.map((x) => x.command)).toEqual([
      'GetItem',
      'GetItem',
      'BatchGetItem',
      'UpdateItem',
      'PutItem',
    ]);
    calls.length = 0;
    await advance(MISSED_CALL_SETTLE_MS);
    // The timer's read, the wait's write, then the clock's: the conversation, the customer (SLA policy), the SLA.
    const settle = calls.filter((x) => x.pk !== '').map((x) => `${x.command} ${x.pk.split('#')[0]}`);
    expect(settle).toEqual([
      'GetItem CONVERSATION',
      'UpdateItem CONVERSATION',
      'GetItem CONVERSATION',
      'GetItem CUSTOMER',
      'UpdateItem CONVERSATION',
    ]);
  });

  it('keeps a voicemail’s wait the one wait, a later transcription joining it, marked a missed call', async () => {
    const phone = '+14155550182';
    const c = call(phone, 'CAmissedwait000000000000000000002');
    await c.ring();
    manual.advance(20_000);
    await c.end('completed', 20);
    manual.advance(1_000);
    const voicemailAt = at();
    await c.voicemail(14);
    const customer = await find(phone);
    const id = customer.openConversationId ?? '';
    expect((await conversation(id)).waitingSince).toBe(voicemailAt);
    await advance(MISSED_CALL_SETTLE_MS);
    await c.transcription('Please call me back about my order');
    const settled = await conversation(id);
    expect(settled).toMatchObject({ waiting: true, waitingSince: voicemailAt });
    expect(settled.missedCallAt).toBeDefined();
    expect((await waitingInbox()).filter((c) => c.id === id)).toHaveLength(1);
  });

  it('takes a call-back the customer answered as the answer, meeting the first-response target', async () => {
    const phone = '+14155550186';
    const c = call(phone, 'CAmissedwait000000000000000000007');
    await c.ring();
    await c.end('no-answer', 0);
    await advance(MISSED_CALL_SETTLE_MS);
    const customer = await find(phone);
    const id = customer.openConversationId ?? (await timeline(customer.id))[0]?.conversationId ?? '';
    expect((await conversation(id)).waiting).toBe(true);
    // The agent calls them back from our number (Twilio's outgoing call), and they talk for 40 s.
    const back = {
      CallSid: 'CAmissedwait000000000000000000008',
      AccountSid: 'ACmissedwait0000000000000000000000',
    };
    const leg = { ...back, From: '+15005550006', To: phone, Direction: 'outbound-api' };
    const firstResponses = async () =>
      (await api<{ overall: { firstResponseMs: { conversations: number } } }>('GET', '/api/metrics')).overall
        .firstResponseMs.conversations;
    const before = await firstResponses();
    await post('/webhooks/twilio/voice/status', { ...leg, CallStatus: 'completed', CallDuration: '40' });
    // The conversation's first response, in the metrics as a reply's would be; the call again: once.
    expect(await firstResponses()).toBe(before + 1);
    await post('/webhooks/twilio/voice/status', { ...leg, CallStatus: 'completed', CallDuration: '40' });
    expect(await firstResponses()).toBe(before + 1);
    const answered = await conversation(id);
    expect(answered.waiting).toBeFalsy();
    expect(answered.missedCallAt).toBeUndefined();
    expect(answered.sla).toMatchObject({ responded: true });
    expect(answered.sla?.firstResponseDue).toBeUndefined();
  });

  it('leaves a missed call answered before it settled answered', async () => {
    const phone = '+14155550183';
    const c = call(phone, 'CAmissedwait000000000000000000003');
    await c.ring();
    manual.advance(1_000);
    await c.end('no-answer', 0);
    const customer = await find(phone);
    const id = customer.openConversationId ?? (await timeline(customer.id))[0]?.conversationId ?? '';
    manual.advance(5_000);
    expect(
      (await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'Saw your call' })).status,
    ).toBe(202);
    await advance(MISSED_CALL_SETTLE_MS);
    const after = await conversation(id);
    expect(after.waiting).toBeFalsy();
    expect(after.missedCallAt).toBeUndefined();
  });

  it('reopens the caller’s resolved conversation for a missed call after its resolve', async () => {
    const phone = '+14155550184';
    const first = call(phone, 'CAmissedwait000000000000000000004');
    await first.ring();
    await first.voicemail(10);
    await first.end('completed', 15);
    const customer = await find(phone);
    const id = customer.openConversationId ?? '';
    await advance(MISSED_CALL_SETTLE_MS);
    expect((await clock.call('POST', `/api/conversations/${id}/resolve`, {})).status).toBeLessThan(300);
    await idle();
    manual.advance(60 * 60_000);
    const second = call(phone, 'CAmissedwait000000000000000000005');
    await second.ring();
    const endedAt = at();
    await second.end('busy', 0);
    expect((await conversation(id)).status).toBe('resolved');
    await advance(MISSED_CALL_SETTLE_MS);
    expect(await conversation(id)).toMatchObject({
      status: 'open',
      waiting: true,
      waitingSince: endedAt,
      missedCallAt: endedAt,
    });
    expect((await find(phone)).openConversationId).toBe(id);
    const items = await timeline(customer.id);
    expect(items.filter((i: TimelineItem) => i.event === 'call_missed')).toHaveLength(1);
  });
});
