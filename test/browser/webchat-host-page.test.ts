import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { awayWhateverTheClock, shopForTests, visitorConversation } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-host-page-agent');
const WAIT = { timeout: 30_000 };

/** A shop's own rules for every `div`, `!important` ones too: the widget's host is a `div`. */
const PAGE_RULES =
  'div{border:2px dotted green!important;margin:30px!important;padding:20px!important;display:block!important;transform:translateX(10px)!important}';

/** The host element's box and the computed style the page's rules would give it, run in the page. */
const hostBox = (page: Page) =>
  page.evaluate(`(() => {
    const host = document.querySelector('[data-threadline-chat]');
    const box = host.getBoundingClientRect();
    const style = getComputedStyle(host);
    return { width: box.width, height: box.height, border: style.borderTopStyle, transform: style.transform };
  })()`) as Promise<{ width: number; height: number; border: string; transform: string }>;

/** Where the dark panel's screenshot goes, to look at: the README's folder with WEBCHAT_SCREENSHOTS=1. */
const SHOTS = process.env.WEBCHAT_SCREENSHOTS
  ? new URL('./screenshots/', import.meta.url).pathname
  : join(tmpdir(), 'threadline-webchat-shots');

/**
 * WCAG's contrast ratio of each shown element's text (its opacity blended over the background) on the
 * nearest background behind it, by selector, in the widget's shadow root.
 */
const contrasts = (page: Page, selectors: string[]) =>
  page.evaluate(`(() => {
    const root = document.querySelector('[data-threadline-chat]').shadowRoot;
    const rgb = (css) => (css.match(/[\\d.]+/g) ?? []).slice(0, 4).map(Number);
    const lin = (c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    const behind = (el) => {
      for (let at = el; at; at = at.parentElement) {
        const bg = rgb(getComputedStyle(at).backgroundColor);
        if (bg.length === 3 || bg[3] > 0) return bg.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const ratio = (el) => {
      const bg = behind(el);
      const alpha = Number(getComputedStyle(el).opacity);
      const text = rgb(getComputedStyle(el).color).slice(0, 3).map((c, i) => c * alpha + bg[i] * (1 - alpha));
      const [hi, lo] = [lum(text), lum(bg)].sort((a, b) => b - a);
      return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
    };
    return Object.fromEntries(${JSON.stringify(selectors)}.map((s) => [s, ratio(root.querySelector(s))]));
  })()`) as Promise<Record<string, number>>;

describe('the web-chat widget on a page with its own styles, in a browser', { timeout: 60_000 }, () => {
  const shop = shopForTests(AGENT);

  it("keeps the page's rules for a div off its host element: no stray box in the page, the launcher and panel in their corner", async () => {
    const page = await (await shop.browser.newContext({ viewport: { width: 1000, height: 700 } })).newPage();
    await page.goto(`${shop.siteUrl}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor(WAIT);
    // The page's CSP allows no style element: its rules go in as a constructed sheet, as a site's would apply.
    await page.evaluate(`(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(${JSON.stringify(PAGE_RULES)});
      document.adoptedStyleSheets = [sheet];
    })()`);
    expect(await hostBox(page)).toEqual({ width: 0, height: 0, border: 'none', transform: 'none' });
    const button = await launcher.boundingBox();
    expect(Math.round((button?.x ?? 0) + (button?.width ?? 0))).toBe(1000 - 20);
    expect(Math.round((button?.y ?? 0) + (button?.height ?? 0))).toBe(700 - 20);
    await launcher.click();
    const panel = page.getByRole('dialog', { name: 'Chat with us' });
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    const shown = await panel.boundingBox();
    expect(Math.round((shown?.x ?? 0) + (shown?.width ?? 0))).toBe(1000 - 20);
    expect(shown?.height ?? 0).toBeGreaterThan(300);
    // The top-most element at the button's centre is the widget's (its host, from the page's side).
    const top = (await page.evaluate(
      `document.elementFromPoint(${(shown?.x ?? 0) + 40}, ${(shown?.y ?? 0) + 40})?.hasAttribute('data-threadline-chat')`,
    )) as boolean;
    expect(top).toBe(true);
  });

  it("stays above a site's header at the highest z-index (2147483647) on a phone: its close button is the top-most element there", async () => {
    const page = await (await shop.browser.newContext({ viewport: { width: 375, height: 667 } })).newPage();
    await page.goto(`${shop.siteUrl}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor(WAIT);
    // The shop's sticky header, first in the body (the widget's host comes after it), over the whole top.
    await page.evaluate(`(() => {
      const header = document.createElement('header');
      header.style.cssText = 'position:fixed;top:0;left:0;right:0;height:120px;z-index:2147483647;background:#333';
      document.body.prepend(header);
    })()`);
    await launcher.click();
    const close = page.getByRole('button', { name: 'Close chat' });
    await close.waitFor(WAIT);
    const box = await close.boundingBox();
    expect(box?.y ?? 999).toBeLessThan(120);
    const top = (await page.evaluate(
      `document.elementFromPoint(${(box?.x ?? 0) + (box?.width ?? 0) / 2}, ${(box?.y ?? 0) + (box?.height ?? 0) / 2})?.hasAttribute('data-threadline-chat')`,
    )) as boolean;
    expect(top).toBe(true);
  });

  it("follows the visitor's dark mode: a dark panel whose every text is at least 4.5:1 on its background", async () => {
    const api = agentCaller(() => shop.runtime.url, AGENT);
    const context = await shop.browser.newContext({
      colorScheme: 'dark',
      viewport: { width: 900, height: 760 },
    });
    const page = await context.newPage();
    // After hours whatever the wall clock: the away and hand-off notes (`.note`) are measured while they
    // are up, before the agent answers (both go then). In opening hours the panel had no note.
    await awayWhateverTheClock(page);
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('I want to talk to a person about my order', WAIT);
    await box.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Connecting you to someone' }).waitFor(WAIT);
    const notes = await contrasts(page, ['.note']);
    const conversationId = await visitorConversation(page, shop.runtime.url, AGENT);
    await api('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Bea here: it ships today, track it at https://track.example/p?id=42.',
    });
    await page.locator('.msg.agent', { hasText: 'Bea here' }).waitFor(WAIT);
    await box.fill('Thanks!');
    const background = (await page.evaluate(
      `getComputedStyle(document.querySelector('[data-threadline-chat]').shadowRoot.querySelector('.panel')).backgroundColor`,
    )) as string;
    expect(background).toBe('rgb(28, 29, 33)');
    const found = {
      ...notes,
      ...(await contrasts(page, [
        '.panel',
        '.head h2',
        '.msg.agent .text',
        '.msg.agent .text a',
        '.msg.agent .meta',
        '.msg.visitor .text',
        '.msg.visitor .meta',
        '.welcome',
        '.divider',
        'textarea',
        'button.send',
      ])),
    };
    for (const [selector, ratio] of Object.entries(found))
      expect({ selector, ok: ratio >= 4.5, ratio }).toMatchObject({ selector, ok: true });
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'webchat-dark.png') });
  });
});
