import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { receiveSes } from '../support/ses-mail.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('references-agent-token');

/**
 * Mail that names its thread by References only (a client that writes no In-Reply-To, or one whose
 * In-Reply-To names a mail we never saw: the customer answered their own forward) goes to the
 * conversation of the thread, not the customer's open one; and a reply to mail without a Subject
 * still has one. QA: a customer's answer after a forward chain landed in their newer conversation.
 */
describe('email threads by References, replies keep a subject', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        AGENT_TOKENS: `agent-refs:${TOKEN}`,
        REOPEN_WINDOW_HOURS: '0.01',
        WEBCHAT_BUSINESS_NAME: 'Parcel Shop',
      },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    agentCaller(() => runtime.url, TOKEN)<T>(method, path, body);
  const customer = async (address: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(address)}`)).items[0];
  const email = async (
    from: string,
    sesId: string,
    options: { subject?: string; inReplyTo?: string; references?: string } = {},
  ) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from,
      messageId: `<${sesId}@example.org>`,
      text: `Mail ${sesId}`,
      ...options,
    });
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at });
  };
  const reply = async (conversationId: string, text: string) => {
    await api('POST', `/api/conversations/${conversationId}/replies`, { text, channel: 'email' });
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => e.message.text === text);
    expect(sent).toHaveLength(1);
    return sent[0]?.message;
  };
  const conversationOf = async (customerId: string, sesId: string) => {
    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`);
    return timeline.items.find((i) => i.id === `email:${sesId}`)?.conversationId;
  };

  it('files an answer whose References alone name our reply in that reply’s conversation', async () => {
    const RITA = 'Rita <rita.refs@example.org>';
    await email(RITA, 'rita-1', { subject: 'Order 12 is late' });
    const rita = (await customer('rita.refs@example.org')) as Customer;
    const late = rita.openConversationId as string;
    const ours = await reply(late, 'It left the depot today');
    const ourId = `<${ours?.id}@outbox.threadline.local>`;
    await api('POST', `/api/conversations/${late}/resolve`);
    manual.advance(60_000); // past the 36 s reopen window
    await email(RITA, 'rita-2', { subject: 'New address' });
    const address = (await customer('rita.refs@example.org'))?.openConversationId;
    expect(address).not.toBe(late);

    // Rita forwarded our answer to her partner, they wrote back and forth, and she answers the last of
    // their mails: the In-Reply-To is theirs, our reply is the sixth id from the end of References.
    const chain = ['<fwd-1@example.net>', '<fwd-2@example.net>', '<fwd-3@example.net>'];
    const more = ['<fwd-4@example.net>', '<fwd-5@example.net>'];
    await email(RITA, 'rita-3', {
      subject: 'Fwd: Re: Order 12 is late',
      inReplyTo: '<fwd-5@example.net>',
      references: ['<rita-1@example.org>', ourId, ...chain, ...more].join(' '),
    });
    expect(await conversationOf(rita.id, 'rita-3')).toBe(late);
    // A client that writes References and no In-Reply-To.
    await email(RITA, 'rita-4', { subject: 'Re: Order 12 is late', references: ourId });
    expect(await conversationOf(rita.id, 'rita-4')).toBe(late);
  });

  it('answers mail without a Subject with the thread’s last subject, else a default one', async () => {
    const SAM = 'Sam <sam.subjectless@example.org>';
    await email(SAM, 'sam-1', { subject: '' });
    const sam = (await customer('sam.subjectless@example.org')) as Customer;
    const conversation = sam.openConversationId as string;
    const first = await reply(conversation, 'What can we do for you?');
    expect(first?.email?.subject).toBe('Your message to Parcel Shop');
    expect(first?.email?.inReplyTo).toBe('<sam-1@example.org>');

    await email(SAM, 'sam-2', {
      subject: 'Parcel 77 never came',
      inReplyTo: `<${first?.id}@outbox.threadline.local>`,
    });
    await reply(conversation, 'Looking into it');
    // Sam's client drops the subject of the next answer: the reply keeps the thread's.
    await email(SAM, 'sam-3', { subject: '', inReplyTo: '<sam-2@example.org>' });
    const last = await reply(conversation, 'Refunded');
    expect(last?.email).toMatchObject({
      subject: 'Parcel 77 never came',
      inReplyTo: '<sam-3@example.org>',
      references: ['<sam-2@example.org>', '<sam-3@example.org>'],
    });
  });
});
