import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { webchatFallbackTimer } from '#shared/domain/webchat/email-fallback.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = agentToken('fallback-agent-token');
const SITE = 'http://shop.example';
const MINUTE = 60_000;

type Started = { sessionToken: string; customerId?: string };

/**
 * A runtime with web chat on time moved by hand and the fallback delay given, started before the
 * describe's tests: its agent's calls, its emails, and a visitor who writes and gets an agent's reply.
 */
function fallbackRuntime(delay: string) {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const at = {} as { runtime: LocalRuntime; visitor: ReturnType<typeof visitorClient> };
  beforeAll(async () => {
    at.runtime = await startTestRuntime({
      env: {
        AGENT_TOKENS: `agent-fay:${AGENT}`,
        WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
        WEBCHAT_ALLOWED_ORIGINS: SITE,
        WEBCHAT_EMAIL_FALLBACK_DELAY: delay,
        WEBCHAT_BUSINESS_NAME: 'Parcel Shop',
      },
      manualTime: manual,
    });
    at.visitor = visitorClient(at.runtime.url, SITE);
  });
  afterAll(async () => {
    await at.runtime?.close();
  });
  const api = agentCaller(() => at.runtime.url, AGENT);
  const { timeline } = customerReads(api);
  /** The customer and the reply's timeline item. */
  const conversation = async (body: Record<string, unknown>, text: string) => {
    const { runtime, visitor } = at;
    const started = (await (await visitor.session(body)).json()) as Started;
    expect((await visitor.send(started.sessionToken, 'Is my parcel out?')).status).toBe(202);
    await runtime.idle();
    const history = (await (await visitor.history(started.sessionToken)).json()) as { customerId: string };
    const customer = await api<Customer>('GET', `/api/customers/${history.customerId}`);
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text });
    await runtime.idle();
    const reply = (await timeline(customer.id)).find((i) => i.text === text) as TimelineItem;
    return { ...started, customer, reply };
  };
  const emails = () => at.runtime.outbox.entries().filter((e) => e.message.channel === 'email');
  return { at, manual, api, timeline, conversation, emails };
}

/**
 * Time moves only when the test says so. An agent's web-chat reply that a verified visitor has not read
 * after WEBCHAT_EMAIL_FALLBACK_DELAY also goes by email, once, with an event on the timeline.
 */
