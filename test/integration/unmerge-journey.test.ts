import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type CapacityMeter, meterClient } from '../support/capacity-meter.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
  whatsappText,
} from '../support/webhooks.js';

const TOKEN = agentToken('unmerge-journey-admin-token');
const PHONE = '447700900731';
const SUE = 'sue.journey@acme.example';
const HOUR = 3_600_000;

/**
 * Merge, activity while merged, unmerge, then the next message, through the local runtime: the kept
 * customer (WhatsApp) keeps only what it holds itself, and the customer merged away (email) keeps the
 * thread of the answer an agent sent it while they were merged. QA: after the unmerge the kept customer
 * still showed email among its channels and the source's last-inbound time, and an answer in that
 * thread raised a suggestion between the two and started a new conversation.
 */
describe('local runtime: an unmerge, then the next message', () => {
  let runtime: LocalRuntime;
  let meter: CapacityMeter;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-journey:${TOKEN}:admin` },
      manualTime: manual,
      dynamoClient: (c) => {
        meter = meterClient(c);
        return c;
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  /** A second on: the time of the next thing the test does. */
  const tick = () => {
    manual.advance(1000);
    return new Date(manual.now()).toISOString();
  };
  const whatsapp = async (id: string, text: string) => {
    const at = tick();
    const body = whatsappText({ from: PHONE, messages: [{ id, at, text }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    return at;
  };
  const email = async (sesId: string, inReplyTo?: string) => {
    const at = tick();
    const notification = sesReceived({
      sesId,
      at,
      from: SUE,
      messageId: `<${sesId}@acme.example>`,
      subject: 'Chairs',
      text: `Message ${sesId}`,
      ...(inReplyTo ? { inReplyTo } : {}),
    });
    const sns = snsNotification(notification, { snsId: `sns-${sesId}`, at });
    expect((await deliver(signedSes(runtime.url, sns))).status).toBe(200);
    await runtime.idle();
  };
  const profile = (id: string) => api<Customer>('GET', `/api/customers/${id}`);

  it('leaves the kept customer its own channels and last inbound, and the source the thread of its answer', async () => {
    const ownAt = await whatsapp('wamid.journey-1', 'Hello from WhatsApp');
    await email('sue-1');
    const [kept, sue] = await Promise.all([reads.find(`+${PHONE}`), reads.find(SUE)]);
    const sueConversation = sue.openConversationId as string;

    tick();
    await api('POST', `/api/customers/${kept.id}/merge`, { customerId: sue.id });
    await runtime.idle();
    // While merged: an agent answers Sue in her conversation, and Sue writes again.
    tick();
    await api('POST', `/api/conversations/${sueConversation}/replies`, {
      text: 'Which size?',
      channel: 'email',
    });
    await runtime.idle();
    const ours = runtime.outbox.entries().find((e) => e.message.text === 'Which size?')?.message;
    expect(ours?.to).toEqual({ kind: 'email', value: SUE });
    await email('sue-2');
    expect(await profile(kept.id)).toMatchObject({ lastInboundChannel: 'email' });

    tick();
    meter.reset();
    await api('POST', `/api/customers/${kept.id}/unmerge`, { customerId: sue.id });
    // The whole call (the meter counts calls that succeed: the carried survey's conditional removal,
    // with no survey here, and the reopening of a suggestion, with none here, are not among them).
    // Reads: Sue's profile, the kept customer's (its group's root), her conversation (one the merge gave
    // the kept customer goes back: not this one, joined), what routing wrote for her mail (2:
    // none), the kept customer's again once the move is done (what Sue's mail wrote on it), the
    // answer's; one page of the kept customer's timeline and Sue's live-log windows, no other query (a
    // phone and a mailbox share no channel). Updates: the note on the root and its release, Sue's
    // identity, the kept profile's identities, Sue's unmerge and its end, her mail's reference, the
    // thread link of the agent's answer in her conversation, her mail's channel time and last inbound on
    // her profile, the kept profile's channels and last inbound, her live-log window's close. Puts: her
    // live-log window, the two `unmerge` events, her mail's copy, the audit record and its 4 index
    // entries (the two customers, the agent, the action). Delete: her mail from the kept customer's
    // partition. The agent's answer went to Sue's address: it moves back too (its copy, its reference
    // linked there, its deletion). Her conversation, resolved by the merge on her unanswered mail, is
    // looked at for a reopen (her profile, the conversation, and one Query of her items after that
    // mail: the answer is there, so it stays resolved). The kept customer's open conversation is looked
    // at for a wait that left with her (their profile, the conversation, and one Query of her items at
    // the millisecond it waits from: none, it waits on the kept customer's own message).
    expect(meter.figures().byCommand).toEqual({
      GetItemCommand: 11,
      QueryCommand: 4,
      UpdateItemCommand: 13,
      PutItemCommand: 10,
      DeleteItemCommand: 2,
    });
    await runtime.idle();
    // The kept customer: reachable where it is, last heard from when it last wrote.
    const after = await profile(kept.id);
    expect(after.channels).toEqual(['whatsapp']);
    expect(after.lastInboundAt).toBe(ownAt);
    expect(after.lastInboundChannel).toBe('whatsapp');
    expect(after.lastInboundByChannel).toEqual({ whatsapp: ownAt });

    // Days later, past the reopen window, Sue answers the agent's mail: her conversation reopens.
    manual.advance(4 * 24 * HOUR);
    await email('sue-3', `<${ours?.id}@outbox.threadline.local>`);
    const answer = (await reads.timeline(sue.id)).find((item) => item.id === 'email:sue-3');
    expect(answer?.conversationId).toBe(sueConversation);
    expect(answer?.customerId).toBe(sue.id);
    const suggestions = await api<{ items: unknown[] }>('GET', `/api/customers/${sue.id}/suggestions`);
    expect(suggestions.items).toEqual([]);
  });

  const sms = async (from: string, sid: string) => {
    tick();
    const params = twilioSms({ sid, from, text: `SMS ${sid}` });
    const res = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(res.status).toBeLessThan(300);
    await runtime.idle();
  };
  const whatsappFrom = async (from: string, id: string) => {
    const at = tick();
    const body = whatsappText({ from, messages: [{ id, at, text: `WhatsApp ${id}` }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    return at;
  };

  // QA: SMS from one number, WhatsApp from another, merged then unmerged: the SMS customer still listed
  // WhatsApp (a phone is an address on both; the merge had copied the channel, or a WhatsApp message
  // of the source while merged had written it and its time).
  it.each([
    ['nothing while merged', '+14155550999', '14155550998', false],
    ['a WhatsApp message of the source while merged', '+14155550997', '14155550996', true],
  ])(
    'takes off the kept customer a channel only the source wrote on, both holding a phone: %s',
    async (_, smsFrom, waFrom, writesWhileMerged) => {
      await sms(smsFrom, `SM${smsFrom.slice(-4)}`);
      const firstAt = await whatsappFrom(waFrom, `wamid.${waFrom}-1`);
      const [kept, other] = await Promise.all([reads.find(smsFrom), reads.find(`+${waFrom}`)]);
      expect(kept.id).not.toBe(other.id);

      tick();
      await api('POST', `/api/customers/${kept.id}/merge`, { customerId: other.id });
      await runtime.idle();
      const lastAt = writesWhileMerged ? await whatsappFrom(waFrom, `wamid.${waFrom}-2`) : firstAt;
      expect((await profile(kept.id)).channels).toEqual(['sms', 'whatsapp']);
      tick();
      await api('POST', `/api/customers/${kept.id}/unmerge`, { customerId: other.id });
      await runtime.idle();
      const after = await profile(kept.id);
      expect(after.channels).toEqual(['sms']);
      expect(after.lastInboundChannel).toBe('sms');
      expect(Object.keys(after.lastInboundByChannel ?? {})).toEqual(['sms']);
      // The customer merged away: where and when it last wrote, its message while merged included.
      expect(await profile(other.id)).toMatchObject({
        channels: ['whatsapp'],
        lastInboundChannel: 'whatsapp',
        lastInboundAt: lastAt,
        lastInboundByChannel: { whatsapp: lastAt },
      });
    },
  );
});
