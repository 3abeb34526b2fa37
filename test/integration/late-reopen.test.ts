import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { deliver, signedMeta, signedTwilio, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'late-reopen-meta-secret';
const TWILIO_TOKEN = 'late-reopen-twilio-token';

/** A target around the clock, and a rule that notes every (re)opened conversation, as "we are closed" would reply. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.sla = {
      calendars: {},
      policies: [
        {
          name: 'all',
          match: {},
          firstResponse: 'PT30S',
          nextResponse: 'PT30S',
          resolution: 'PT10H',
          calendar: false,
          onBreach: [],
        },
      ],
    };
    policy.automations = [
      {
        name: 'opened-note',
        trigger: 'conversation_opened',
        actions: [{ type: 'note', text: 'Opened: we will answer when we open.' }],
      },
    ];
  });
}

type ConversationRead = Conversation & { waiting?: boolean; sla?: SlaState };

/**
 * Time moves only when the test says so. The customer's message that the agent could not have seen
 * before resolving (sent in the same second, or before the resolve and delivered after it) reopens the
 * conversation, as a later one does; its redelivery after the next resolve does not. A voicemail's
 * transcription that comes after the resolve completes the voicemail: it reopens nothing.
 */
describe('local runtime: a message received after the resolve reopens, whatever its time', () => {
  const calls: RecordedCall[] = [];
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('late-reopen-ana-token'), admin: true },
    policyFile: policyFile(),
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
    dynamoClient: (client) => {
      recordCalls(client, calls);
      return client;
    },
  });
  const { manual, idle, advance, whatsapp, api, call } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const openInbox = async () =>
    (await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200')).items.map(
      (c) => c.id,
    );
  /** A WhatsApp message timed `at` (whole seconds on the wire), delivered now. */
  const whatsappAt = async (from: string, id: string, at: number, text: string) => {
    const payload = whatsappText({ from, messages: [{ id, at: new Date(at).toISOString(), text }] });
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };
  const opened = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.event === 'automation').map((i) => i.data?.triggeredAt);

  /** The customer's conversation resolved by the agent `afterMs` past the whole second of its message. */
  async function resolvedConversation(phone: string, afterMs: number) {
    const sent = manual.now();
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'My order is late' });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId ?? '';
    await advance(afterMs);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    return { customerId: customer.id, id, sent };
  }

  it('reopens on a message of the same second as the resolve, which the agent never saw', async () => {
    const phone = '447700900801';
    const { customerId, id, sent } = await resolvedConversation(phone, 5_400);
    expect((await conversation(id)).status).toBe('resolved');
    await advance(300);
    // WhatsApp times it to the second: the resolve's own second.
    const late = new Date(sent + 5_000).toISOString();
    await whatsappAt(phone, `wamid.${phone}.2`, sent + 5_000, 'Wait, one more question');
    const now = await conversation(id);
    // Waiting from when we received it, after the resolve, never from before it.
    const received = new Date(sent + 5_700).toISOString();
    expect(now).toMatchObject({ status: 'open', waiting: true, waitingSince: received });
    expect(await openInbox()).toContain(id);
    expect((await find(`+${phone}`)).openConversationId).toBe(id);
    // The reopen is announced once, for this message, as any reopen is; its target runs.
    expect(await opened(customerId)).toEqual([new Date(sent).toISOString(), late]);
    expect(now.sla?.endedAt).toBeUndefined();
  });

  it('reopens on a message sent before the resolve and delivered after it', async () => {
    const phone = '447700900802';
    const { id, sent } = await resolvedConversation(phone, 3_000);
    await advance(2_000);
    await whatsappAt(phone, `wamid.${phone}.2`, sent + 2_000, 'Sent before you resolved');
    expect(await conversation(id)).toMatchObject({ status: 'open', waiting: true });
    expect(await openInbox()).toContain(id);
  });

  it('does not reopen again on a redelivery after the next resolve, nor announce it', async () => {
    const phone = '447700900803';
    const { customerId, id, sent } = await resolvedConversation(phone, 400);
    await advance(300);
    await whatsappAt(phone, `wamid.${phone}.2`, sent, 'Wait, one more question');
    expect((await conversation(id)).status).toBe('open');
    await advance(1_000);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const announced = await opened(customerId);
    await advance(5_000);
    // WhatsApp delivers it again (it may, at least once): it was placed and answered already.
    await whatsappAt(phone, `wamid.${phone}.2`, sent, 'Wait, one more question');
    expect(await conversation(id)).toMatchObject({ status: 'resolved' });
    expect((await conversation(id)).waiting).toBeFalsy();
    expect(await openInbox()).not.toContain(id);
    expect(await opened(customerId)).toEqual(announced);
  });

  it('keeps a voicemail resolved when its transcription comes after the resolve, with the text on its conversation', async () => {
    const phone = '+447700900804';
    const twilio = (path: string, params: Record<string, string>) =>
      deliver(signedTwilio(`${clock.runtime.url}${path}`, params, TWILIO_TOKEN));
    const call = {
      AccountSid: 'AC00000000000000000000000000000000',
      CallSid: 'CAlatereopen0000000000000000000001',
      From: phone,
      To: '+15005550006',
    };
    const recordingSid = 'RElatereopen0000000000000000000001';
    const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/${recordingSid}`;
    const recording = `/webhooks/twilio/voice/recording?${new URLSearchParams({ From: phone, To: call.To })}`;
    const voicemail = {
      AccountSid: call.AccountSid,
      CallSid: call.CallSid,
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl,
      RecordingStatus: 'completed',
      RecordingDuration: '9',
    };
    expect((await twilio(recording, voicemail)).status).toBe(204);
    await idle();
    const customer = await find(phone);
    const id = customer.openConversationId ?? '';
    await advance(10_000);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const announced = await opened(customer.id);
    await advance(20_000);
    const transcription = {
      ...call,
      CallStatus: 'completed',
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl,
      TranscriptionSid: 'TRlatereopen0000000000000000000001',
      TranscriptionStatus: 'completed',
      TranscriptionText: 'Please call me back about my order',
    };
    expect((await twilio('/webhooks/twilio/voice/transcription', transcription)).status).toBe(204);
    // Twilio retries the recording callback too: the voicemail is placed already.
    expect((await twilio(recording, voicemail)).status).toBe(204);
    await idle();
    const now = await conversation(id);
    expect(now.status).toBe('resolved');
    expect(now.waiting).toBeFalsy();
    expect(await openInbox()).not.toContain(id);
    expect((await find(phone)).openConversationId).toBeUndefined();
    expect(await opened(customer.id)).toEqual(announced);
    const text = (await timeline(customer.id)).find((i: TimelineItem) => i.event === 'call_transcription');
    expect(text).toMatchObject({ conversationId: id, text: 'Please call me back about my order' });
    // No target started: nothing breaches.
    await advance(60_000);
    expect((await timeline(customer.id)).filter((i) => i.event === 'sla_breached')).toEqual([]);
  });

  /**
   * The customer's message of `OLD` (WhatsApp's retry of a week, a replay of their history) delivered
   * now, and again: filed on the timeline at its own time, in the conversation it finds. Answers when
   * we received it.
   */
  const OLD = '2024-05-01T09:00:00.000Z';
  const oldMessage = async (phone: string) => {
    await advance(2_000);
    const received = new Date(manual.now()).toISOString();
    for (let i = 0; i < 2; i++)
      await whatsappAt(phone, `wamid.${phone}.old`, Date.parse(OLD), 'old ticket: invoice');
    return received;
  };
  /** The customer's conversation, which an agent answered a second after its message. */
  async function answeredConversation(phone: string) {
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'My parcel never arrived' });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId ?? '';
    await advance(1_000);
    const reply = await call('POST', `/api/conversations/${id}/replies`, { text: 'We are on it.' });
    expect(reply.status).toBe(202);
    await idle();
    const answered = await conversation(id);
    expect(answered.answeredAt).toBeDefined();
    return { customerId: customer.id, id, answered };
  }
  const filedAtItsTime = async (customerId: string, id: string) =>
    expect((await timeline(customerId)).filter((i) => i.text === 'old ticket: invoice')).toEqual([
      expect.objectContaining({ at: OLD, conversationId: id }),
    ]);

  it('reopens on a message from long before the conversation, waiting and timed from when we received it', async () => {
    const phone = '447700900807';
    const { customerId, id } = await answeredConversation(phone);
    await advance(1_000);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const received = await oldMessage(phone);
    const now = await conversation(id);
    // Never before the resolve it came after (the agent never saw it), nor the conversation's start.
    expect(now).toMatchObject({ status: 'open', waiting: true, waitingSince: received });
    expect(now.preview).toBe('My parcel never arrived');
    await filedAtItsTime(customerId, id);
    // Its targets too run from then: the next response and the resolution, nothing breached at once
    // (before 2026-12-07 they ran from 2024, breached as the reopen came).
    const due = (ms: number) => new Date(Date.parse(received) + ms).toISOString();
    expect(now.sla).toMatchObject({ nextResponseDue: due(30_000), resolutionDue: due(36_000_000) });
    expect(now.sla?.breaches).toEqual([]);
    await advance(10_000);
    expect((await timeline(customerId)).filter((i) => i.event === 'sla_breached')).toEqual([]);
  });

  it('waits from our receipt on a message from long before an answered conversation, its preview kept', async () => {
    const phone = '447700900808';
    const { customerId, id, answered } = await answeredConversation(phone);
    const received = await oldMessage(phone);
    const now = await conversation(id);
    // The answer did not see it (it came after), but the wait starts after the answer.
    expect(now).toMatchObject({ status: 'open', waiting: true, waitingSince: received });
    expect(now.preview).toBe('My parcel never arrived');
    expect(now.lastInboundAt).toBe(answered.lastInboundAt);
    await filedAtItsTime(customerId, id);
  });

  it('keeps the wait and the preview of a waiting conversation on a message from long before it', async () => {
    const phone = '447700900809';
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'My parcel never arrived' });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId ?? '';
    const waiting = await conversation(id);
    expect(waiting.waitingSince).toBeDefined();
    await oldMessage(phone);
    const now = await conversation(id);
    expect(now).toMatchObject({ status: 'open', waiting: true, waitingSince: waiting.waitingSince });
    expect(now.preview).toBe('My parcel never arrived');
    await filedAtItsTime(customer.id, id);
  });

  it('reads nothing more for a message that came before the resolve than for one after it', async () => {
    /** The calls of the resolver and what follows it for one message, read and written, by item kind. */
    const measured = async (phone: string, timedAfterResolveMs: number) => {
      const { sent } = await resolvedConversation(phone, 3_000);
      await advance(2_000);
      calls.length = 0;
      await whatsappAt(phone, `wamid.${phone}.2`, sent + 3_000 + timedAfterResolveMs, 'One more thing');
      const kinds = (list: RecordedCall[]) =>
        list
          .filter((c) => !c.pk.startsWith('LIVE#'))
          .map(
            (c) =>
              `${c.command}${c.failed ? ' failed' : ''} ${c.pk.replace(/#.*/, '')} ${c.sk.replace(/#.*/, '')}`,
          );
      return { reads: kinds(calls.filter(isRead)), writes: kinds(calls.filter((c) => !isRead(c))) };
    };
    const after = await measured('447700900805', 1_000);
    const before = await measured('447700900806', -2_000);
    expect(after.reads.length).toBeGreaterThan(0);
    expect(before.reads).toEqual(after.reads);
    // Its profile write cannot be current (older than the resolve): the sets, the channel's reply
    // window, then the conversation held open. Two writes more, on this path only.
    const profile = (writes: string[]) => writes.filter((w) => w.endsWith('CUSTOMER PROFILE'));
    const others = (writes: string[]) => writes.filter((w) => !w.endsWith('CUSTOMER PROFILE'));
    // And its conversation's `lastInboundAt`, forward only, in a write of its own (a late reopen may be
    // older than the conversation's last message): one write more, on this path only.
    const extra = [...others(before.writes)];
    for (const write of others(after.writes)) {
      expect(extra).toContain(write);
      extra.splice(extra.indexOf(write), 1);
    }
    expect(extra).toEqual(['UpdateItem CONVERSATION CONVERSATION']);
    expect(profile(after.writes)).toEqual(['UpdateItem CUSTOMER PROFILE']);
    expect(profile(before.writes)).toEqual(Array(3).fill('UpdateItem CUSTOMER PROFILE'));
  });
});
