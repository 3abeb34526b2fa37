import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shopForTests, visitorConversation } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-return-agent');
const WAIT = { timeout: 30_000 };

/**
 * A visitor who closed the tab and comes back in a new one (the site's localStorage kept, its
 * sessionStorage gone, as a browser has it): what they left unsent goes once, their draft is there, and
 * the launcher says a reply waits.
 */
describe('the web-chat widget when the visitor comes back in a new tab', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);
  const api = agentCaller(() => shop.runtime.url, AGENT);

  const box = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const launcher = (page: Page) => page.locator('.launcher');
  const open = async (page: Page) => {
    await page.goto(`${shop.siteUrl}/`);
    await launcher(page).click(WAIT);
  };
  const start = async (page: Page) => {
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
  };
  const write = async (page: Page, text: string) => {
    await box(page).fill(text, WAIT);
    await box(page).press('Enter');
  };
  const tokenOf = async (page: Page) =>
    (
      JSON.parse((await page.evaluate('localStorage.getItem("threadline-chat:anonymous")')) as string) as {
        sessionToken: string;
      }
    ).sessionToken;
  /** The visitor's messages Threadline holds with this text, as the history route gives them. */
  const held = async (token: string, text: string) => {
    const res = await fetch(`${shop.runtime.url}/webchat/messages?order=newest`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { messages } = (await res.json()) as { messages: Array<{ author: string; text: string }> };
    return messages.filter((m) => m.author === 'visitor' && m.text === text).length;
  };
  /** A visitor's first tab: the chat started and `text` written. */
  const chatting = async (text: string) => {
    const first = await shop.browser.newContext();
    const page = await first.newPage();
    await open(page);
    await start(page);
    await write(page, text);
    return { first, page };
  };
  /** The tab closed: the context's localStorage (what `storageState` keeps) in a new context. */
  const reopen = async (context: BrowserContext) => {
    const storageState = await context.storageState();
    await context.close();
    return shop.browser.newContext({ storageState });
  };

  it('sends a message left "Not sent yet" when the tab was closed once the visitor is back, in two tabs at once too, and keeps the draft', async () => {
    const { first, page } = await chatting('A first message that goes');
    await page
      .locator('.msg.visitor[data-status=""]', { hasText: 'A first message that goes' })
      .waitFor(WAIT);
    const token = await tokenOf(page);
    await first.setOffline(true);
    await write(page, 'Written offline, then the tab closed');
    await page.getByText('Waiting for connection').waitFor(WAIT);
    await box(page).fill('Half a sentence in the box');
    expect(await held(token, 'Written offline, then the tab closed')).toBe(0);

    const back = await reopen(first);
    // Two tabs of the shop open at once: each finds the message unsent; Threadline keeps it once.
    const [a, b] = [await back.newPage(), await back.newPage()];
    await Promise.all([a.goto(`${shop.siteUrl}/`), b.goto(`${shop.siteUrl}/shoes`)]);
    await expect.poll(() => held(token, 'Written offline, then the tab closed'), WAIT).toBe(1);
    for (const tab of [a, b]) {
      await launcher(tab).click(WAIT);
      const mine = tab.locator('.msg.visitor', { hasText: 'Written offline, then the tab closed' });
      await tab.locator('.msg.visitor[data-status=""]', { hasText: 'then the tab closed' }).waitFor(WAIT);
      expect(await mine.count()).toBe(1);
      expect(await box(tab).inputValue()).toBe('Half a sentence in the box');
    }
    expect(await a.evaluate('localStorage.getItem("threadline-chat:anonymous:outbox")')).toBeNull();
    expect(await held(token, 'Written offline, then the tab closed')).toBe(1);
  });

  it('sends what two tabs wrote offline in the order written once back online, each once', async () => {
    const { first, page: a } = await chatting('Online before the tunnel');
    await a.locator('.msg.visitor[data-status=""]', { hasText: 'Online before the tunnel' }).waitFor(WAIT);
    const token = await tokenOf(a);
    const b = await first.newPage();
    await open(b);
    await b.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await first.setOffline(true);
    for (const [tab, text] of [
      [a, 'A1 written first'],
      [a, 'A2 written second'],
      [b, 'B1 written third'],
    ] as const) {
      await write(tab, text);
      await tab.locator('.msg.visitor', { hasText: text }).getByText('Waiting for connection').waitFor(WAIT);
    }
    await first.setOffline(false);
    const written = ['A1 written first', 'A2 written second', 'B1 written third'];
    const order = async () => {
      const res = await fetch(`${shop.runtime.url}/webchat/messages`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { messages } = (await res.json()) as { messages: Array<{ text: string }> };
      return messages.map((m) => m.text).filter((t) => written.includes(t));
    };
    await expect.poll(order, WAIT).toEqual(written);
  });

  it('shows the replies that came while the visitor was away on the launcher of a new tab, without loading the panel', async () => {
    const { first, page } = await chatting('I want to talk to a person about a refund');
    await page.getByRole('status').filter({ hasText: 'Connecting you to someone' }).waitFor(WAIT);
    const conversationId = await visitorConversation(page, shop.runtime.url, AGENT);
    const back = await reopen(first);
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Bea here: refund done.' });
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Anything else?' });
    const requests: string[] = [];
    back.on('request', (request) => requests.push(request.url()));
    const finished: string[] = [];
    back.on(
      'requestfinished',
      (request) => request.url().includes('/webchat/messages') && finished.push(request.url()),
    );
    const tab = await back.newPage();
    await tab.clock.install();
    await tab.goto(`${shop.siteUrl}/`);
    await expect
      .poll(() => launcher(tab).getAttribute('aria-label'), WAIT)
      .toBe('Open chat, 2 unread messages');
    expect(await launcher(tab).locator('.badge').textContent()).toBe('2');
    // The page's timers stop here: from now only `runFor` moves them.
    await tab.clock.pauseAt(((await tab.evaluate('Date.now()')) as number) + 1000);
    // A reply that comes while the visitor browses shows on the launcher within 30 s (before: only on
    // the next page), and still without the panel.
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Your refund is on its way.' });
    await shop.runtime.idle();
    const reads = () => requests.filter((url) => url.includes('/webchat/messages')).length;
    const before = reads();
    await tab.clock.runFor(30_000);
    await expect
      .poll(() => launcher(tab).getAttribute('aria-label'), WAIT)
      .toBe('Open chat, 3 unread messages');
    expect(reads()).toBe(before + 1);
    expect(await launcher(tab).locator('.badge').textContent()).toBe('3');
    // Nothing new: the next read comes 30 s after that one (the count had changed), the one after it
    // 60 s after (a read's wait counts from its start).
    await tab.clock.runFor(30_000);
    await expect.poll(reads, WAIT).toBe(before + 2);
    // Its answer handled (the page's clock stays put meanwhile) before the clock moves on.
    await expect.poll(() => finished.length, WAIT).toBe(reads());
    await tab.evaluate('0');
    await tab.clock.runFor(55_000);
    expect(reads()).toBe(before + 2);
    await tab.clock.runFor(5_000);
    await expect.poll(reads, WAIT).toBe(before + 3);
    expect(requests.filter((url) => url.includes('/webchat/assets/'))).toEqual([]);
    await tab.clock.resume();
    await launcher(tab).click();
    await tab.locator('.msg.agent', { hasText: 'Anything else?' }).waitFor(WAIT);
    expect(await launcher(tab).getAttribute('aria-label')).toBe('Close chat');
    expect(await launcher(tab).locator('.badge').count()).toBe(0);
  });
});
