import { describe, expect, it } from 'vitest';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { newTimer } from '#shared/domain/timer-ports.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type CapacityMeter, meterClient } from '../support/capacity-meter.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { visitorClient } from '../support/webchat.js';
import {
  deliver,
  sesReceived,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
} from '../support/webhooks.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const BASE = 'https://support.example';
const SITE = 'http://shop.example';
const TWILIO_TOKEN = 'csat-twilio-token';

function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.csat = {
      enabled: true,
      delay: 'PT10M',
      question: 'How did we do?',
      excludeTags: ['no-survey'],
      byLanguage: { ar: { question: 'كيف كانت خدمتنا؟', words: { sms: 'أرسل رقمًا من 1 إلى 5.' } } },
    };
  });
}

/**
 * Time moves only when the test says so. A resolve sets a survey timer; at its time the survey goes out
 * in the channel's own form, and the answer lands as `event: csat` without reopening or routing.
 */
describe('local runtime: CSAT on the customer channel', () => {
  let meter: CapacityMeter;
  const clock = useClockRuntime({
    metaSecret: 'csat-meta-secret',
    agent: { token: agentToken('csat-ana-token'), admin: true },
    policyFile: policyFile(),
    env: {
      PUBLIC_BASE_URL: BASE,
      CSAT_SIGNING_SECRET: 'csat-test-signing-secret-0123456789abcdef',
      WEBCHAT_ALLOWED_ORIGINS: SITE,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    },
    routing: true,
    dynamoClient: (c) => {
      meter = meterClient(c);
      return c;
    },
  });
  const { manual, idle, advance, api: call } = clock;
  const { find, timeline } = customerReads(call);
  const surveys = () => clock.runtime.outbox.entries().filter((e) => e.message.author.id === 'csat');

  const whatsapp = (from: string, id: string, message: { text?: string; extra?: Record<string, unknown> }) =>
    clock.whatsapp({ from, id, ...message });
  /** The survey timer a resolve set (its version: the resolve's time). */
  const surveyTimer = async (conversationId: string) => {
    const resolved = await call<{ items: Conversation[] }>(
      'GET',
      '/api/conversations?status=resolved&limit=200',
    );
    const version = resolved.items.find((c) => c.id === conversationId)?.resolvedAt as string;
    const dueAt = new Date(Date.parse(version) + 10 * MINUTE).toISOString();
    return newTimer({ kind: 'csat', subject: conversationId, version, dueAt });
  };
  /** An agent answers (a survey asks about an answer given), then resolves. */
  const resolveOpen = async (customer: Customer, body?: unknown) => {
    const conversationId = customer.openConversationId as string;
    const answer = await clock.call('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Sorted.',
    });
    expect(answer.status).toBe(202);
    await idle();
    await call('POST', `/api/conversations/${conversationId}/resolve`, body);
    await idle();
    return conversationId;
  };

  it('sends WhatsApp reply buttons after the delay, and a tapped button lands as event csat', async () => {
    await whatsapp('447700900601', 'wamid.csat-1', { text: 'My order never came' });
    const customer = await find('+447700900601');
    const conversationId = await resolveOpen(customer);

    await advance(9 * MINUTE);
    expect(surveys()).toEqual([]);
    await advance(MINUTE);
    const sent = surveys();
    expect(sent).toHaveLength(1);
    const survey = sent[0]?.message;
    expect(survey).toMatchObject({ channel: 'whatsapp', conversationId });
    expect(survey?.text).toContain('How did we do?');
    expect(survey?.choices?.map((c) => c.title)).toEqual(['😀 Great', '😐 OK', '🙁 Poor']);

    const great = survey?.choices?.[0];
    await whatsapp('447700900601', 'wamid.csat-1-answer', {
      extra: {
        type: 'interactive',
        text: undefined,
        interactive: { type: 'button_reply', button_reply: great },
      },
    });
    const items = await timeline(customer.id);
    const answers = items.filter((i) => i.event === 'csat');
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ conversationId, channel: 'whatsapp', data: { score: 5 } });
    // The tap stays on the timeline as the survey's answer, in the resolved conversation: no reopen.
    expect(items.filter((i) => i.providerMessageId === 'wamid.csat-1-answer')).toEqual([
      expect.objectContaining({
        type: 'message',
        conversationId,
        data: expect.objectContaining({ csatAnswer: answers[0]?.data?.surveyId }),
      }),
    ]);
    const resolved = await call<{ items: Conversation[] }>(
      'GET',
      '/api/conversations?status=resolved&limit=200',
    );
    expect(resolved.items.map((c) => c.id)).toContain(conversationId);
    expect((await find('+447700900601')).openConversationId).toBeUndefined();

    // The same timer firing twice more (a redelivery, a late duplicate) sends nothing more.
    await clock.runtime.timers.send([JSON.stringify(await surveyTimer(conversationId))]);
    await clock.runtime.timers.send([JSON.stringify(await surveyTimer(conversationId))]);
    await idle();
    expect(surveys()).toHaveLength(1);
  });

  it('takes a plain "4 great service" while a survey is pending: no reopen, no routing, the comment kept', async () => {
    await whatsapp('447700900602', 'wamid.csat-2', { text: 'Where is my parcel?' });
    const customer = await find('+447700900602');
    const conversationId = await resolveOpen(customer);
    const timer = await surveyTimer(conversationId);
    await advance(10 * MINUTE);
    const before = (await timeline(customer.id)).filter((i) => i.event === 'routed').length;
    const repliesBefore = clock.runtime.outbox.entries().length;

    meter.reset();
    await whatsapp('447700900602', 'wamid.csat-2-answer', { text: '4 great service' });
    // Bounded: who (identity, profile with the pending survey), the answer's event, the conversation
    // (for its agent and queue), the survey's claim on its conversation, the day's counters, the message
    // kept as the answer (by its key: WhatsApp times it). No timeline read, no routing, no reopen.
    expect(meter.figures().byCommand).toEqual({ GetItemCommand: 3, PutItemCommand: 2, UpdateItemCommand: 2 });
    const items = await timeline(customer.id);
    expect(items.filter((i) => i.event === 'csat').map((i) => i.data)).toEqual([
      expect.objectContaining({ score: 4, comment: 'great service', conversationId }),
    ]);
    expect(items.filter((i) => i.event === 'routed')).toHaveLength(before);
    expect(clock.runtime.outbox.entries()).toHaveLength(repliesBefore);
    expect((await find('+447700900602')).openConversationId).toBeUndefined();

    // Answered: the next "5" is a message like any other, and reopens the conversation.
    await whatsapp('447700900602', 'wamid.csat-2-again', { text: '5' });
    expect((await timeline(customer.id)).filter((i) => i.event === 'csat')).toHaveLength(1);
    expect((await find('+447700900602')).openConversationId).toBe(conversationId);

    // Reopened: the resolve's timer firing late is stale and sends nothing.
    const sent = surveys().length;
    await clock.runtime.timers.send([JSON.stringify(timer)]);
    await idle();
    expect(surveys()).toHaveLength(sent);
  });

  /**
   * QA (security): a mail gateway that opens every link of an incoming mail (Mimecast, Proofpoint,
   * Barracuda) scored every survey it passed 5, the first link, and the customer who then clicked 1 was
   * told "We already have your answer: 5 out of 5". A link now shows the score and a button; only the
   * button (a POST, which no link scanner sends) records it.
   */
  it('sends an email survey with signed links; opening a link records nothing, its button records the score once', async () => {
    const at = new Date(manual.now()).toISOString();
    const mail = sesReceived({
      sesId: 'csat-ses-1',
      at,
      messageId: '<csat-1@example.com>',
      from: 'Lee <lee@example.com>',
      text: 'Hello, a question.',
    });
    expect(
      (await deliver(signedSes(clock.runtime.url, snsNotification(mail, { snsId: 'sns-csat-1', at }))))
        .status,
    ).toBe(200);
    await idle();
    const customer = await find('lee@example.com');
    const conversationId = await resolveOpen(customer);
    await advance(10 * MINUTE);
    const email = surveys().find((e) => e.message.channel === 'email')?.message;
    expect(email?.text).toContain('How did we do?');
    const links = [...(email?.text ?? '').matchAll(/https:\/\/support\.example(\/csat\/\S+\?score=(\d))/g)];
    expect(links.map((m) => m[2])).toEqual(['5', '4', '3', '2', '1']);
    const path = (score: string) => links.find((m) => m[2] === score)?.[1] as string;

    const open = (p: string) => fetch(`${clock.runtime.url}${p}`);
    const send = (p: string) => fetch(`${clock.runtime.url}${p}`, { method: 'POST' });

    // A link scanner opens every link: each answers the page with its button, and nothing is recorded.
    for (const score of ['5', '4', '3', '2', '1']) {
      const page = await open(path(score));
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`${score} out of 5`);
      expect(html).toMatch(/<form method="post"[^>]*>\s*<button type="submit">Send my score<\/button>/);
    }
    expect((await timeline(customer.id)).filter((i) => i.event === 'csat')).toEqual([]);

    const first = await send(path('4'));
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('4 out of 5');
    expect(await (await send(path('4'))).text()).toContain('We have your score: 4 out of 5');
    const again = await send(path('1'));
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('already have your answer: 4 out of 5');
    const answers = (await timeline(customer.id)).filter((i) => i.event === 'csat');
    expect(answers.map((i) => [i.conversationId, i.channel, i.data?.score])).toEqual([
      [conversationId, 'email', 4],
    ]);

    const tampered = path('5').replace(/\/csat\/(.)/, (_, c: string) => `/csat/${c === 'a' ? 'b' : 'a'}`);
    for (const go of [open, send]) {
      expect((await go(tampered)).status).toBe(400);
      expect((await go(path('5').replace('score=5', 'score=9'))).status).toBe(400);
    }
    manual.advance(15 * 24 * HOUR);
    expect((await open(path('5'))).status).toBe(410);
    expect((await send(path('5'))).status).toBe(410);
  });

  it("sends an email survey where a reply goes: the Reply-To of the customer's latest email", async () => {
    const at = new Date(manual.now()).toISOString();
    const mail = sesReceived({
      sesId: 'csat-ses-form',
      at,
      messageId: '<csat-form@forms.example>',
      from: 'Web Form <noreply@forms.example>',
      replyTo: 'Kim <kim@example.com>',
      text: 'Sent from the contact form.',
    });
    expect(
      (await deliver(signedSes(clock.runtime.url, snsNotification(mail, { snsId: 'sns-csat-form', at }))))
        .status,
    ).toBe(200);
    await idle();
    const customer = await find('noreply@forms.example');
    const conversationId = await resolveOpen(customer);
    await advance(10 * MINUTE);
    const survey = surveys().find((e) => e.message.conversationId === conversationId)?.message;
    expect(survey?.to).toEqual({ kind: 'email', value: 'kim@example.com' });
  });

  it("sends an email survey to the customer in her thread, not to her out-of-office's Reply-To", async () => {
    const ses = async (sesId: string, extra: Record<string, unknown>) => {
      const at = new Date(manual.now()).toISOString();
      const mail = sesReceived({
        sesId,
        at,
        messageId: `<${sesId}@ex.test>`,
        from: 'Ivy <ivy.csat@ex.test>',
        ...extra,
      } as Parameters<typeof sesReceived>[0]);
      expect(
        (await deliver(signedSes(clock.runtime.url, snsNotification(mail, { snsId: `sns-${sesId}`, at }))))
          .status,
      ).toBe(200);
      await idle();
    };
    await ses('csat-ivy-1', { subject: 'Wrong size', text: 'The shoes are too small.' });
    const customer = await find('ivy.csat@ex.test');
    const conversationId = customer.openConversationId as string;
    const answer = await clock.call('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Exchanged.',
    });
    expect(answer.status).toBe(202);
    await idle();
    await advance(MINUTE);
    await ses('csat-ivy-ooo', {
      subject: 'Out of Office: Re: Wrong size',
      replyTo: 'assistant@ex.test',
      headers: ['Auto-Submitted: auto-replied'],
      text: 'I am away until Monday.',
    });
    await call('POST', `/api/conversations/${conversationId}/resolve`);
    await idle();
    await advance(10 * MINUTE);
    const survey = surveys().find((e) => e.message.conversationId === conversationId)?.message;
    expect(survey?.to).toEqual({ kind: 'email', value: 'ivy.csat@ex.test' });
    expect(survey?.email?.inReplyTo).toBe('<csat-ivy-1@ex.test>');
  });

  it('says on the timeline why no survey went out when the WhatsApp window has closed without a template', async () => {
    await whatsapp('447700900603', 'wamid.csat-3', { text: 'Hello?' });
    const customer = await find('+447700900603');
    const conversationId = customer.openConversationId as string;
    await clock.call('POST', `/api/conversations/${conversationId}/replies`, { text: 'Hi, how can I help?' });
    await idle();
    await advance(25 * HOUR);
    await call('POST', `/api/conversations/${conversationId}/resolve`);
    await idle();
    const sentBefore = surveys().length;
    await advance(10 * MINUTE);
    expect(surveys()).toHaveLength(sentBefore);
    const skipped = (await timeline(customer.id)).filter((i) => i.event === 'csat_skipped');
    expect(skipped.map((i) => i.data?.reason)).toEqual(['whatsapp_template_missing']);
  });

  it('sends nothing for a resolve with {"csat": false}', async () => {
    await whatsapp('447700900604', 'wamid.csat-4', { text: 'Thanks, all sorted' });
    const customer = await find('+447700900604');
    await resolveOpen(customer, { csat: false });
    const sentBefore = surveys().length;
    await advance(HOUR);
    expect(surveys()).toHaveLength(sentBefore);
    expect((await timeline(customer.id)).filter((i) => i.event?.startsWith('csat'))).toEqual([]);
  });

  it('answers CSAT in the metrics, by channel, agent and AI', async () => {
    const metrics = await call<{ overall: Metrics }>('GET', '/api/metrics');
    expect(metrics.overall.csat).toMatchObject({
      count: 3,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 2, 5: 1 },
      byChannel: { whatsapp: { count: 2 }, email: { count: 1 } },
      byAi: expect.any(Object),
    });
    expect(metrics.overall.csat?.average).toBeCloseTo(13 / 3);
    // Every survey that went out counted once, and the one the closed window stopped, by its reason.
    const sent = new Set(surveys().map((e) => e.message.conversationId)).size;
    expect(metrics.overall.csat).toMatchObject({ sent, skipped: { whatsapp_template_missing: 1 } });
    expect(metrics.overall.csat?.responseRate).toBeCloseTo(3 / sent);
  });

  /** A web-chat visitor whose conversation was answered, resolved and surveyed (the survey out). */
  const surveyedVisitor = async (name: string) => {
    const visitor = visitorClient(clock.runtime.url, SITE);
    const session = (await (await visitor.session({ name })).json()) as { sessionToken: string };
    expect((await visitor.send(session.sessionToken, 'Please cancel my order 991')).status).toBe(202);
    await idle();
    const history = async () =>
      (await (await visitor.history(session.sessionToken)).json()) as {
        customerId: string;
        messages: Array<{ author: string; text: string }>;
      };
    const customerId = (await history()).customerId;
    const customer = await call<Customer>('GET', `/api/customers/${customerId}`);
    const reply = await clock.call('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text: 'Cancelled.',
    });
    expect(reply.status).toBe(202);
    await idle();
    const conversationId = await resolveOpen(customer);
    await advance(10 * MINUTE);
    // Web chat replies go to the visitor's panel, not the outbox: the survey is on the timeline.
    const surveyed = (await timeline(customerId)).filter(
      (i) => i.data?.author && (i.data.author as { id?: string }).id === 'csat',
    );
    expect(surveyed.map((i) => [i.type, i.conversationId])).toEqual([['message', conversationId]]);
    const send = async (text: string) => {
      expect((await visitor.send(session.sessionToken, text)).status).toBe(202);
      await idle();
    };
    return { customerId, conversationId, send, history };
  };

  it("keeps a web-chat answer typed as text in the visitor's history, marked as the answer, not routed", async () => {
    const { customerId, conversationId, send, history } = await surveyedVisitor('Gus');
    const routedBefore = (await timeline(customerId)).filter((i) => i.event === 'routed').length;
    await send('5 thanks, great service');
    const items = await timeline(customerId);
    expect(items.filter((i) => i.event === 'csat').map((i) => i.data)).toEqual([
      expect.objectContaining({ score: 5, comment: 'thanks, great service', conversationId }),
    ]);
    const kept = items.filter((i) => i.type === 'message' && i.text === '5 thanks, great service');
    expect(kept).toEqual([
      expect.objectContaining({
        conversationId,
        data: expect.objectContaining({ csatAnswer: expect.any(String) }),
      }),
    ]);
    expect(items.filter((i) => i.event === 'routed')).toHaveLength(routedBefore);
    expect((await call<Customer>('GET', `/api/customers/${customerId}`)).openConversationId).toBeUndefined();
    expect((await history()).messages.map((m) => [m.author, m.text]).at(-1)).toEqual([
      'visitor',
      '5 thanks, great service',
    ]);
  });

  it('routes a new request that starts with a number after the survey: it reopens, and no score is taken', async () => {
    const { customerId, conversationId, send, history } = await surveyedVisitor('Hal');
    const routedBefore = (await timeline(customerId)).filter((i) => i.event === 'routed').length;
    const request = '2 items from my other order never arrived, can someone help me?';
    await send(request);
    const items = await timeline(customerId);
    expect(items.filter((i) => i.event === 'csat')).toEqual([]);
    expect(items.filter((i) => i.event === 'routed')).toHaveLength(routedBefore + 1);
    expect(items.find((i) => i.text === request)?.data?.csatAnswer).toBeUndefined();
    expect((await call<Customer>('GET', `/api/customers/${customerId}`)).openConversationId).toBe(
      conversationId,
    );
    expect((await history()).messages.map((m) => m.text)).toContain(request);
  });

  it('takes an SMS "Reply 1 to 5" answer once, a redelivery keeping one message and one score', async () => {
    const sms = async (sid: string, text: string) => {
      const params = twilioSms({ sid, from: '+14155550611', text });
      // Twilio signs the public URL (PUBLIC_BASE_URL); the request comes to the runtime.
      const signed = signedTwilio(`${BASE}/webhooks/twilio/sms`, params, TWILIO_TOKEN);
      const res = await deliver({ ...signed, url: `${clock.runtime.url}/webhooks/twilio/sms` });
      expect(res.status).toBeLessThan(300);
      await idle();
    };
    await sms('SMcsat0000000000000000000000000001', 'Is my order on its way');
    const customer = await find('+14155550611');
    const conversationId = await resolveOpen(customer);
    await advance(10 * MINUTE);
    expect(surveys().find((e) => e.message.conversationId === conversationId)?.message.text).toContain(
      'Reply 1 to 5',
    );
    await sms('SMcsat0000000000000000000000000002', '4');
    manual.advance(MINUTE);
    await sms('SMcsat0000000000000000000000000002', '4');
    const items = await timeline(customer.id);
    expect(items.filter((i) => i.event === 'csat').map((i) => [i.conversationId, i.data?.score])).toEqual([
      [conversationId, 4],
    ]);
    expect(
      items.filter((i) => i.type === 'message' && i.text === '4').map((i) => i.data?.csatAnswer),
    ).toEqual([expect.any(String)]);
    expect((await find('+14155550611')).openConversationId).toBeUndefined();
  });

  /** An SMS from a number, signed as Twilio sends it. */
  const sms = async (from: string, sid: string, text: string) => {
    const params = twilioSms({ sid, from, text });
    const signed = signedTwilio(`${BASE}/webhooks/twilio/sms`, params, TWILIO_TOKEN);
    const res = await deliver({ ...signed, url: `${clock.runtime.url}/webhooks/twilio/sms` });
    expect(res.status).toBeLessThan(300);
    await idle();
  };
  /** A customer surveyed by SMS: wrote, resolved, survey sent; answers their id and conversation. */
  const surveyedBySms = async (from: string, sid: string) => {
    await sms(from, `${sid}1`, 'My box came today');
    const customer = await find(from);
    const conversationId = await resolveOpen(customer);
    await advance(10 * MINUTE);
    expect(surveys().some((e) => e.message.conversationId === conversationId)).toBe(true);
    return { customerId: customer.id, conversationId };
  };

  // QA: an Arabic SMS customer got the Arabic hand-off words but the English survey.
  it("asks in the conversation's language from csat.byLanguage, others in the default words", async () => {
    await sms('+14155550631', 'SMcsatlang00000000000000000000001', 'مرحبا، لم يصل طلبي بعد، أين هو؟');
    const arabic = await resolveOpen(await find('+14155550631'));
    await sms('+14155550632', 'SMcsatlang00000000000000000000002', 'Is my order on its way');
    const english = await resolveOpen(await find('+14155550632'));
    await advance(10 * MINUTE);
    const textOf = (id: string) => surveys().find((e) => e.message.conversationId === id)?.message.text;
    expect(textOf(arabic)).toBe('كيف كانت خدمتنا؟ أرسل رقمًا من 1 إلى 5.');
    expect(textOf(english)).toBe('How did we do? Reply 1 to 5 (5 is best), and add a comment if you like.');
  });

  it('takes no score once the surveyed conversation was reopened by the customer: "2" is an answer to the agent', async () => {
    const from = '+14155550621';
    const { customerId, conversationId } = await surveyedBySms(from, 'SMcsatreopen00000000000000000000');
    await sms(from, 'SMcsatreopen00000000000000000002', 'Actually some items from the box were broken');
    expect((await find(from)).openConversationId).toBe(conversationId);
    const reply = await clock.call('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'How many items were broken?',
    });
    expect(reply.status).toBe(202);
    await idle();
    await sms(from, 'SMcsatreopen00000000000000000003', '2');
    const items = await timeline(customerId);
    expect(items.filter((i) => i.event === 'csat')).toEqual([]);
    expect(items.find((i) => i.type === 'message' && i.text === '2')?.data?.csatAnswer).toBeUndefined();
    const conversation = await call<Conversation & { waiting?: boolean }>(
      'GET',
      `/api/conversations/${conversationId}`,
    );
    expect(conversation.status).toBe('open');
  });

  it('takes the answer of a customer merged into another after the survey went out', async () => {
    const from = '+14155550623';
    const { customerId, conversationId } = await surveyedBySms(from, 'SMcsatmerge00000000000000000000');
    await whatsapp('447700900623', 'wamid.csat-merge-1', { text: 'Hello from WhatsApp' });
    const kept = await find('+447700900623');
    await call('POST', `/api/customers/${kept.id}/merge`, { customerId });
    await idle();
    await sms(from, 'SMcsatmerge00000000000000000002', '5');
    const items = await timeline(kept.id);
    expect(items.filter((i) => i.event === 'csat').map((i) => [i.conversationId, i.data?.score])).toEqual([
      [conversationId, 5],
    ]);
  });

  it('takes no second score for the carried survey after an unmerge, whichever copy is answered first', async () => {
    const from = '+14155550627';
    const { customerId, conversationId } = await surveyedBySms(from, 'SMcsatsplit00000000000000000000');
    await whatsapp('447700900627', 'wamid.csat-split-1', { text: 'Hello from WhatsApp' });
    const kept = await find('+447700900627');
    await call('POST', `/api/customers/${kept.id}/merge`, { customerId });
    await idle();
    // Answered while merged: through the kept customer's profile, which carried the survey.
    await sms(from, 'SMcsatsplit00000000000000000002', '5');
    await call('POST', `/api/customers/${kept.id}/unmerge`, { customerId });
    await idle();
    // The source's own copy of the survey is still pending: its "2" is a message, not a second score.
    manual.advance(MINUTE);
    await sms(from, 'SMcsatsplit00000000000000000003', '2');
    const scores = async (id: string) =>
      (await timeline(id)).filter((i) => i.event === 'csat').map((i) => [i.conversationId, i.data?.score]);
    expect([...(await scores(kept.id)), ...(await scores(customerId))]).toEqual([[conversationId, 5]]);
    expect((await timeline(customerId)).find((i) => i.text === '2')?.data?.csatAnswer).toBeUndefined();
  });

  it('takes the answer carried by a merge onto a customer who resolved another conversation after it', async () => {
    const from = '+14155550624';
    const { customerId, conversationId } = await surveyedBySms(from, 'SMcsatkept000000000000000000000');
    // The kept customer's own conversation is resolved after the survey went out, before the merge.
    manual.advance(MINUTE);
    await whatsapp('447700900624', 'wamid.csat-kept-1', { text: 'Hello from WhatsApp' });
    const kept = await find('+447700900624');
    await resolveOpen(kept, { csat: false });
    manual.advance(MINUTE);
    await call('POST', `/api/customers/${kept.id}/merge`, { customerId });
    await idle();
    await sms(from, 'SMcsatkept000000000000000000002', '5');
    const items = await timeline(kept.id);
    expect(items.filter((i) => i.event === 'csat').map((i) => [i.conversationId, i.data?.score])).toEqual([
      [conversationId, 5],
    ]);
  });

  it('leaves behind a survey the merged-away customer had already voided by reopening its conversation', async () => {
    const from = '+14155550625';
    const { customerId } = await surveyedBySms(from, 'SMcsatvoid000000000000000000000');
    await sms(from, 'SMcsatvoid000000000000000000002', 'Actually some items from the box were broken');
    await whatsapp('447700900625', 'wamid.csat-void-1', { text: 'Hello from WhatsApp' });
    const kept = await find('+447700900625');
    await call('POST', `/api/customers/${kept.id}/merge`, { customerId });
    await idle();
    await sms(from, 'SMcsatvoid000000000000000000003', '2');
    const items = await timeline(kept.id);
    expect(items.filter((i) => i.event === 'csat')).toEqual([]);
    expect(items.find((i) => i.type === 'message' && i.text === '2')?.data?.csatAnswer).toBeUndefined();
  });

  it('takes no score once the surveyed conversation is reopened by hand while another one is open', async () => {
    const from = '+14155550626';
    const { customerId, conversationId } = await surveyedBySms(from, 'SMcsatopen000000000000000000000');
    await whatsapp('447700900626', 'wamid.csat-open-1', { text: 'Hello from WhatsApp' });
    const kept = await find('+447700900626');
    await call('POST', `/api/customers/${kept.id}/merge`, { customerId });
    await idle();
    // The kept customer's conversation is the open one; the agent reopens the surveyed one beside it.
    expect((await find(from)).openConversationId).toBe(kept.openConversationId);
    await call('POST', `/api/conversations/${conversationId}/reopen`);
    await idle();
    await sms(from, 'SMcsatopen000000000000000000002', '2');
    const items = await timeline(kept.id);
    expect(items.filter((i) => i.event === 'csat')).toEqual([]);
    expect(items.find((i) => i.type === 'message' && i.text === '2')?.data?.csatAnswer).toBeUndefined();
  });

  it('takes no score after a reopen by hand and a resolve without a survey', async () => {
    const from = '+14155550622';
    const { customerId, conversationId } = await surveyedBySms(from, 'SMcsathand000000000000000000000');
    await call('POST', `/api/conversations/${conversationId}/reopen`);
    await idle();
    await sms(from, 'SMcsathand000000000000000000002', '3');
    manual.advance(MINUTE);
    await call('POST', `/api/conversations/${conversationId}/resolve`, { csat: false });
    await idle();
    await sms(from, 'SMcsathand000000000000000000003', '4');
    const items = await timeline(customerId);
    expect(items.filter((i) => i.event === 'csat')).toEqual([]);
  });
});
