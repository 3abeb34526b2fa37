import { describe, expect, it } from 'vitest';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveMail } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { visitorClient } from '../support/webchat.js';

const AGENT = agentToken('typed-reply-agent-token');
const SITE = 'http://shop.example';
const VERA = 'vera.typed@example.net';

type Reply = { reply: TimelineItem };
type Option = { channel: string; available: boolean; reason?: string };
type History = { customerId?: string; messages: Array<{ author: string; text: string }> };

/**
 * QA: a stranger typed a customer's email in the anonymous pre-chat form; once an admin accepted the
 * `typed_in_chat` suggestion, an agent's answer in the customer's email thread, naming no channel,
 * went to the stranger's web chat (the merge gave the kept profile the chat as its last channel, and
 * the address fell back to the customer's newest chat message of any conversation), and the stranger
 * read it. A reply reaches a chat nobody vouched for only in a conversation that chat wrote in.
 */
describe('a reply in the email thread of a customer merged with a stranger who typed their email', () => {
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-typed-reply:${AGENT}:admin`, WEBCHAT_ALLOWED_ORIGINS: SITE },
  });
  const api = agentCaller(() => runtime.url, AGENT);
  const request = agentRequest(() => runtime.url, AGENT);
  const reads = customerReads(api);
  const visitor = () => visitorClient(runtime.url, SITE);
  const at = new Date(Date.now() - 60_000).toISOString();

  it('goes by email, refuses the web chat, and the stranger sees none of it', async () => {
    await receiveMail(runtime, {
      sesId: 'vera-1',
      at,
      from: `Vera <${VERA}>`,
      subject: 'My invoice',
      text: 'Please send me the invoice for order 3003.',
    });
    const vera = await reads.find(VERA);
    const thread = (await reads.timeline(vera.id)).find((i) => i.channel === 'email')?.conversationId;
    const stranger = (await (await visitor().session({ name: 'Eve', email: VERA })).json()) as {
      sessionToken: string;
    };
    await visitor().send(stranger.sessionToken, 'hi there, what is the status of my order?');
    await runtime.idle();
    const seen = async () =>
      ((await (await visitor().history(stranger.sessionToken)).json()) as History).messages.map(
        (m) => m.text,
      );
    const eve = ((await (await visitor().history(stranger.sessionToken)).json()) as History).customerId;
    const { items } = await api<{ items: Suggestion[] }>('GET', `/api/customers/${vera.id}/suggestions`);
    expect(items.map((s) => [s.otherId, s.evidence.map((e) => e.reason)])).toEqual([
      [eve, ['typed_in_chat']],
    ]);
    await api('POST', `/api/customers/${vera.id}/suggestions/${eve}/accept`);
    await runtime.idle();
    const before = await seen();

    // The console's reply box for Vera's thread: email first, the stranger's chat refused.
    const options = await api<Option[]>('GET', `/api/customers/${vera.id}/channels?conversation=${thread}`);
    expect(options.map((o) => [o.channel, o.available, o.reason])).toEqual([
      ['email', true, undefined],
      ['webchat', false, 'webchat_not_available'],
    ]);

    const sent = await api<Reply>('POST', `/api/conversations/${thread}/replies`, {
      text: 'Vera, here is your invoice for 3003',
    });
    expect([sent.reply.channel, sent.reply.to]).toEqual(['email', { kind: 'email', value: VERA }]);

    const named = await request<{ error: { code: string; message: string } }>(
      'POST',
      `/api/conversations/${thread}/replies`,
      { text: 'Vera, your invoice again', channel: 'webchat' },
    );
    expect([named.status, named.json.error.code]).toEqual([409, 'webchat_not_available']);
    expect(named.json.error.message).toContain('did not write in this conversation');
    await runtime.idle();

    expect(await seen()).toEqual(before);
    const texts = (await reads.timeline(vera.id)).map((i) => i.text);
    expect(texts).toContain('Vera, here is your invoice for 3003');
    expect(texts).not.toContain('Vera, your invoice again');

    // The stranger writes again: into Vera's open thread, the chat now her last channel. A reply
    // naming no channel still goes by email; the chat, which wrote here now, is answered when named.
    await visitor().send(stranger.sessionToken, 'still me, any invoice?');
    await runtime.idle();
    const mixed = (await reads.timeline(vera.id)).find((i) => i.text === 'still me, any invoice?');
    expect(mixed?.conversationId).toBe(thread);
    const now = await api<Option[]>('GET', `/api/customers/${vera.id}/channels?conversation=${thread}`);
    expect(now.map((o) => [o.channel, o.available])).toEqual([
      ['email', true],
      ['webchat', true],
    ]);
    const again = await api<Reply>('POST', `/api/conversations/${thread}/replies`, {
      text: 'Vera, paid in full',
    });
    expect([again.reply.channel, again.reply.to]).toEqual(['email', { kind: 'email', value: VERA }]);
    const chat = await api<Reply>('POST', `/api/conversations/${thread}/replies`, {
      text: 'Who is writing, please?',
      channel: 'webchat',
    });
    expect(chat.reply.to?.kind).toBe('webchat_visitor');
    await runtime.idle();
    expect(await seen()).not.toContain('Vera, paid in full');
    expect(await seen()).toContain('Who is writing, please?');
  });
});
