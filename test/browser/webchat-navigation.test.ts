import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import { shopForTests } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-navigation-agent');
const WAIT = { timeout: 30_000 };

/**
 * The widget across a visit to the shop: the launcher's unread count while the panel is closed, the
 * panel as the visitor left it on the next page, and a long history shown from its end.
 */
describe('the web-chat widget across the shop’s pages, in a browser', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);
  const api = agentCaller(() => shop.runtime.url, AGENT);

  /** Every request of the context, by URL. */
  const recorded = (context: BrowserContext) => {
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    return requests;
  };
  const open = async (page: Page, path = '/') => {
    await page.goto(`${shop.siteUrl}${path}`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
  };
  const start = async (page: Page) => {
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
  };
  const box = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const write = async (page: Page, text: string) => {
    await box(page).fill(text, WAIT);
    await box(page).press('Enter');
    await page.locator('.msg.visitor[data-status=""]', { hasText: text }).waitFor(WAIT);
  };
  const launcher = (page: Page) => page.locator('.launcher');
  const session = async (page: Page) => {
    const stored = (await page.evaluate(
      'localStorage.getItem("threadline-chat:anonymous") || "{}"',
    )) as string;
    return (JSON.parse(stored) as { sessionToken: string }).sessionToken;
  };
  const customerOf = async (page: Page) => {
    const token = await session(page);
    let found: { customerId?: string; conversationId?: string } = {};
    await expect
      .poll(async () => {
        const res = await fetch(`${shop.runtime.url}/webchat/messages`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const { customerId } = (await res.json()) as { customerId?: string };
        if (!customerId) return undefined;
        const customer = await api<{ openConversationId?: string }>('GET', `/api/customers/${customerId}`);
        found = {
          customerId,
          ...(customer.openConversationId ? { conversationId: customer.openConversationId } : {}),
        };
        return found.conversationId;
      }, WAIT)
      .toBeDefined();
    return found as { customerId: string; conversationId: string };
  };
  const handedOff = (page: Page) =>
    page.getByRole('status').filter({ hasText: 'Connecting you to someone' }).waitFor(WAIT);

  it('counts the replies that arrive while the panel is closed on the launcher (its label says how many), and clears them once seen', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await open(page);
    await start(page);
    await write(page, 'I want to talk to a person about a refund');
    await handedOff(page);
    const { conversationId } = await customerOf(page);
    await page.getByRole('button', { name: 'Close chat' }).first().click();
    expect(await launcher(page).getAttribute('aria-label')).toBe('Open chat');
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Bea here: one moment.' });
    await expect
      .poll(() => launcher(page).getAttribute('aria-label'), WAIT)
      .toBe('Open chat, 1 unread message');
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Bea again: found it.' });
    await expect
      .poll(() => launcher(page).getAttribute('aria-label'), WAIT)
      .toBe('Open chat, 2 unread messages');
    expect(await launcher(page).locator('.badge').textContent()).toBe('2');
    await page.getByRole('button', { name: 'Open chat, 2 unread messages' }).click();
    await page.locator('.msg.agent', { hasText: 'Bea again: found it.' }).waitFor(WAIT);
    expect(await launcher(page).getAttribute('aria-label')).toBe('Close chat');
    await page.getByRole('button', { name: 'Close chat' }).first().click();
    expect(await launcher(page).getAttribute('aria-label')).toBe('Open chat');
    expect(await launcher(page).locator('.badge').count()).toBe(0);
  });

  it('keeps the panel as the visitor left it on the next page of the shop: open, at the end, the draft kept; closed stays closed, with the unread count', async () => {
    const context = await shop.browser.newContext();
    const requests = recorded(context);
    const page = await context.newPage();
    await open(page);
    await start(page);
    await write(page, 'I want to talk to a person about my order');
    await handedOff(page);
    await box(page).fill('Half a sentence I have not sent');
    await page.goto(`${shop.siteUrl}/shoes`);
    const panel = page.getByRole('dialog', { name: 'Chat with us' });
    await panel.waitFor(WAIT);
    await page.locator('.msg.visitor', { hasText: 'about my order' }).waitFor(WAIT);
    expect(await box(page).inputValue()).toBe('Half a sentence I have not sent');
    const log = page.getByRole('log', { name: 'Conversation' });
    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), WAIT)
      .toBeLessThan(5);

    await page.getByRole('button', { name: 'Close chat' }).first().click();
    const { conversationId } = await customerOf(page);
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Bea here about your order.' });
    await expect
      .poll(() => launcher(page).getAttribute('aria-label'), WAIT)
      .toBe('Open chat, 1 unread message');
    await page.goto(`${shop.siteUrl}/socks`);
    await expect
      .poll(() => launcher(page).getAttribute('aria-label'), WAIT)
      .toBe('Open chat, 1 unread message');
    expect(await panel.isVisible()).toBe(false);
    await launcher(page).click();
    await page.locator('.msg.agent', { hasText: 'Bea here about your order.' }).waitFor(WAIT);
    expect(await box(page).inputValue()).toBe('Half a sentence I have not sent');
    // Kept in the site's own storage; nothing goes anywhere but the shop and Threadline.
    const origins = new Set(requests.map((url) => new URL(url).origin));
    expect([...origins].sort()).toEqual([shop.runtime.url, shop.siteUrl].sort());
  });

  it('shows a long history from its newest message with one read, and pages back as the visitor scrolls up', {
    timeout: 180_000,
  }, async () => {
    const context = await shop.browser.newContext();
    const first = await context.newPage();
    await open(first);
    await start(first);
    await write(first, 'The newest thing I asked');
    const { customerId, conversationId } = await customerOf(first);
    // The visitor's own lines (an anonymous visitor sees only the messages of their own identity).
    const [from] = (await api<{ identities: TimelineItem['from'][] }>('GET', `/api/customers/${customerId}`))
      .identities;
    await first.close();
    // 2,100 earlier lines of this visitor (more than the 20 pages of 100 the panel once read from the
    // oldest on), written straight to the table while no page is open.
    const base = Date.parse('2026-11-01T09:00:00Z');
    const items: TimelineItem[] = Array.from({ length: 2100 }, (_, i) => ({
      id: `webchat:seeded.${String(i).padStart(32, '0')}`,
      type: 'message',
      channel: 'webchat',
      direction: 'inbound',
      text: `Earlier line ${i}`,
      from,
      at: new Date(base + i * 1000).toISOString(),
      customerId,
      conversationId,
    }));
    await writeTimelineItems(shop.runtime, items);

    const page = await context.newPage();
    const reads: string[] = [];
    // The panel's reads (it sends a content type); the loader's one read of this new tab, for the
    // launcher's unread count of a visitor who chatted before, is left out.
    page.on('request', (r) => {
      const panels = Boolean(r.headers()['content-type']);
      if (r.method() === 'GET' && r.url().includes('/webchat/messages') && panels) reads.push(r.url());
    });
    await open(page);
    await page.locator('.msg.visitor', { hasText: 'The newest thing I asked' }).waitFor(WAIT);
    await page.locator('.msg', { hasText: 'Earlier line 2099' }).waitFor(WAIT);
    const log = page.getByRole('log', { name: 'Conversation' });
    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), WAIT)
      .toBeLessThan(5);
    expect(await page.locator('.msg', { hasText: /^Earlier line 0\b/ }).count()).toBe(0);
    expect(reads).toHaveLength(1);
    const shownBefore = await page.locator('.msg').count();
    const topId = (await page.locator('.msg').nth(1).getAttribute('data-id')) as string;
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await expect.poll(() => page.locator('.msg').count(), WAIT).toBeGreaterThan(shownBefore);
    expect(reads).toHaveLength(2);
    // The line that was at the top is still in view: the older page went above it.
    const kept = page.locator(`.msg[data-id="${topId}"]`);
    const [boxOfLog, boxOfKept] = [await log.boundingBox(), await kept.boundingBox()];
    expect(
      boxOfKept && boxOfLog && boxOfKept.y >= boxOfLog.y - 1 && boxOfKept.y < boxOfLog.y + boxOfLog.height,
    ).toBe(true);
    expect(await page.getByRole('button', { name: 'New message' }).count()).toBe(0);
  });

  it('sends the page the visitor writes from (its origin and path), and opens the panel on a page reached by the fallback email’s link', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const bodies: { page?: string }[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/webchat/messages')) bodies.push(r.postDataJSON());
    });
    await open(page, '/shipping?ref=ad#faq');
    await start(page);
    await write(page, 'Do you ship to Oslo?');
    expect(bodies.map((b) => b.page)).toEqual([`${shop.siteUrl}/shipping`]);
    const fresh = await (await shop.browser.newContext()).newPage();
    await fresh.goto(`${shop.siteUrl}/shipping#threadline-chat`);
    await fresh.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    expect(await fresh.locator('.launcher').getAttribute('aria-label')).toBe('Close chat');
  });
});
