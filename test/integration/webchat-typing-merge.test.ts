import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useWebchatMergeRuntime } from '../support/webchat-merge.js';
import { sesReceived } from '../support/webhooks.js';

const AGENT = agentToken('typing-merge-agent-token');
const SITE = 'http://shop.example';
const WES = 'wes.typing@example.net';

type History = { customerId?: string; messages: Array<{ text: string; conversationId?: string }> };
type Frame = { type: string; by?: string; message?: { text?: string } };

/**
 * QA: Wes emails; a stranger types Wes's address in the anonymous pre-chat form and an admin accepts
 * the suggestion. The stranger then writes in the chat: Wes's conversation is now a web-chat one, and
 * an agent's reply naming no channel goes to Wes by email (the chat of a visitor nobody vouched for
 * gives way), but the agent's typing was shown in the stranger's chat ("An agent is typing…" for an
 * answer they would never get). The typing now goes where that reply goes.
 */
describe('an agent typing in a conversation a stranger merged in wrote in', () => {
  const { runtime, api, reads, visitor, historyOf } = useWebchatMergeRuntime<History>(
    'agent-typing-merge',
    AGENT,
    SITE,
  );
  const start = Date.now() - 60_000;
  const said = (frames: Frame[], text: string) =>
    frames.some((f) => f.type === 'message' && f.message?.text === text);

  it('shows the stranger no typing for a reply that goes to the customer by email', async () => {
    const at = new Date(start).toISOString();
    await receiveSes(
      runtime,
      sesReceived({
        sesId: 'wes-1',
        at,
        from: `Wes <${WES}>`,
        messageId: '<wes-1@mail.example>',
        subject: 'My parcel',
        text: 'Where is my parcel?',
      }),
      { snsId: 'sns-wes-1', at },
    );
    const wes = await reads.find(WES);
    const stranger = (await (await visitor().session({ email: WES })).json()) as { sessionToken: string };
    await visitor().send(stranger.sessionToken, 'Hi, Wes here');
    await runtime.idle();
    const anonId = (await historyOf(stranger.sessionToken)).customerId as string;
    const suggestions = await api<{ items: Suggestion[] }>('GET', `/api/customers/${anonId}/suggestions`);
    expect(suggestions.items.map((s) => s.otherId)).toEqual([wes.id]);
    await api('POST', `/api/customers/${anonId}/suggestions/${wes.id}/accept`);
    await runtime.idle();

    const frames: Frame[] = [];
    const socket = new WebSocket(
      `${runtime.url.replace('http', 'ws')}/webchat/live?session=${stranger.sessionToken}`,
    );
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    const agent = new WebSocket(`${runtime.url.replace('http', 'ws')}/api/live?token=${AGENT}`);
    await new Promise((resolve) => agent.once('message', resolve));

    // Written while merged: the conversation it lands in is a web-chat one now.
    await visitor().send(stranger.sessionToken, 'Is it shipped?');
    await runtime.idle();
    // The visitor is shown an opaque id: the conversation is the kept customer's open one (the
    // suggestion accepted on the visitor's customer keeps it), named by the agent API.
    const { openConversationId: conversationId } = await api<{ openConversationId?: string }>(
      'GET',
      `/api/customers/${anonId}`,
    );
    const conversation = await api<Conversation>('GET', `/api/conversations/${conversationId}`);
    const history = await historyOf(stranger.sessionToken);
    expect(history.messages.at(-1)?.conversationId).not.toBe(conversationId);
    expect(conversation.channel).toBe('webchat');

    agent.send(JSON.stringify({ type: 'typing', conversationId }));
    // A fence: the stranger's own next message reaches their socket after anything sent before it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await visitor().send(stranger.sessionToken, 'Hello?');
    await expect.poll(() => said(frames, 'Hello?'), { timeout: 30_000 }).toBe(true);
    expect(frames.filter((f) => f.type === 'typing' && f.by === 'agent')).toEqual([]);

    // The rule typing follows: the reply naming no channel goes to Wes by email, not to the chat.
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'It left today' });
    await runtime.idle();
    const timeline = await api<{ items: TimelineItem[] }>(
      'GET',
      `/api/customers/${wes.id}/timeline?limit=200`,
    );
    const reply = timeline.items.find((i) => i.text === 'It left today');
    expect(reply).toMatchObject({ channel: 'email', direction: 'outbound' });
    for (const s of [socket, agent]) s.close();
  }, 90_000);
});
