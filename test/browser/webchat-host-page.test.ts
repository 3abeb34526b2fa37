import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shopForTests } from '../support/webchat-site.js';

const AGENT = 'webchat-host-page-agent';
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
});
