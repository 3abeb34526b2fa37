import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shopForTests, visitorConversation } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-phone-agent');
const WAIT = { timeout: 30_000 };
const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true };

/** What the widget's shadow root holds in focus: its tag and class, or `page` when the focus left it. */
const FOCUSED = `(() => {
  const inside = document.querySelector('[data-threadline-chat]').shadowRoot.activeElement;
  if (document.activeElement?.matches('[data-threadline-chat]') && inside) return inside.tagName.toLowerCase() + '.' + inside.className;
  return 'page';
})()`;

/** How far (px) the log is from its end. */
const FROM_END = `(() => {
  const log = document.querySelector('[data-threadline-chat]').shadowRoot.querySelector('.log');
  return Math.round(log.scrollHeight - log.scrollTop - log.clientHeight);
})()`;

/** The text size (px) of the widget's first element that matches `selector`. */
const fontSize = async (page: Page, selector: string) =>
  Number.parseFloat(
    (await page.evaluate(
      `getComputedStyle(document.querySelector('[data-threadline-chat]').shadowRoot.querySelector(${JSON.stringify(selector)})).fontSize`,
    )) as string,
  );

/**
 * The panel on a phone (375 × 667, touch): it covers the window, so it is a modal dialog that keeps the
 * focus; its log stays at its end when the on-screen keyboard takes half the height; its fields are
 * 16 px (iOS zooms the page into a smaller one on focus).
 */
describe('the web-chat widget on a phone', { timeout: 120_000 }, () => {
  const shop = shopForTests(AGENT);
  const api = agentCaller(() => shop.runtime.url, AGENT);
  const box = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

  /** A chat started on a phone, with `count` replies in its history, the panel reopened on them. */
  const chatOnPhone = async (count: number) => {
    const page = await (await shop.browser.newContext(PHONE)).newPage();
    await page.goto(`${shop.siteUrl}/?link`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    const name = page.getByRole('textbox', { name: 'Your name (optional)' });
    await name.waitFor(WAIT);
    const fieldSize = await fontSize(page, 'input[name="name"]');
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await box(page).fill('Where is my order?');
    await box(page).press('Enter');
    const conversationId = await visitorConversation(page, shop.runtime.url, AGENT);
    for (let i = 1; i <= count; i++) {
      await api('POST', `/api/conversations/${conversationId}/replies`, {
        text: `Answer ${i} about your order`,
      });
    }
    // The panel comes back open on the reloaded page, its history read again.
    await page.reload();
    await page.locator('.msg.agent', { hasText: `Answer ${count} about` }).waitFor(WAIT);
    return { page, fieldSize };
  };

  it('keeps the log at its end when the on-screen keyboard shrinks the window, and its fields at 16 px', async () => {
    const { page, fieldSize } = await chatOnPhone(30);
    await expect.poll(() => page.evaluate(FROM_END), WAIT).toBeLessThanOrEqual(1);
    await box(page).focus();
    // The keyboard comes up: the visual viewport is 330 px high.
    await page.setViewportSize({ width: 375, height: 330 });
    // Before, the log was left 337 px from its end.
    await expect.poll(() => page.evaluate(FROM_END), WAIT).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 375, height: 667 });
    await expect.poll(() => page.evaluate(FROM_END), WAIT).toBeLessThanOrEqual(1);
    // Before, 14 px: iOS zooms into a field under 16 px as it takes the focus.
    expect(fieldSize).toBeGreaterThanOrEqual(16);
    expect(await fontSize(page, 'textarea')).toBeGreaterThanOrEqual(16);
  });

  it('is a modal dialog that keeps the focus inside while it covers the window, and a plain one as a small panel', async () => {
    const { page } = await chatOnPhone(1);
    const dialog = page.getByRole('dialog', { name: 'Chat with us' });
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    await box(page).focus();
    // The log is a stop too when it scrolls (Chromium's focusable scrollers): it is left out here.
    const tab = async (key: string) => {
      do await page.keyboard.press(key);
      while ((await page.evaluate(FOCUSED)) === 'ol.log');
      return (await page.evaluate(FOCUSED)) as string;
    };
    const stops: string[] = [];
    for (let i = 0; i < 5; i++) stops.push(await tab('Tab'));
    // Before: the textarea, Send, then the page's link under the panel. An anonymous chat's title bar
    // has End chat before Close.
    expect(stops).toEqual(['button.send', 'button.end', 'button.close', 'textarea.', 'button.send']);
    await tab('Tab');
    expect(await tab('Shift+Tab')).toBe('button.send');
    const back: string[] = [];
    for (let i = 0; i < 4; i++) back.push(await tab('Shift+Tab'));
    expect(back).toEqual(['textarea.', 'button.close', 'button.end', 'button.send']);

    // A window wider than 30em: the panel floats in its corner, the page stays usable beside it.
    await page.setViewportSize({ width: 1000, height: 700 });
    await expect.poll(() => dialog.getAttribute('aria-modal'), WAIT).toBeNull();
    await box(page).focus();
    const wide: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      wide.push((await page.evaluate(FOCUSED)) as string);
    }
    expect(wide).toEqual(['button.send', 'button.launcher', 'page']);
  });
});
