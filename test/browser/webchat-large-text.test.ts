import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { shopForTests } from '../support/webchat-site.js';
import { IN_PAGE, setDefaultFontSize, ZOOMED } from './console-support.js';

const AGENT = agentToken('webchat-large-text-agent');
const WAIT = { timeout: 30_000 };
const ROOT = `document.querySelector('[data-threadline-chat]').shadowRoot`;

/** The sizes the visitor sees, in CSS px: the panel's text and box, the launcher, the Send button's text. */
const SIZES = `(() => {
  const root = ${ROOT};
  const box = (s) => { const r = root.querySelector(s).getBoundingClientRect(); return Math.round(r.width) + '×' + Math.round(r.height); };
  return {
    text: getComputedStyle(root.querySelector('.panel')).fontSize,
    send: getComputedStyle(root.querySelector('button.send')).fontSize,
    panel: Math.round(root.querySelector('.panel').getBoundingClientRect().width),
    launcher: box('.launcher'),
    sideways: document.documentElement.scrollWidth - innerWidth,
  };
})()`;

/** Each part's border under forced colours (their backgrounds and shadows are gone there). */
const EDGES = `(() => {
  const root = ${ROOT};
  const edge = (s) => { const c = getComputedStyle(root.querySelector(s)); return c.borderTopStyle + ' ' + c.borderTopWidth + (c.borderTopColor === 'rgba(0, 0, 0, 0)' ? ' clear' : ' drawn'); };
  return { panel: edge('.panel'), launcher: edge('.launcher'), bubble: edge('.msg.visitor'), send: edge('button.send') };
})()`;

describe('the web-chat widget at the visitor’s own font size, zoomed, and under forced colours', {
  timeout: 90_000,
}, () => {
  const shop = shopForTests(AGENT);

  /** A visitor's page of the shop at `px` default font size, the chat started by keyboard alone. */
  const chatAt = async (px: number, options: BrowserContextOptions): Promise<Page> => {
    const page = await (await shop.browser.newContext(options)).newPage();
    await setDefaultFontSize(page, px);
    await page.goto(`${shop.siteUrl}/?guest`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor(WAIT);
    await launcher.focus();
    await page.keyboard.press('Enter');
    const start = page.getByRole('button', { name: 'Start chat' });
    await start.waitFor(WAIT);
    await start.focus();
    await page.keyboard.press('Enter');
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.waitFor(WAIT);
    await box.pressSequentially('Is my order on its way?');
    await page.keyboard.press('Enter');
    await page
      .locator('.msg.visitor', { hasText: 'Is my order' })
      .locator('.meta', { hasText: 'Sent' })
      .waitFor(WAIT);
    return page;
  };

  it('sizes its text and boxes from the browser’s default font size, as at 14 px when that is the usual 16 px', async () => {
    const usual = await chatAt(16, { viewport: { width: 1280, height: 800 } });
    // The look at the usual setting is the one before (the Send button's 13.3 px, the browser's own, now 14).
    expect(await usual.evaluate(SIZES)).toEqual({
      text: '14px',
      send: '14px',
      panel: 360,
      launcher: '56×56',
      sideways: 0,
    });
    const large = await chatAt(24, { viewport: { width: 1280, height: 800 } });
    // Before, px sizes kept 14 px text in a 360 px panel whatever the visitor had set.
    expect(await large.evaluate(SIZES)).toEqual({
      text: '21px',
      send: '21px',
      panel: 540,
      launcher: '84×84',
      sideways: 0,
    });
  });

  it('at 24 px and 200 % zoom takes the whole window, nothing scrolled sideways, each control at least 24 px', async () => {
    const page = await chatAt(24, ZOOMED);
    // 640 CSS px is a phone's width at a 24 px default (30em, 720 px): before, the 480 px breakpoint kept
    // a 360 px box of 14 px text in the corner.
    expect(await page.evaluate(SIZES)).toMatchObject({ text: '21px', panel: 640, sideways: 0 });
    expect(await page.evaluate(IN_PAGE.smallTargets(ROOT))).toEqual([]);
  });

  it('on a phone at 200 % zoom scrolls what takes the focus clear of the title bar', async () => {
    const page = await (
      await shop.browser.newContext({ viewport: { width: 187, height: 333 }, deviceScaleFactor: 2 })
    ).newPage();
    await page.goto(`${shop.siteUrl}/?welcome=Hi! Ask us anything.`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).focus();
    // Back up the pre-chat form by keyboard, to the log above it: each stop shows below the title bar.
    const clear = `(() => { const root = ${ROOT}; const a = root.activeElement;
      return a.tagName.toLowerCase() + ' ' + (a.getBoundingClientRect().top >= root.querySelector('.head').getBoundingClientRect().bottom - 1); })()`;
    const stops: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Shift+Tab');
      stops.push((await page.evaluate(clear)) as string);
    }
    // Before, the log's first line went 14 px under the title bar (56 px kept clear of a 71 px bar).
    expect(stops).toEqual(['input true', 'input true', 'ol true']);
  });

  it('under forced colours draws the panel’s, the launcher’s, a bubble’s and Send’s edges', async () => {
    const page = await chatAt(16, { viewport: { width: 1280, height: 800 }, forcedColors: 'active' });
    // Before, none had a border: with the backgrounds and shadows gone the panel ran into the page, the
    // launcher was a word, and a visitor's bubble looked like a reply.
    expect(await page.evaluate(EDGES)).toEqual({
      panel: 'solid 1px drawn',
      launcher: 'solid 1px drawn',
      bubble: 'solid 1px drawn',
      send: 'solid 1px drawn',
    });
  });
});
