import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { anonymousConversationId } from '#shared/domain/webchat/anonymous-view.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shopForTests, visitorConversation } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-typing-agent');
const WAIT = { timeout: 30_000 };

/**
 * The typing line says what is happening now: a connection that went takes what it said with it (its
 * "stopped" may have been lost with it). Before, "An agent is typing…" stayed under "You are offline",
 * and "The assistant is typing…" came back with the reconnected chat and stayed.
 */
describe('the web-chat widget’s typing line when the connection goes', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);
  const typingLine = (page: Page) => page.locator('.typing[role="status"]');
  const connected = (page: Page) => page.locator('.panel[data-connection="live"]').waitFor(WAIT);
  const startChat = async (page: Page, text: string) => {
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await connected(page);
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text, WAIT);
    await box.press('Enter');
    await page.locator('.msg.visitor', { hasText: text }).locator('.meta', { hasText: 'Sent' }).waitFor(WAIT);
    const conversation = await visitorConversation(page, shop.runtime.url, AGENT);
    await shop.runtime.idle();
    return conversation;
  };

  it('clears "An agent is typing…" when the visitor goes offline, and shows none once they are back', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.clock.install();
    const conversationId = await startChat(page, 'I want to talk to a person about my parcel');
    // The page's timers stop here: an agent's typing fades after 6 s, only the drop may clear it now.
    await page.clock.pauseAt(((await page.evaluate('Date.now()')) as number) + 1000);
    const agent = new WebSocket(`${shop.runtime.url.replace('http', 'ws')}/api/live?token=${AGENT}`);
    await new Promise((resolve) => agent.once('message', resolve));
    agent.send(JSON.stringify({ type: 'typing', conversationId }));
    await typingLine(page).filter({ hasText: 'An agent is typing…' }).waitFor(WAIT);

    const offline = page.getByRole('status').filter({ hasText: 'You are offline' });
    await page.context().setOffline(true);
    await offline.waitFor(WAIT);
    expect(await typingLine(page).textContent()).toBe('');
    await page.context().setOffline(false);
    await offline.waitFor({ state: 'detached', ...WAIT });
    expect(await typingLine(page).textContent()).toBe('');
    agent.close();
  });

  it('clears "The assistant is typing…" when the live socket drops, and shows no stale one after the reconnect', async () => {
    const { page, sockets } = await pageWithSockets();
    const conversationId = await startChat(page, 'Where is parcel 12?');
    // The AI starts typing and the connection goes before its "stopped" arrives.
    sockets[0]?.send(JSON.stringify({ type: 'typing', by: 'ai', on: true, conversationId }));
    await typingLine(page).filter({ hasText: 'The assistant is typing…' }).waitFor(WAIT);
    await sockets[0]?.close();
    await expect.poll(() => sockets.length, WAIT).toBe(2);
    await connected(page);
    expect(await typingLine(page).textContent()).toBe('');
  });

  /** A new page whose live sockets the test holds (each passed on to Threadline): it may send frames on them. */
  const pageWithSockets = async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/webchat\/live/, (ws) => {
      sockets.push(ws);
      ws.connectToServer();
    });
    return { page, sockets };
  };
  /**
   * A visitor's message frame after the typing one, shown once handled (it leaves the typing line as
   * it is): the frames before it were handled too.
   */
  const marker = async (
    page: Page,
    socket: WebSocketRoute | undefined,
    conversationId: string,
    text: string,
  ) => {
    const at = new Date().toISOString();
    const message = { id: `msg:webchat:${text}`, at, author: 'visitor', text, conversationId };
    socket?.send(JSON.stringify({ type: 'message', message }));
    await page.locator('.msg.visitor', { hasText: text }).waitFor(WAIT);
  };

  it('shows no "The assistant is typing…" while the chat waits for a person, or once an agent wrote in it', async () => {
    const { page, sockets } = await pageWithSockets();
    const agentSide = await startChat(page, 'Is anyone there tonight?');
    // The anonymous visitor's frames name the conversation by its opaque id, as Threadline sends them.
    const conversationId = anonymousConversationId(agentSide);
    const aiTyping = JSON.stringify({ type: 'typing', by: 'ai', on: true, conversationId });
    // Routing handed the chat to a person (after hours): the AI will not answer the messages after it.
    const handoff = { conversationId, at: new Date().toISOString(), afterHours: true };
    sockets[0]?.send(JSON.stringify({ type: 'handoff', handoff }));
    await page.getByRole('status').filter({ hasText: 'Connecting you to someone' }).waitFor(WAIT);
    sockets[0]?.send(aiTyping);
    await marker(page, sockets[0], conversationId, 'Hello?');
    // Before, "The assistant is typing…" under "Connecting you to someone" for each message of a burst.
    expect(await typingLine(page).textContent()).toBe('');

    // An agent answered: the hand-off is over, and the conversation is theirs.
    const agent = agentCaller(() => shop.runtime.url, AGENT);
    await agent('POST', `/api/conversations/${agentSide}/replies`, {
      text: 'Bea here, how can I help?',
    });
    await page.locator('.msg.agent', { hasText: 'Bea here' }).waitFor(WAIT);
    sockets[0]?.send(aiTyping);
    await marker(page, sockets[0], conversationId, 'One more thing');
    expect(await typingLine(page).textContent()).toBe('');
  });
});
