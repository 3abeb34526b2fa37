import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordInto } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('automatic-mail-reply-token');

/**
 * An agent's reply goes to the customer's own newest mail, never to automatic or list mail that came
 * after it: an out-of-office naming an assistant in Reply-To, a list copy whose Reply-To is the list.
 * QA: the answer went To: the assistant, "Re: Out of Office: Re: Wrong size", in the OOO's thread.
 * The reply's timeline item (and so the 202) says where the mail went and under which subject.
 */
describe('email replies skip automatic and list mail', () => {
  const time = new ManualTimers(Date.parse('2026-12-05T12:00:00.000Z'));
  const calls: RecordedCall[] = [];
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-amr:${TOKEN}:admin` },
    manualTime: time,
    dynamoClient: recordInto(calls),
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  let deliveries = 0;

  const email = async (
    from: string,
    sesId: string,
    options: { subject?: string; inReplyTo?: string; replyTo?: string; headers?: string[] } = {},
  ) => {
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from,
      messageId: `<${sesId}@ex.test>`,
      text: `Mail ${sesId}`,
      ...options,
    });
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}-${++deliveries}`, at });
  };
  const conversationOf = async (address: string) => {
    const { items } = await api<{ items: Customer[] }>(
      'GET',
      `/api/customers?q=${encodeURIComponent(address)}`,
    );
    const id = items[0]?.openConversationId;
    expect(id, `an open conversation for ${address}`).toBeDefined();
    return id as string;
  };
  const reply = async (conversationId: string, text: string) => {
    const { reply: item } = await api<{ reply: TimelineItem }>(
      'POST',
      `/api/conversations/${conversationId}/replies`,
      { text, channel: 'email' },
    );
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => e.message.text === text);
    expect(sent).toHaveLength(1);
    return { item, message: sent[0]?.message };
  };

  it('answers the customer in her thread after her out-of-office, at one query per partition', async () => {
    await email('Ivy <ivy@ex.test>', 'ivy-1', { subject: 'Wrong size' });
    const conversation = await conversationOf('ivy@ex.test');
    const first = await reply(conversation, 'Which size do you need?');
    await email('Ivy <ivy@ex.test>', 'ivy-ooo', {
      subject: 'Out of Office: Re: Wrong size',
      inReplyTo: `<${first.message?.id}@outbox.threadline.local>`,
      replyTo: 'assistant@ex.test',
      headers: ['Auto-Submitted: auto-replied'],
    });
    calls.length = 0;
    const { item, message } = await reply(conversation, 'Your refund of 40 EUR is on its way');
    expect(message?.to).toEqual({ kind: 'email', value: 'ivy@ex.test' });
    expect(message?.email).toMatchObject({
      subject: 'Wrong size',
      inReplyTo: '<ivy-1@ex.test>',
      references: ['<ivy-1@ex.test>'],
    });
    // The one query that found the conversation's latest email read past the out-of-office: no more.
    // (The conversation, the profile and the contact state are GetItems; the timeline is the Query.)
    expect(calls.filter((c) => c.command === 'Query')).toHaveLength(1);
    // Where it went, on the reply itself (the 202 body is that item).
    expect(item).toMatchObject({
      to: { kind: 'email', value: 'ivy@ex.test' },
      data: { subject: 'Re: Wrong size' },
    });
  });

  it('answers the customer, not the list, when her own mail came through a list', async () => {
    await email('Nora <nora@ex.test>', 'nora-1', { subject: 'Invoice please' });
    const conversation = await conversationOf('nora@ex.test');
    await email('Nora <nora@ex.test>', 'nora-list', {
      subject: '[makers] Meetup on Friday',
      replyTo: 'makers@lists.example',
      headers: ['List-Id: <makers.lists.example>'],
    });
    const { message } = await reply(conversation, 'Your invoice with VAT is attached');
    expect(message?.to).toEqual({ kind: 'email', value: 'nora@ex.test' });
    expect(message?.email).toMatchObject({ subject: 'Invoice please', inReplyTo: '<nora-1@ex.test>' });
  });

  it('starts a new thread at the customer address when only automatic mail came', async () => {
    await email('Mailer Daemon <mailer-daemon@googlemail.com>', 'dsn-1', {
      subject: 'Delivery Status Notification (Failure)',
      headers: ['Auto-Submitted: auto-replied'],
    });
    const { items } = await api<{ items: Customer[] }>(
      'GET',
      `/api/customers?q=${encodeURIComponent('mailer-daemon@googlemail.com')}`,
    );
    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${items[0]?.id}/timeline`);
    const conversation = timeline.items.find((i) => i.id === 'email:dsn-1')?.conversationId;
    expect(conversation).toBeDefined();
    const { message } = await reply(conversation as string, 'Is anyone there?');
    expect(message?.email?.subject).not.toContain('Delivery Status');
    expect(message?.email?.inReplyTo).toBeUndefined();
  });
});
