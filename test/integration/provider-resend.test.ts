import { describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type ClockRuntime, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import {
  deliver,
  messengerMessage,
  type SignedRequest,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
  whatsappText,
} from '../support/webhooks.js';

/**
 * A provider sends a message we stored, and answered, again: a new webhook delivery of the same
 * provider id (Meta's wamid with its timestamp, Twilio's MessageSid, Messenger's mid, SES's message)
 * minutes after the answer. Before, the delivery that did not write the item took its own webhook
 * receipt for the first one: after the answer, so the conversation waited again from the resend's
 * arrival, with a next-response target. The resend changes nothing: no wait, no SLA move, no second
 * item, no routing or AI answer, and the silence auto-resolve counts runs on from the answer.
 */
const MIN = 60_000;
const SECRET = 'provider-resend-meta';
const PAGE = '1234567890';

/** A channel's customer (`who`, as searched) and the provider's request for their one message. */
type Channel = { name: string; who: string; request: (rt: ClockRuntime, at: string) => SignedRequest };

const channel = (name: string, who: string, request: Channel['request']): Channel => ({ name, who, request });

/** Every channel with a provider id, each with its own customer; `text` is what they all write. */
function channels(text: string, n: number): Channel[] {
  const phone = `4477009008${n}`;
  const sms = `+1415555018${n}`;
  const psid = `555000810${n}`;
  const mail = `resent${n}@example.com`;
  return [
    channel('WhatsApp (the same wamid and timestamp)', `+${phone}`, (rt, at) => {
      const body = whatsappText({ from: phone, messages: [{ id: `wamid.resent-${n}`, at, text }] });
      return signedMeta(rt.runtime.url, '/webhooks/whatsapp', body, SECRET);
    }),
    channel('SMS (the same MessageSid)', sms, (rt) =>
      signedTwilio(
        `${rt.runtime.url}/webhooks/twilio/sms`,
        twilioSms({ sid: `SMresent${n}${'0'.repeat(24)}`, from: sms, text }),
        SECRETS.twilio,
      ),
    ),
    channel('Messenger (the same mid)', `${PAGE}:${psid}`, (rt, at) => {
      const body = messengerMessage({
        page: PAGE,
        psid,
        ms: Date.parse(at),
        message: { mid: `m_resent_${n}`, text },
      });
      return signedMeta(rt.runtime.url, '/webhooks/meta', body, SECRET);
    }),
    channel('email (the same SES message)', mail, (rt, at) => {
      const received = sesReceived({
        sesId: `resent-ses-${n}`,
        at,
        messageId: `<resent-${n}@example.com>`,
        from: mail,
        text,
      });
      // SNS posts it again under a notification id of its own.
      const snsId = `sns-resent-${n}-${Date.parse(at)}-${rt.manual.now()}`;
      return signedSes(rt.runtime.url, snsNotification(received, { snsId, at }));
    }),
  ];
}

describe('a provider resending a message that was answered', () => {
  const rt = useClockRuntime({
    metaSecret: SECRET,
    agent: { token: agentToken('provider-resend-ana'), admin: true },
    policyFile: slaPolicyFile({ aiRepliesCount: true }, (p) => {
      p.autoResolve = { after: 'PT1H' };
    }),
    routing: true,
  });
  const { find, timeline } = customerReads(rt.api);
  const conversation = (id: string) =>
    rt.api<Conversation & { waiting: boolean }>('GET', `/api/conversations/${id}`);
  const send = async (c: Channel, at: string) => {
    expect((await deliver(c.request(rt, at))).status, c.name).toBe(200);
    await rt.idle();
  };

  /**
   * The customer writes; `answer` answers (an agent, or the AI while routing); two minutes later the
   * provider resends the message: the conversation, its SLA and its timeline are as they were.
   */
  async function resentAfterAnswer(c: Channel, answer: (conversationId: string) => Promise<void>) {
    const at = new Date(rt.manual.now()).toISOString();
    await send(c, at);
    const customer = await find(c.who);
    const conversationId = customer.openConversationId as string;
    await answer(conversationId);
    await rt.advance(2 * MIN);
    const before = await conversation(conversationId);
    const items = await timeline(customer.id);
    expect(before.waiting).toBe(false);

    await send(c, at);
    const after = await conversation(conversationId);
    expect(after.waiting).toBe(false);
    expect(after.waitingSince).toBeUndefined();
    expect(after.sla).toEqual(before.sla);
    expect(after.sla?.nextResponseDue).toBeUndefined();
    expect(after.awaitingCustomerSince).toBe(before.awaitingCustomerSince);
    expect((await timeline(customer.id)).map((i) => i.id)).toEqual(items.map((i) => i.id));
    // Its silence still counts from the answer: the auto-resolve comes an hour after it.
    await rt.advance(60 * MIN);
    expect((await conversation(conversationId)).status).toBe('resolved');
  }

  it.each(channels('I want to speak to a person about my order', 1))(
    '$name after an agent answered: no wait, no next-response target',
    async (c) => {
      await resentAfterAnswer(c, async (conversationId) => {
        expect((await conversation(conversationId)).waiting).toBe(true);
        await rt.advance(MIN);
        const reply = await rt.call('POST', `/api/conversations/${conversationId}/replies`, {
          text: 'On its way',
        });
        expect(reply.status).toBe(202);
        await rt.idle();
      });
    },
  );

  it.each(channels('How long does shipping take?', 2))(
    '$name after the AI answered: no wait, no second answer',
    async (c) => {
      await resentAfterAnswer(c, async (conversationId) => {
        const answered = await conversation(conversationId);
        expect(answered.waiting).toBe(false);
        expect(answered.sla?.waitingOn).toBe('customer');
      });
    },
  );

  it('leaves a conversation snoozed after the answer snoozed: the resend is no word from the customer', async () => {
    const [whatsapp] = channels('Can you check my order please?', 3);
    const c = whatsapp as Channel;
    const at = new Date(rt.manual.now()).toISOString();
    await send(c, at);
    const conversationId = (await find(c.who)).openConversationId as string;
    await rt.advance(MIN);
    expect(
      (await rt.call('POST', `/api/conversations/${conversationId}/replies`, { text: 'Checking' })).status,
    ).toBe(202);
    await rt.idle();
    const until = new Date(rt.manual.now() + 30 * MIN).toISOString();
    await rt.api('POST', `/api/conversations/${conversationId}/snooze`, { until });
    await rt.advance(2 * MIN);
    await send(c, at);
    const after = await conversation(conversationId);
    expect(after.snoozedUntil).toBe(until);
    expect(after.waiting).toBe(false);
  });
});
