import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shopForTests, visitorConversation } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-reply-view-agent');
const WAIT = { timeout: 30_000 };
const INVOICE = 'https://files.shop.example/invoice-4711.pdf';

/** An element's computed `direction`, run in the page (the tests' types have no DOM). */
const computedDirection = (element: unknown): string =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { direction: string } }).getComputedStyle(element)
    .direction;

/**
 * How the panel shows what it is sent. QA: an agent's invoice in a reply never reached the visitor,
 * and Arabic or Hebrew text took the page's left-to-right direction, its punctuation on the wrong side.
 */
describe('the web-chat panel shows replies as written, in a browser', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);
  const api = agentCaller(() => shop.runtime.url, AGENT);

  const startChat = async (page: Page, text: string, query = '') => {
    await page.goto(`${shop.siteUrl}/${query}`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text, WAIT);
    await box.press('Enter');
    await page.locator('.msg.visitor[data-status=""]', { hasText: text }).waitFor(WAIT);
    return visitorConversation(page, shop.runtime.url, AGENT);
  };

  it('shows a reply’s file as a link the visitor opens in a new tab, with or without text', async () => {
    const page = await shop.browser.newPage();
    const conversationId = await startChat(page, 'Please send me the invoice');
    await api('POST', `/api/conversations/${conversationId}/replies`, {
      attachments: [{ url: INVOICE, kind: 'document', filename: 'invoice-4711.pdf' }],
    });
    const link = page.locator('.msg.agent a', { hasText: 'invoice-4711.pdf' });
    await link.waitFor(WAIT);
    expect(await link.getAttribute('href')).toBe(INVOICE);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await page.close();
  });

  it('shows the web and mail addresses in a reply and in the visitor’s own message as links that open in a new tab', async () => {
    const page = await shop.browser.newPage();
    const conversationId = await startChat(page, 'My order is https://shop.example/orders/42, where is it?');
    const text = 'Track it at https://track.example/p?id=42. Or write to mailto:help@shop.example (any time)';
    await api('POST', `/api/conversations/${conversationId}/replies`, { text });
    const reply = page.locator('.msg.agent .text', { hasText: 'Track it at' });
    await reply.waitFor(WAIT);
    const links = await reply
      .locator('a')
      .evaluateAll((as) =>
        as.map((a) => [
          a.getAttribute('href'),
          a.textContent,
          a.getAttribute('target'),
          a.getAttribute('rel'),
        ]),
      );
    expect(links).toEqual([
      ['https://track.example/p?id=42', 'https://track.example/p?id=42', '_blank', 'noopener noreferrer'],
      ['mailto:help@shop.example', 'mailto:help@shop.example', '_blank', 'noopener noreferrer'],
    ]);
    expect(await reply.textContent()).toBe(text);
    const mine = page.locator('.msg.visitor .text a');
    expect(await mine.getAttribute('href')).toBe('https://shop.example/orders/42');
    await page.close();
  });

  /**
   * A bidi override in a reply (U+202E, right-to-left override) would turn round what follows it:
   * `invoice<U+202E>fdp.exe` reads `invoiceexe.pdf`. The panel drops the controls from what it is
   * sent, live and read back, as the console does (`parseShownJson`). Before, it showed them.
   */
  it('shows a reply without bidi controls, live and after a reload', async () => {
    const page = await shop.browser.newPage();
    const conversationId = await startChat(page, 'Which file is the invoice?');
    const text = 'Open invoice\u202efdp.exe \u2066here\u2069 \u202abefore\u202c you pay';
    await api('POST', `/api/conversations/${conversationId}/replies`, { text });
    const reply = page.locator('.msg.agent .text').first();
    await reply.waitFor(WAIT);
    expect(await reply.textContent()).toBe('Open invoicefdp.exe here before you pay');
    await page.reload();
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    const again = page.locator('.msg.agent .text').first();
    await again.waitFor(WAIT);
    expect(await again.textContent()).toBe('Open invoicefdp.exe here before you pay');
    await page.close();
  });

  it('dates the first conversation in the log, as it dates each one after it', async () => {
    const page = await shop.browser.newPage();
    await startChat(page, 'When do you open tomorrow?');
    const log = page.getByRole('log', { name: 'Conversation' });
    const rows = await log.getByRole('listitem').allTextContents();
    const first = rows.findIndex((r) => r.includes('When do you open tomorrow?'));
    // Before, only a conversation after another had its line ("New conversation · …"): the first had none.
    expect(rows[first - 1]).toMatch(/^Conversation · \S/);
    const at = await page.locator('.msg.visitor').first().locator('.meta').textContent();
    expect(rows[first - 1]).toContain(at?.split(' · ')[0]);
    await page.close();
  });

  it('sets each message, the message box and the pre-chat name in their own direction (dir="auto")', async () => {
    const page = await shop.browser.newPage();
    await page.goto(shop.siteUrl);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    const name = page.getByRole('textbox', { name: 'Your name' });
    await name.fill('أميرة', WAIT);
    expect(await name.evaluate(computedDirection)).toBe('rtl');
    await page.close();

    const chat = await shop.browser.newPage();
    const conversationId = await startChat(chat, 'أريد التحدث مع موظف بخصوص طلبي؟');
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'שלום, אבדוק את ההזמנה שלך.' });
    const reply = chat.locator('.msg.agent', { hasText: 'שלום' });
    await reply.waitFor(WAIT);
    const direction = (selector: string) => chat.locator(selector).first().evaluate(computedDirection);
    expect(await direction('.msg.visitor .text')).toBe('rtl');
    expect(await direction('.msg.agent .text')).toBe('rtl');
    const box = chat.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('مرحبا!', WAIT);
    expect(await box.evaluate(computedDirection)).toBe('rtl');
    await box.fill('Hello!', WAIT);
    expect(await box.evaluate(computedDirection)).toBe('ltr');
    await chat.close();
  });

  it('keeps its English layout left to right on an Arabic page, each text in its own direction', async () => {
    const page = await shop.browser.newPage({ locale: 'ar' });
    // Lucía's shop in the Gulf: <html lang="ar" dir="rtl">. Before, the page's direction went into the
    // panel: the visitor's bubbles and the replies on one side, "Hi! How can we help?" read "?Hi! ...".
    const conversationId = await startChat(page, 'مرحبا، أين طلبي رقم ١٢٣٤؟', '?lang=ar&dir=rtl');
    await api('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Olá! Vou verificar a encomenda.',
    });
    const reply = page.locator('.msg.agent', { hasText: 'Olá!' });
    await reply.waitFor(WAIT);
    expect(await page.locator('.panel').evaluate(computedDirection)).toBe('ltr');
    const visitor = await page.locator('.msg.visitor').first().boundingBox();
    const agent = await reply.boundingBox();
    // The visitor's on the right, the replies on the left, as on any page.
    expect(agent && visitor && agent.x < visitor.x).toBe(true);
    const title = await page.locator('.head h2').boundingBox();
    const close = await page.locator('.head button.close').boundingBox();
    expect(title && close && title.x < close.x).toBe(true);
    expect(await page.locator('.msg.visitor .text').first().evaluate(computedDirection)).toBe('rtl');
    expect(await reply.locator('.text').evaluate(computedDirection)).toBe('ltr');
    // The visitor's Arabic date is isolated in the English line, which it reordered ("/2026/12، ...5 ·").
    expect(await page.locator('.divider:not(.day)').first().textContent()).toMatch(
      /^Conversation · \u2068.+\u2069$/u,
    );
    expect(await reply.locator('.meta').textContent()).toMatch(/^\u2068.+\u2069/u);
    await page.close();
  });
});
