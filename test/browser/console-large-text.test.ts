import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from '../support/browser.js';
import { whatsappText } from '../support/webhooks.js';
import {
  closeConsole,
  DESKTOP,
  IN_PAGE,
  postMeta,
  setDefaultFontSize,
  signIn,
  startConsoleRuntime,
  ZOOMED,
} from './console-support.js';

/** Dana reads at a 24 px default font size and 200 % zoom; her customers. */
const LONG = { from: '15550010001', name: 'Maximiliane Augustina Oberhollenzer-Wittgenstein' };
const SHORT = { from: '15550010002', name: 'Bo Short' };
const WAIT = { timeout: 30_000 };

/** The root's font size and the panes shown, in CSS px. */
const LAYOUT = `(() => {
  const width = (s) => { const el = document.querySelector(s); return el && el.offsetParent ? Math.round(el.getBoundingClientRect().width) : 0; };
  return { root: getComputedStyle(document.documentElement).fontSize, inbox: width('nav.inbox'), customer: width('aside.customer') };
})()`;

/** What is cut off: the page scrolling sideways, and any control whose text is wider than its box. */
const CLIPPED = `(() => ({
  sideways: document.documentElement.scrollWidth - innerWidth,
  cut: [...document.querySelectorAll('button, select, input, summary, h1, h2')]
    .filter((c) => c.offsetParent && c.scrollWidth > c.clientWidth + 1)
    .map((c) => (c.textContent || c.name).trim().slice(0, 30)),
}))()`;

describe('the console at the agent’s own font size, zoomed, and under forced colours', () => {
  let runtime: LocalRuntime;
  let browser: Browser;

  beforeAll(async () => {
    runtime = await startConsoleRuntime();
    browser = await launchBrowser();
    for (const [i, who] of [LONG, SHORT].entries())
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({
          ...who,
          messages: [
            { id: `wamid.large.${i}`, at: new Date().toISOString(), text: `Where is my order, ${who.name}?` },
          ],
        }),
      );
    await runtime.idle();
  }, 240_000);

  afterAll(() => closeConsole(browser, runtime));

  /** Signs in on a new page at `px` default font size and opens the long-named customer's conversation. */
  const openAt = async (px: number, options: Parameters<Browser['newPage']>[0]): Promise<Page> => {
    const page = await browser.newPage(options);
    await setDefaultFontSize(page, px);
    await signIn(page, runtime);
    await page.getByRole('button', { name: new RegExp(LONG.name) }).click(WAIT);
    await page.locator('section.timeline[aria-busy="false"]').waitFor(WAIT);
    await page.getByText(`Where is my order, ${LONG.name}?`).waitFor(WAIT);
    return page;
  };

  it('sizes its text from the browser’s default font size, as at 15 px when that is the usual 16 px', async () => {
    const usual = await openAt(16, { viewport: DESKTOP });
    try {
      // The look at the usual setting is the one before: 15 px text, a 320 px inbox and the customer panel.
      expect(await usual.evaluate(LAYOUT)).toEqual({ root: '15px', inbox: 320, customer: 280 });
    } finally {
      await usual.close();
    }
    const large = await openAt(24, { viewport: DESKTOP });
    try {
      // Before, the root was 15px whatever the setting: a 24 px default changed nothing. Now the text is
      // half as large again, and the customer panel goes behind its button (the breakpoints are in em).
      expect(await large.evaluate(LAYOUT)).toEqual({ root: '22.5px', inbox: 450, customer: 0 });
      await large.getByRole('button', { name: 'Customer', exact: true }).waitFor(WAIT);
    } finally {
      await large.close();
    }
  });

  it('at 24 px and 200 % zoom shows one pane at a time, nothing cut off or scrolled sideways', async () => {
    const page = await openAt(24, ZOOMED);
    try {
      // One column: the inbox hidden while the conversation shows, Back to inbox to return.
      expect(await page.evaluate(LAYOUT)).toMatchObject({ root: '22.5px', inbox: 0 });
      await page.getByRole('button', { name: 'Back to inbox' }).waitFor(WAIT);
      expect(await page.evaluate(CLIPPED)).toEqual({ sideways: 0, cut: [] });
      expect(await page.evaluate(IN_PAGE.smallTargets())).toEqual([]);
      const timeline = await page.locator('.scroller').boundingBox();
      expect(timeline?.height ?? 0).toBeGreaterThan(100);
    } finally {
      await page.close();
    }
  });

  it('makes each control a target of at least 24×24 CSS px at the usual font size', async () => {
    const page = await openAt(16, { viewport: DESKTOP });
    try {
      await page.getByRole('button', { name: /^Copy the id/ }).waitFor(WAIT);
      // Before: each row's tick box and "Select all shown" 13×13, the channel's radio button in a 15 px
      // label, "Queues: none" 15 px high and the customer id's Copy 18 px high.
      expect(await page.evaluate(IN_PAGE.smallTargets())).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('under forced colours marks the open conversation’s row and the reply box’s mode', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, forcedColors: 'active' });
    const page = await context.newPage();
    try {
      await signIn(page, runtime);
      await page.getByRole('button', { name: new RegExp(LONG.name) }).click(WAIT);
      await page.locator('section.timeline[aria-busy="false"]').waitFor(WAIT);
      const edges = () =>
        page.evaluate(`Object.fromEntries([...document.querySelectorAll('.inbox-item')].map((row) =>
          [row.querySelector('.name').textContent, getComputedStyle(row).borderLeftWidth]))`);
      // Before, the open row's marks (a background and an inset shadow) both went: no row looked open.
      expect(await edges()).toEqual({ [LONG.name]: '4px', [SHORT.name]: '0px' });
      const modes = () =>
        page.evaluate(`Object.fromEntries([...document.querySelectorAll('.modes button')].map((b) =>
          [b.textContent, getComputedStyle(b).backgroundColor]))`) as Promise<Record<string, string>>;
      // Before, Reply (pressed) and Note looked the same: the system colours replaced the pressed blue.
      const before = await modes();
      expect(before.Reply).not.toBe(before.Note);
      await page.getByRole('button', { name: 'Note', exact: true }).click();
      await page.getByRole('button', { name: 'Note', exact: true, pressed: true }).waitFor(WAIT);
      // Pressed, Note takes the mark Reply had.
      expect(await modes()).toEqual({ Reply: before.Note, Note: before.Reply });
    } finally {
      await context.close();
    }
  });
});
