import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Suggestion } from '#shared/domain/suggestions.js';
import { agentToken } from '../support/agent-token.js';
import { identityToken } from '../support/webchat.js';
import { useWebchatMergeRuntime } from '../support/webchat-merge.js';

const AGENT = agentToken('verified-merge-agent-token');
const SITE = 'http://shop.example';
const OWNER = 'olivia.verified@example.net';

type History = {
  customerId?: string;
  messages: Array<{ id: string; author: string; conversationId?: string; text: string }>;
};
type Frame = { type: string; message?: { text: string } };

/**
 * A signed-in customer (the site's identity token vouches for them) whose customer an admin merged
 * with the customer a stranger made by typing their email in the anonymous pre-chat form: the
 * signed-in chat showed the stranger's messages, and our answers to the stranger, in its history and
 * live. A session sees only what identities at least as trusted as its own claim wrote or were sent.
 */
describe('a verified visitor merged with a stranger who typed their email', () => {
  const { runtime, api, reads, visitor, historyOf } = useWebchatMergeRuntime<History>(
    'agent-verified-merge',
    AGENT,
    SITE,
  );
  const texts = async (token: string) => (await historyOf(token)).messages.map((m) => m.text);
  const listen = (token: string) => {
    const frames: Frame[] = [];
    const socket = new WebSocket(`${runtime.url.replace('http', 'ws')}/webchat/live?session=${token}`);
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    const open = new Promise((resolve) => socket.once('open', resolve));
    return { frames, socket, open };
  };
  const frameTexts = (frames: Frame[]) => [
    ...new Set(frames.filter((f) => f.type === 'message').map((f) => f.message?.text)),
  ];

  it('never shows the signed-in customer the stranger’s chat, and answers each where they chat', async () => {
    const owner = (await (
      await visitor().session({ identityToken: identityToken({ sub: 'olivia-1', email: OWNER }) })
    ).json()) as { sessionToken: string };
    await visitor().send(owner.sessionToken, 'Signed in: where is order 77?');
    await runtime.idle();
    const ownerLive = listen(owner.sessionToken);
    await ownerLive.open;

    const stranger = (await (await visitor().session({ email: OWNER })).json()) as { sessionToken: string };
    await visitor().send(stranger.sessionToken, 'Stranger: send it to 1 Secret Lane');
    await runtime.idle();
    const anonId = (await historyOf(stranger.sessionToken)).customerId as string;
    const ownerId = (await reads.find(OWNER)).id;
    const suggestions = await api<{ items: Suggestion[] }>('GET', `/api/customers/${anonId}/suggestions`);
    expect(suggestions.items.map((s) => [s.otherId, s.evidence.map((e) => e.reason)])).toEqual([
      [ownerId, ['typed_in_chat']],
    ]);
    await api('POST', `/api/customers/${anonId}/suggestions/${ownerId}/accept`);
    await runtime.idle();
    const strangerLive = listen(stranger.sessionToken);
    await strangerLive.open;

    // After the merge: the stranger writes again, and an agent answers the stranger's conversation.
    await visitor().send(stranger.sessionToken, 'Stranger again: my PIN is 1234');
    await runtime.idle();
    // Its first conversation by its own id, as the agent sees it (the stranger is shown an opaque one).
    const strangerChat = (await reads.timeline(ownerId)).find(
      (i) => i.text === 'Stranger: send it to 1 Secret Lane',
    )?.conversationId;
    await api('POST', `/api/conversations/${strangerChat}/replies`, {
      text: 'Reply for the stranger',
      channel: 'webchat',
    });
    // The owner writes again in their conversation; the agent's answer there is theirs.
    await visitor().send(owner.sessionToken, 'Signed in: any news?');
    await runtime.idle();
    const ownerChat = (await historyOf(owner.sessionToken)).messages.find(
      (m) => m.text === 'Signed in: any news?',
    )?.conversationId;
    await api('POST', `/api/conversations/${ownerChat}/replies`, {
      text: 'Reply for the owner',
      channel: 'webchat',
    });
    await runtime.idle();

    await expect
      .poll(() => frameTexts(ownerLive.frames).includes('Reply for the owner'), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(() => frameTexts(strangerLive.frames).includes('Reply for the stranger'), { timeout: 30_000 })
      .toBe(true);
    const strangers = ['Stranger: send it to 1 Secret Lane', 'Stranger again: my PIN is 1234'];
    const ownerSees = await texts(owner.sessionToken);
    expect(ownerSees).toEqual(
      expect.arrayContaining([
        'Signed in: where is order 77?',
        'Signed in: any news?',
        'Reply for the owner',
      ]),
    );
    for (const text of [...strangers, 'Reply for the stranger']) {
      expect(ownerSees).not.toContain(text);
      expect(frameTexts(ownerLive.frames)).not.toContain(text);
    }
    expect(await texts(stranger.sessionToken)).toEqual([...strangers, 'Reply for the stranger']);
    expect(frameTexts(strangerLive.frames)).toEqual([
      'Stranger again: my PIN is 1234',
      'Reply for the stranger',
    ]);
    // The web-chat replies say whom they were for.
    const timeline = await reads.timeline(ownerId);
    const sentTo = (text: string) => timeline.find((i) => i.text === text)?.to?.kind;
    expect([sentTo('Reply for the stranger'), sentTo('Reply for the owner')]).toEqual([
      'webchat_visitor',
      'webchat_user',
    ]);
    ownerLive.socket.close();
    strangerLive.socket.close();
  }, 90_000);
});
