import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { identityToken } from '../support/webchat.js';
import { useWebchatMergeRuntime } from '../support/webchat-merge.js';
import { sesReceived } from '../support/webhooks.js';

const AGENT = agentToken('typed-merge-agent-token');
const SITE = 'http://shop.example';
const VICTOR = 'victor.typed@example.net';
const EVE = 'eve.ids@example.net';

type History = {
  customerId?: string;
  messages: Array<{ id: string; author: string; channel?: string; conversationId?: string; text: string }>;
};
type Frame = { type: string; message?: { text: string; channel?: string } };

/**
 * QA: a stranger typed a customer's email into the anonymous pre-chat form; the suggestion it raised
 * read "email … (mentioned)", like a real mention, and once an admin accepted it the stranger's chat
 * showed the customer's past emails and, live, their next emails and our answers by email. The typed
 * email is now its own, unverified, evidence, and an anonymous session sees only its own web chat.
 */
describe('an email typed in the anonymous pre-chat form, merged by an admin', () => {
  const { runtime, api, reads, visitor, historyOf } = useWebchatMergeRuntime<History>(
    'agent-typed',
    AGENT,
    SITE,
  );
  const start = Date.now() - 60_000;
  const email = (sesId: string, seconds: number, text: string) =>
    receiveSes(
      runtime,
      sesReceived({
        sesId,
        at: new Date(start + seconds * 1000).toISOString(),
        from: `Victor <${VICTOR}>`,
        messageId: `<${sesId}@mail.example>`,
        subject: 'My account',
        text,
      }),
      { snsId: `sns-${sesId}`, at: new Date(start + seconds * 1000).toISOString() },
    );

  it('labels the typed email unverified, and never shows the stranger the customer’s history or mail', async () => {
    await email('victor-1', 0, 'My card ending 4242 was charged twice.');
    const victim = await reads.find(VICTOR);
    // The customer also chats, signed in, on the site: their chat is not the stranger's either.
    const owner = (await (
      await visitor().session({ identityToken: identityToken({ sub: 'victor-1', email: VICTOR }) })
    ).json()) as { sessionToken: string };
    await visitor().send(owner.sessionToken, 'Signed in: my order 77 is late');
    await runtime.idle();

    const stranger = (await (await visitor().session({ email: VICTOR })).json()) as { sessionToken: string };
    await visitor().send(stranger.sessionToken, 'Hi, Victor here');
    await runtime.idle();
    const anonId = (await historyOf(stranger.sessionToken)).customerId as string;
    const suggestions = await api<{ items: Suggestion[] }>('GET', `/api/customers/${anonId}/suggestions`);
    expect(suggestions.items.map((s) => [s.otherId, s.evidence.map((e) => e.reason)])).toEqual([
      [victim.id, ['typed_in_chat']],
    ]);

    await api('POST', `/api/customers/${anonId}/suggestions/${victim.id}/accept`);
    await runtime.idle();
    const frames: Frame[] = [];
    const socket = new WebSocket(
      `${runtime.url.replace('http', 'ws')}/webchat/live?session=${stranger.sessionToken}`,
    );
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));

    expect((await historyOf(stranger.sessionToken)).messages.map((m) => m.text)).toEqual(['Hi, Victor here']);

    // Live: the customer's next email, our answer by email, their next signed-in chat message.
    await email('victor-2', 30, 'Please send the refund to IBAN GB33BUKB20201555555555.');
    const mail = (await reads.timeline(victim.id)).find((i) => i.text?.includes('IBAN'));
    await api('POST', `/api/conversations/${mail?.conversationId}/replies`, {
      text: 'Refund of £120 to your IBAN is confirmed.',
      channel: 'email',
    });
    await visitor().send(owner.sessionToken, 'Signed in again: any news?');
    await visitor().send(stranger.sessionToken, 'Still there?');
    await runtime.idle();
    // Our web-chat answer in the stranger's own conversation still reaches them, live and in history.
    // Its conversation by its own id, as the agent sees it (the stranger is shown an opaque one).
    const chat = (await reads.timeline(victim.id)).find((i) => i.text === 'Hi, Victor here');
    await api('POST', `/api/conversations/${chat?.conversationId}/replies`, {
      text: 'Hello, how can I help?',
      channel: 'webchat',
    });
    await runtime.idle();
    await expect
      .poll(() => frames.some((f) => f.message?.text === 'Hello, how can I help?'), { timeout: 30_000 })
      .toBe(true);
    expect([...new Set(frames.filter((f) => f.type === 'message').map((f) => f.message?.text))]).toEqual([
      'Still there?',
      'Hello, how can I help?',
    ]);
    expect((await historyOf(stranger.sessionToken)).messages.map((m) => m.text)).toEqual([
      'Hi, Victor here',
      'Still there?',
      'Hello, how can I help?',
    ]);
    // The signed-in customer still sees their own history, every channel.
    expect((await historyOf(owner.sessionToken)).messages.map((m) => m.text)).toEqual(
      expect.arrayContaining([
        'My card ending 4242 was charged twice.',
        'Signed in: my order 77 is late',
        'Refund of £120 to your IBAN is confirmed.',
      ]),
    );
    socket.close();
  });

  /**
   * QA (privacy): once the suggestion was accepted, the stranger's history answered `customerId` = the
   * customer's id and listed their next message under the customer's conversation id, still after the
   * unmerge. An anonymous visitor is shown their own customer's id only (none while merged into
   * another) and each conversation by an opaque id, in the history and live.
   */
  it('shows the stranger no id of the customer’s: no customer id while merged, opaque conversation ids', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    await receiveSes(
      runtime,
      sesReceived({
        sesId: 'eve-ids-1',
        at,
        from: `Eve <${EVE}>`,
        messageId: '<eve-ids-1@mail.example>',
        text: 'hi',
      }),
      { snsId: 'sns-eve-ids-1', at },
    );
    const eve = await reads.find(EVE);
    const mallory = (await (await visitor().session({ email: EVE })).json()) as { sessionToken: string };
    await visitor().send(mallory.sessionToken, 'MALLORY1 I am Eve');
    await runtime.idle();
    const suggestions = await api<{ items: Array<{ otherId: string }> }>(
      'GET',
      `/api/customers/${eve.id}/suggestions`,
    );
    const strangerId = suggestions.items[0]?.otherId as string;
    expect(strangerId).toMatch(/^cu_/);
    await api('POST', `/api/customers/${eve.id}/suggestions/${strangerId}/accept`);
    await runtime.idle();

    const frames: unknown[] = [];
    const socket = new WebSocket(
      `${runtime.url.replace('http', 'ws')}/webchat/live?session=${mallory.sessionToken}`,
    );
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    await visitor().send(mallory.sessionToken, 'MALLORY2 what is my balance?');
    await runtime.idle();
    const kept = await api<Customer>('GET', `/api/customers/${eve.id}`);
    const conversation = kept.openConversationId as string;
    await api('POST', `/api/conversations/${conversation}/replies`, {
      text: 'Hello there',
      channel: 'webchat',
    });
    await runtime.idle();
    await expect.poll(() => JSON.stringify(frames).includes('Hello there'), { timeout: 30_000 }).toBe(true);

    const ids = [eve.id, strangerId, conversation];
    const merged = await historyOf(mallory.sessionToken);
    expect(merged.messages.map((m) => m.text)).toEqual([
      'MALLORY1 I am Eve',
      'MALLORY2 what is my balance?',
      'Hello there',
    ]);
    expect(merged.customerId).toBeUndefined();
    for (const id of ids) {
      expect(JSON.stringify(merged)).not.toContain(id);
      expect(JSON.stringify(frames)).not.toContain(id);
    }
    // The same opaque id in the history and live, so the panel groups the chat and its typing.
    const shown = merged.messages.map((m) => m.conversationId);
    expect(shown.every((id) => /^vc_[\w-]{22}$/.test(String(id)))).toBe(true);
    expect(JSON.stringify(frames)).toContain(String(shown[2]));

    await api('POST', `/api/customers/${eve.id}/unmerge`, { customerId: strangerId });
    await runtime.idle();
    // Their own customer again: its id is theirs; Eve's and her conversation's are still not shown.
    const after = await historyOf(mallory.sessionToken);
    expect(after.customerId).toBe(strangerId);
    expect(after.messages.map((m) => m.text)).toEqual(merged.messages.map((m) => m.text));
    for (const id of [eve.id, conversation]) expect(JSON.stringify(after)).not.toContain(id);
    socket.close();
  }, 60_000);
  /**
   * Pentest: once a stranger's chat was merged into Emma's, 60 notes on her conversation; the stranger's
   * newest page answered no message and a readable cursor holding her timeline's keys (notes' ids and
   * times, her last channel). Pages with nothing of theirs are read past, and the cursor is sealed.
   */
  it('answers the stranger their own messages past the customer’s notes, with a cursor that shows nothing', async () => {
    const emma = (await (
      await visitor().session({ identityToken: identityToken({ sub: 'u-emma', email: 'emma@example.com' }) })
    ).json()) as { sessionToken: string };
    await visitor().send(emma.sessionToken, 'EMMA1 where is my parcel?');
    await runtime.idle();
    const stranger = (await (await visitor().session({ email: 'emma@example.com' })).json()) as {
      sessionToken: string;
    };
    for (const text of ['STRANGER1', 'STRANGER2', 'STRANGER3'])
      await visitor().send(stranger.sessionToken, text);
    await runtime.idle();
    const kept = await reads.find('emma@example.com');
    const strangerId = (await historyOf(stranger.sessionToken)).customerId as string;
    await api('POST', `/api/customers/${kept.id}/suggestions/${strangerId}/accept`);
    await runtime.idle();
    const conversation = (await api<Customer>('GET', `/api/customers/${kept.id}`)).openConversationId;
    for (let n = 0; n < 110; n++) {
      await api('POST', `/api/conversations/${conversation}/notes`, { text: `internal note ${n}` });
    }
    const page = async (query: string) => {
      const res = await fetch(`${runtime.url}/webchat/messages?${query}`, {
        headers: { authorization: `Bearer ${stranger.sessionToken}`, origin: SITE },
      });
      expect(res.status, query).toBe(200);
      return (await res.json()) as History & { cursor: string | null };
    };
    const newest = await page('order=newest');
    expect(newest.messages.map((m) => m.text)).toEqual(['STRANGER1', 'STRANGER2', 'STRANGER3']);
    const oldest = await page('order=oldest');
    expect(oldest.messages.map((m) => m.text)).toEqual(['STRANGER1', 'STRANGER2', 'STRANGER3']);
    for (const cursor of [newest.cursor, oldest.cursor].filter((c) => c !== null)) {
      const text = Buffer.from(cursor, 'base64url').toString('latin1');
      for (const shown of ['TIMELINE', 'note', 'webchat', kept.id]) expect(text).not.toContain(shown);
    }
    // Theirs only, and for its order only: Emma's session, or the other order, is refused it.
    expect(oldest.cursor).not.toBeNull();
    const reuse = (token: string, query: string) =>
      fetch(`${runtime.url}/webchat/messages?${query}&cursor=${oldest.cursor}`, {
        headers: { authorization: `Bearer ${token}`, origin: SITE },
      });
    expect((await reuse(stranger.sessionToken, 'order=oldest')).status).toBe(200);
    expect((await reuse(emma.sessionToken, 'order=oldest')).status).toBe(400);
    expect((await reuse(stranger.sessionToken, 'order=newest')).status).toBe(400);
  }, 90_000);
});