describe('local runtime: the web chat email fallback', () => {
  const { at, manual, api, timeline, conversation, emails } = fallbackRuntime('PT15M');

  it('emails an unread reply to a verified visitor once, after the delay, and says so on the timeline', async () => {
    const token = identityToken({ sub: 'user-77', email: 'Noor@Example.com', name: 'Noor' });
    const timersBefore = at.runtime.timerStore.size;
    const { sessionToken, customer, reply } = await conversation(
      { identityToken: token },
      'Your parcel left this morning.',
    );
    expect(reply.status).toBe('delivered');
    expect(at.runtime.timerStore.size - timersBefore).toBe(1);
    manual.advance(14 * MINUTE);
    await at.runtime.idle();
    expect(emails()).toHaveLength(0);
    manual.advance(MINUTE);
    await at.runtime.idle();
    expect(emails().map((e) => [e.message.to, e.message.email?.subject])).toEqual([
      [{ kind: 'email', value: 'noor@example.com' }, 'Your chat with Parcel Shop'],
    ]);
    expect(emails()[0]?.message.text).toContain('Your parcel left this morning.');
    expect(emails()[0]?.message.text).toContain('You wrote: "Is my parcel out?"');
    const replyId = reply.id.replace(/^reply:/, '');
    const events = (await timeline(customer.id)).filter((i) => i.event === 'webchat_email_fallback');
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ replyId, conversationId: customer.openConversationId });
    // QA: the email showed in the visitor's chat as one more agent message, and in the console as the
    // agent's own. It is marked automatic, and the chat leaves it out.
    const sent = (await timeline(customer.id)).find((i) => i.id === events[0]?.data?.emailReplyId);
    expect(sent?.data?.author).toMatchObject({ kind: 'agent', automatic: 'webchat_email_fallback' });
    const chat = (await (await at.visitor.history(sessionToken)).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(chat.messages.map((m) => m.text).sort()).toEqual([
      'Is my parcel out?',
      'Your parcel left this morning.',
    ]);

    // The same timer firing twice more (a redelivery, a late duplicate) sends nothing more.
    const conversationId = customer.openConversationId as string;
    const timer = webchatFallbackTimer({ conversationId, replyId, at: reply.at }, 15 * MINUTE);
    await at.runtime.timers.send([JSON.stringify(timer), JSON.stringify(timer)]);
    await at.runtime.idle();
    expect(emails()).toHaveLength(1);
    expect((await timeline(customer.id)).filter((i) => i.event === 'webchat_email_fallback')).toHaveLength(1);
  });

  it('sends nothing for a reply the visitor has read', async () => {
    const before = emails().length;
    const token = identityToken({ sub: 'user-78', email: 'ravi@example.com' });
    const { sessionToken, customer, reply } = await conversation(
      { identityToken: token },
      'It is on its way.',
    );
    expect(await (await at.visitor.read(sessionToken, [reply.id])).json()).toEqual({ read: [reply.id] });
    await at.runtime.idle();
    manual.advance(15 * MINUTE);
    await at.runtime.idle();
    expect(emails()).toHaveLength(before);
    expect((await timeline(customer.id)).some((i) => i.event === 'webchat_email_fallback')).toBe(false);
  });

  it('never emails an email an anonymous visitor typed', async () => {
    const before = emails().length;
    const { customer } = await conversation({ email: 'typed@example.com' }, 'We will check for you.');
    manual.advance(15 * MINUTE);
    await at.runtime.idle();
    expect(emails()).toHaveLength(before);
    expect((await timeline(customer.id)).some((i) => i.event === 'webchat_email_fallback')).toBe(false);
  });

  it('sends the agent’s three chat lines as one email, once, however many timers fire', async () => {
    const token = identityToken({ sub: 'user-79', email: 'rae@example.com', name: 'Rae' });
    const { customer } = await conversation({ identityToken: token }, 'Hi Rae!');
    const conversationId = customer.openConversationId as string;
    for (const text of ['Let me check booking 42.', 'Done, it is cancelled.']) {
      await api('POST', `/api/conversations/${conversationId}/replies`, { text });
      await at.runtime.idle();
    }
    const before = emails().length;
    manual.advance(16 * MINUTE);
    await at.runtime.idle();
    const sent = emails().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.message.email?.subject).toBe('Your chat with Parcel Shop');
    const text = sent[0]?.message.text ?? '';
    expect(text).toContain('3 replies in your chat with Parcel Shop');
    expect(text.indexOf('Hi Rae!')).toBeLessThan(text.indexOf('Done, it is cancelled.'));
    expect(text).toContain('You wrote: "Is my parcel out?"');
    const events = (await timeline(customer.id)).filter((i) => i.event === 'webchat_email_fallback');
    expect(events.map((e) => e.data?.replyIds)).toEqual([expect.arrayContaining([expect.any(String)])]);
    expect((events[0]?.data?.replyIds as string[] | undefined)?.length).toBe(3);
    // Every reply's timer again, late: all covered, nothing more.
    const replies = (await timeline(customer.id)).filter(
      (i) => i.type === 'message' && i.direction === 'outbound',
    );
    const timers = replies.map((r) =>
      JSON.stringify(
        webchatFallbackTimer({ conversationId, replyId: r.id.replace(/^reply:/, ''), at: r.at }, 15 * MINUTE),
      ),
    );
    await at.runtime.timers.send(timers);
    await at.runtime.idle();
    expect(emails().slice(before)).toHaveLength(1);
  });

  it('links the email back to the page the visitor chatted on, and leaves out a page of another origin', async () => {
    const chatFrom = async (sub: string, page: string) => {
      // Valid for a day: the tests before moved the clock on by more than an hour.
      const exp = Math.floor(Date.now() / 1000) + 86_400;
      const token = identityToken({ sub, email: `${sub}@example.com`, exp });
      const started = (await (await at.visitor.session({ identityToken: token })).json()) as Started;
      const sent = await fetch(`${at.runtime.url}/webchat/messages`, {
        method: 'POST',
        headers: {
          origin: SITE,
          'content-type': 'application/json',
          authorization: `Bearer ${started.sessionToken}`,
        },
        body: JSON.stringify({ text: 'Do you ship to Oslo?', clientMessageId: `${sub}-message-1`, page }),
      });
      expect(sent.status).toBe(202);
      await at.runtime.idle();
      const history = (await (await at.visitor.history(started.sessionToken)).json()) as {
        customerId: string;
      };
      const customer = await api<Customer>('GET', `/api/customers/${history.customerId}`);
      await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text: 'We do.' });
      await at.runtime.idle();
      const before = emails().length;
      manual.advance(15 * MINUTE);
      await at.runtime.idle();
      return emails().slice(before)[0]?.message.text ?? '';
    };
    expect(await chatFrom('user-81', `${SITE}/shipping?ref=mail#faq`)).toContain(
      `Carry on in the chat: ${SITE}/shipping#threadline-chat`,
    );
    const elsewhere = await chatFrom('user-82', 'https://evil.example/login');
    expect(elsewhere).toContain('We do.');
    expect(elsewhere).not.toContain('evil.example');
    expect(elsewhere).toContain('open the chat on our site again');
  });
});

/**
 * QA (repro-1): a clinic could not stop the fallback mailing a patient's chat (the reply and "You
 * wrote: ...") to their inbox: the setting refused `off`, `PT0S` and anything over P7D. With `off` no
 * reply arms a timer, and a timer armed before the switch sends nothing.
 */
describe('local runtime: WEBCHAT_EMAIL_FALLBACK_DELAY=off', () => {
  const { at, manual, timeline, conversation, emails } = fallbackRuntime('off');

  it('arms no timer for a reply to a verified visitor and emails nothing, even for a timer set before', async () => {
    const token = identityToken({ sub: 'user-90', email: 'pat@example.com', name: 'Pat' });
    const timersBefore = at.runtime.timerStore.size;
    const { customer, reply } = await conversation({ identityToken: token }, 'Your result is in.');
    expect(reply.status).toBe('delivered');
    // No timer for it (with a delay, the reply sets one: the first test above).
    expect(at.runtime.timerStore.size - timersBefore).toBe(0);
    manual.advance(16 * MINUTE);
    await at.runtime.idle();
    expect(emails()).toHaveLength(0);
    // A timer armed while a delay was set fires after the switch: it sends nothing and writes nothing.
    const conversationId = customer.openConversationId as string;
    const replyId = reply.id.replace(/^reply:/, '');
    const timer = webchatFallbackTimer({ conversationId, replyId, at: reply.at }, 15 * MINUTE);
    await at.runtime.timers.send([JSON.stringify(timer)]);
    await at.runtime.idle();
    expect(emails()).toHaveLength(0);
    const events = (await timeline(customer.id)).filter((i) => i.event === 'webchat_email_fallback');
    expect(events).toHaveLength(0);
  });
});
