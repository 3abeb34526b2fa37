import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Customer } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';
import { sesReceived } from '../support/webhooks.js';

const AGENT = 'anonymous-ids-agent-token';
const SITE = 'http://shop.example';
const EVE = 'eve.ids@example.net';

type History = {
  customerId?: string;
  messages: Array<{ text: string; conversationId?: string }>;
  handoff?: { conversationId: string };
};

/**
 * QA (privacy): once an agent accepted the `typed_in_chat` suggestion of a stranger who typed Eve's
 * email, the stranger's `GET /webchat/messages` answered `customerId` = Eve's id and listed their next
 * message under Eve's conversation id, still after the unmerge. An anonymous visitor is shown their own
 * customer's id only (none while merged into another) and each conversation by an opaque id, in the
 * history and live.
 */
describe('an anonymous visitor merged into a customer sees no id of theirs', () => {
  const runtime = useTestRuntime({
    webchatLive: true,
    env: {
      AGENT_TOKENS: `agent-ids:${AGENT}:admin`,
      WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
      WEBCHAT_ALLOWED_ORIGINS: SITE,
    },
  });
  const api = agentCaller(() => runtime.url, AGENT);
  const reads = customerReads(api);
  const visitor = () => visitorClient(runtime.url, SITE);
  const historyOf = async (token: string) => (await (await visitor().history(token)).json()) as History;

  it('answers no customer id while merged and opaque conversation ids, merged and unmerged', async () => {
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
});
