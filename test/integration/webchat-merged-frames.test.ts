import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Suggestion } from '#shared/domain/suggestions.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = agentToken('merged-frames-agent-token');
const SITE = 'http://shop.example';
const OWNER = 'mona.verified@example.net';
const ASK_PERSON = 'I want to talk to a person about a refund';

type History = { customerId?: string; messages: Array<{ text: string; conversationId?: string }> };
type Frame = { type: string; by?: string; conversationId?: string; handoff?: { conversationId: string } };

/**
 * The live frames that are not timeline messages (an agent's typing, a hand-off to a person, the AI's
 * typing turned off) follow the rule the history follows (`sessionView`): a signed-in customer merged
 * with a stranger who typed their email sees no typing and no hand-off of the stranger's chat, and the
 * stranger none of the customer's. QA found the signed-in chat saying "An agent is typing…" and
 * "Connecting you to someone" for the stranger's conversation.
 */
describe('a verified visitor merged with a stranger: typing and hand-off frames', () => {
  // Every reading of the clock a millisecond later: at one instant the "latest" message would be the one
  // whose visitor key sorts last (a random anonymous key beat the owner's about once in 25 runs).
  let now = Date.parse('2026-12-03T10:00:00.000Z');
  const tick = () => {
    now += 1;
    return new Date(now);
  };
  const runtime = useTestRuntime({
    routing: true,
    webchatLive: true,
    clock: { now: tick },
    env: {
      AGENT_TOKENS: `agent-merged-frames:${AGENT}:admin`,
      WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
      WEBCHAT_ALLOWED_ORIGINS: SITE,
      ROUTING_POLICY_FILE: shippedPolicyFileWith((policy) => {
        policy.businessHours = {
          timezone: 'UTC',
          hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' }],
          afterHours: { route: 'ai' },
        };
      }),
    },
  });
  const api = agentCaller(() => runtime.url, AGENT);
  const reads = customerReads(api);
  const visitor = () => visitorClient(runtime.url, SITE);
  const historyOf = async (token: string) => (await (await visitor().history(token)).json()) as History;
  const ws = () => runtime.url.replace('http', 'ws');
  const listen = async (token: string) => {
    const frames: Frame[] = [];
    const socket = new WebSocket(`${ws()}/webchat/live?session=${token}`);
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    return { frames, socket };
  };
  /** What a socket was told other than messages: hand-offs and an agent's typing. */
  const signals = (frames: Frame[]) =>
    frames
      .map((f) => (f.type === 'typing' ? `typing:${f.by}` : f.type))
      .filter((s) => s === 'handoff' || s === 'typing:agent');
  const said = (frames: Frame[], text: string) =>
    frames.some((f) => f.type === 'message' && (f as { message?: { text?: string } }).message?.text === text);

  it('sends each its own conversation’s typing and hand-off, never the other’s', async () => {
    const owner = (await (
      await visitor().session({ identityToken: identityToken({ sub: 'mona-1', email: OWNER }) })
    ).json()) as { sessionToken: string };
    await visitor().send(owner.sessionToken, 'Signed in: where is order 12?');
    await runtime.idle();
    const stranger = (await (await visitor().session({ email: OWNER })).json()) as { sessionToken: string };
    await visitor().send(stranger.sessionToken, 'Stranger: hello');
    await runtime.idle();
    const anonId = (await historyOf(stranger.sessionToken)).customerId as string;
    const ownerId = (await reads.find(OWNER)).id;
    const suggestions = await api<{ items: Suggestion[] }>('GET', `/api/customers/${anonId}/suggestions`);
    expect(suggestions.items.map((s) => s.otherId)).toEqual([ownerId]);
    await api('POST', `/api/customers/${anonId}/suggestions/${ownerId}/accept`);
    await runtime.idle();

    const ownerLive = await listen(owner.sessionToken);
    const strangerLive = await listen(stranger.sessionToken);
    const agent = new WebSocket(`${ws()}/api/live?token=${AGENT}`);
    await new Promise((resolve) => agent.once('message', resolve));

    // After the merge both write in the customer's one open conversation. The stranger asks for a
    // person: routing hands it over; an agent starts typing (their reply goes to the stranger).
    await visitor().send(stranger.sessionToken, ASK_PERSON);
    await runtime.idle();
    // The agent names the conversation by its own id (the stranger is shown an opaque one).
    const { conversationId } = (await reads.timeline(ownerId)).find((i) => i.text === ASK_PERSON) ?? {};
    const typing = JSON.stringify({ type: 'typing', conversationId });
    agent.send(typing);
    await expect
      .poll(() => signals(strangerLive.frames), { timeout: 30_000 })
      .toEqual(['handoff', 'typing:agent']);

    // The owner asks too, and the agent types again: now their reply goes to the owner.
    await visitor().send(owner.sessionToken, ASK_PERSON);
    await runtime.idle();
    agent.send(typing);
    await expect
      .poll(() => signals(ownerLive.frames), { timeout: 30_000 })
      .toEqual(['handoff', 'typing:agent']);
    // A frame after the others on the stranger's socket: whatever it was sent before has arrived. What
    // comes after it is its own routing's (a hand-off of the stranger's own message is theirs to see).
    await visitor().send(stranger.sessionToken, 'Stranger: thanks');
    await expect.poll(() => said(strangerLive.frames, 'Stranger: thanks'), { timeout: 30_000 }).toBe(true);
    const fence = strangerLive.frames.findIndex((f) => said([f], 'Stranger: thanks'));
    expect(signals(strangerLive.frames.slice(0, fence))).toEqual(['handoff', 'typing:agent']);
    expect(signals(ownerLive.frames)).toEqual(['handoff', 'typing:agent']);
    for (const socket of [ownerLive.socket, strangerLive.socket, agent]) socket.close();
  }, 90_000);
});
