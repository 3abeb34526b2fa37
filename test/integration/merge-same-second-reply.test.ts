import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useMetaRuntime } from '../support/meta-runtime.js';
import { IG_ACCOUNT, instagramText, whatsappStatus, whatsappText } from '../support/webhooks.js';

const SECRET = 'same-second-secret';
const TOKEN = agentToken('same-second-token');
const DAY = 86_400_000;
const PHONE = '15550007101';

/**
 * The console test's way, on a clock the test moves: a WhatsApp customer, the same person on
 * Instagram merged in (the merge keeps Instagram as where she wrote last), a resolve, then her next
 * WhatsApp message. WhatsApp times it to the whole second, so it carries a time before her Instagram
 * message of that same second, though it reached us after it. Read by time alone, the profile still
 * said she wrote last on Instagram: the agent's reply (naming no channel, as the console's choice
 * did) went out there, and a WhatsApp failure of the reply the agent meant never came. Of two
 * messages of one second, the one that reached us later is the later (as the timeline orders them).
 */
describe('local runtime: a WhatsApp message of the same second as an Instagram one, after a merge', () => {
  // A whole second, so the test says which times share one.
  const start = Math.floor((Date.now() + 9 * DAY) / 1000) * 1000;
  const { runtime, advance, api, post } = useMetaRuntime({
    secret: SECRET,
    token: TOKEN,
    agent: 'agent-ss',
    start,
  });
  const iso = (ms: number) => new Date(ms).toISOString();
  const customerOf = async (identity: { kind: 'phone' | 'instagram'; value: string }) => {
    const id = await runtime.store.customers.findCustomerId(identity, { consistent: true });
    if (!id) throw new Error('no customer');
    return id;
  };

  it('answers on WhatsApp, and a failure of that reply after a resolve reopens the conversation', async () => {
    const first = { id: 'wamid.same.1', at: iso(start), text: 'Is the blue one in stock?' };
    await post(whatsappText({ from: PHONE, name: 'Sam Second', messages: [first] }), '/webhooks/whatsapp');
    const kept = await customerOf({ kind: 'phone', value: `+${PHONE}` });
    // Five seconds and 268 ms later she writes on Instagram.
    const second = start + 5_000;
    const instagramAt = iso(advance(5_268));
    await post(
      instagramText({ sender: '9917101', mid: 'm_same_1', at: instagramAt, text: 'It is Sam from WhatsApp' }),
    );
    const merged = await customerOf({ kind: 'instagram', value: `${IG_ACCOUNT}:9917101` });
    advance(100);
    await api('POST', `/api/customers/${kept}/merge`, { customerId: merged });
    const { openConversationId: conversationId } = await api<Customer>('GET', `/api/customers/${kept}`);
    if (!conversationId) throw new Error('no open conversation');
    advance(100);
    await api('POST', `/api/conversations/${conversationId}/resolve`, { csat: false });
    // Her next WhatsApp message, sent in that second and received after the resolve: it reopens.
    advance(300);
    const next = { id: 'wamid.same.2', at: iso(second), text: 'Does it come in red?' };
    await post(whatsappText({ from: PHONE, name: 'Sam Second', messages: [next] }), '/webhooks/whatsapp');
    const last = async () => {
      const { lastInboundChannel, lastInboundAt, lastInboundByChannel } = await api<Customer>(
        'GET',
        `/api/customers/${kept}`,
      );
      return { lastInboundChannel, lastInboundAt, lastInboundByChannel };
    };
    // WhatsApp is where she wrote last; the last inbound time stays the later one, Instagram's.
    const expected = {
      lastInboundChannel: 'whatsapp',
      lastInboundAt: instagramAt,
      lastInboundByChannel: { whatsapp: iso(second), instagram: instagramAt },
    };
    expect(await last()).toEqual(expected);
    // Either message delivered again changes nothing (a redelivery is no later arrival).
    advance(100);
    await post(whatsappText({ from: PHONE, name: 'Sam Second', messages: [next] }), '/webhooks/whatsapp');
    await post(
      instagramText({ sender: '9917101', mid: 'm_same_1', at: instagramAt, text: 'It is Sam from WhatsApp' }),
    );
    expect(await last()).toEqual(expected);
    expect((await api<Conversation>('GET', `/api/conversations/${conversationId}`)).status).toBe('open');

    advance(1_000);
    const before = runtime.outbox.entries().length;
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Red is in stock, yes.' });
    await runtime.idle();
    const entry = runtime.outbox.entries()[before];
    expect(entry?.message.channel).toBe('whatsapp');
    if (!entry?.providerMessageId) throw new Error('the reply was not sent');
    advance(1_000);
    await api('POST', `/api/conversations/${conversationId}/resolve`, { csat: false });
    advance(1_000);
    await post(
      whatsappStatus({
        id: entry.providerMessageId,
        status: 'failed',
        at: iso(advance(0)),
        recipient: PHONE,
        callbackData: entry.replyKey,
      }),
      '/webhooks/whatsapp',
    );
    const reopened = await api<Conversation>('GET', `/api/conversations/${conversationId}`);
    expect(reopened.status).toBe('open');
    expect(reopened.waitingSince).toBeDefined();
  });
});
