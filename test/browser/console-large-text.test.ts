import type { Browser, Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  greetOnWhatsApp,
  IN_PAGE,
  setDefaultFontSize,
  signIn,
  useConsole,
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

/**
 * What is cut off: the page scrolling sideways, and any control whose text is wider than its box (not
 * one hidden on purpose for screen readers and keyboards, as the file picker behind Attach file is).
 */
const CLIPPED = `(() => ({
  sideways: document.documentElement.scrollWidth - innerWidth,
  cut: [...document.querySelectorAll('button, select, input, summary, h1, h2')]
    .filter((c) => c.offsetParent && !c.matches('.visually-hidden') && c.scrollWidth > c.clientWidth + 1)
    .map((c) => (c.textContent || c.name).trim().slice(0, 30)),
}))()`;

/** How far the page scrolls sideways, and the panes inside it that do. */
const SIDEWAYS = `(() => ({
  page: document.documentElement.scrollWidth - innerWidth,
  panes: [...document.querySelectorAll('*')]
    .filter((e) => /auto|scroll/.test(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
    .map((e) => e.className),
}))()`;

/** Whether the element is inside the window, whole. */
const inView = (locator: Locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const w = el.ownerDocument.defaultView;
    return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= w.innerHeight && r.right <= w.innerWidth;
  });

/** Whether the element is inside its dialog's visible box, whole, and is what shows at its middle. */
const inDialog = (locator: Locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const d = el.closest('dialog').getBoundingClientRect();
    const top = el.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.top >= d.top && r.bottom <= d.bottom && !!top && (el === top || el.contains(top));
  });

describe('the console at the agent’s own font size, zoomed, and under forced colours', () => {
  const { runtime, browser } = useConsole();

  beforeAll(async () => {
    await greetOnWhatsApp(
      runtime,
      'large',
      [LONG, SHORT].map((who) => ({ ...who, text: `Where is my order, ${who.name}?` })),
    );
  }, 240_000);

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

  /** The share of the window's height the conversation's header takes. */
  const HEAD_SHARE = `document.querySelector('.conversation-head').getBoundingClientRect().height / innerHeight`;

  it('at 200 % zoom on a 1366×768 laptop keeps the conversation’s header small: Transfer behind its button', async () => {
    // Before, Back to inbox took a line of its own and the Transfer form's two labelled lists two more:
    // at 16 px the header was 170 of 384 px (44 %; 30 % now), at 24 px 324 (84 %) for a short name.
    for (const [px, most] of [
      [16, 0.3],
      [24, 0.7],
    ] as const) {
      const page = await openAt(px, { viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 });
      try {
        expect(await page.evaluate(HEAD_SHARE)).toBeLessThanOrEqual(most);
      } finally {
        await page.close();
      }
    }
    const page = await openAt(24, { viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 });
    try {
      const head = page.locator('.conversation-head');
      const menu = head.locator('details.transfer-menu');
      const form = head.getByRole('form', { name: 'Transfer' });
      expect(await form.isVisible()).toBe(false);
      await menu.locator('> summary').focus();
      await page.keyboard.press('Enter');
      await form.getByLabel('Queue').waitFor(WAIT);
      expect(await inView(form)).toBe(true);
      expect(await page.evaluate(SIDEWAYS)).toEqual({ page: 0, panes: [] });
      // Escape closes it, back on its button.
      await form.getByLabel('Queue').focus();
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'hidden', ...WAIT });
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Transfer');
      // A transfer that goes through closes it, the focus back on its button.
      await page.keyboard.press('Enter');
      const meta = (await head.locator('.meta').textContent()) ?? '';
      const options = await form.getByLabel('Queue').locator('option').allTextContents();
      const queue = options.find((q, i) => i > 0 && !meta.includes(`queue ${q}`)) ?? '';
      await form.getByLabel('Queue').selectOption(queue);
      await form.getByRole('button', { name: 'Transfer' }).click();
      await head.locator('.meta').getByText(`queue ${queue}`).waitFor(WAIT);
      await form.waitFor({ state: 'hidden', ...WAIT });
      await expect.poll(() => page.evaluate('document.activeElement.textContent'), WAIT).toBe('Transfer');
    } finally {
      await page.close();
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

  /** The windows of agents who read large: 1280×720 and 1366×768 at 200 % with a 24 px default, and WCAG 1.4.10's 320 px. */
  const SMALL: Array<[string, number, Parameters<Browser['newPage']>[0]]> = [
    ['1280×720 at 200 %, 24 px', 24, { viewport: { width: 640, height: 360 }, deviceScaleFactor: 2 }],
    ['1366×768 at 200 %, 24 px', 24, { viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 }],
    ['320×568, 16 px', 16, { viewport: { width: 320, height: 568 } }],
  ];

  it.each(SMALL)(
    'at %s keeps the top bar to one line, the rest in its Menu, and nothing scrolling both ways',
    async (_, px, options) => {
      const page = await openAt(px, options);
      try {
        // Before, the bar wrapped to three lines: 116 of 360 px (32 %) and 116 of 384; 110 of 568 at 320 px.
        const share = (await page.evaluate(
          `document.querySelector('header.top').getBoundingClientRect().height / innerHeight`,
        )) as number;
        expect(share).toBeLessThanOrEqual(0.17);
        // WCAG 1.4.10: the page, and no pane inside it, scrolls sideways; the reply box is reachable.
        expect(await page.evaluate(SIDEWAYS)).toEqual({ page: 0, panes: [] });
        const reply = page.getByLabel('Reply', { exact: true });
        await reply.focus();
        expect(await inView(reply)).toBe(true);
        // The agent's presence stays in the bar; who they are, their queues, Shortcuts and Sign out are in the Menu.
        await page.getByLabel('Your presence').waitFor(WAIT);
        const menu = page.locator('details.menu');
        await menu.locator('> summary').click();
        for (const name of ['Shortcuts', 'Sign out'])
          expect(await inView(page.getByRole('button', { name }))).toBe(true);
        expect(await inView(menu.getByText('Queues: none'))).toBe(true);
        expect(await page.evaluate(IN_PAGE.smallTargets())).toEqual([]);
        await page.keyboard.press('Escape');
        expect(await menu.getAttribute('open')).toBeNull();
        expect(await page.evaluate('document.activeElement.textContent')).toBe('Menu');
        // A click outside it (here on the bar's title) closes it too: it lies over the page below the bar.
        await menu.locator('> summary').click();
        expect(await menu.getAttribute('open')).toBe('');
        await page.getByRole('heading', { name: 'Threadline' }).click();
        expect(await menu.getAttribute('open')).toBeNull();
      } finally {
        await page.close();
      }
    },
  );

  it('keeps the shortcuts’ title and Close in view while their list scrolls, at 24 px and 200 % zoom', async () => {
    const page = await openAt(24, { viewport: { width: 640, height: 360 }, deviceScaleFactor: 2 });
    try {
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor(WAIT);
      // The list is taller than the window at this size: the dialog scrolls.
      const scrolled = await dialog.evaluate((d) => {
        d.scrollTop = d.scrollHeight;
        return d.scrollTop;
      });
      expect(scrolled).toBeGreaterThan(0);
      // Before, the title and Close sat above and below the list: scrolled to its end, the title was gone.
      const shown = async (name: string, role: 'heading' | 'button') =>
        inDialog(dialog.getByRole(role, { name }));
      expect(await shown('Keyboard shortcuts', 'heading')).toBe(true);
      expect(await shown('Close', 'button')).toBe(true);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await page.close();
    }
  });

  it('shows the customer’s and the conversation’s ids, each with a Copy, in the customer panel', async () => {
    const page = await openAt(24, { ...ZOOMED, permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      const conversation =
        decodeURIComponent((await page.evaluate('location.hash')) as string).split('/')[2] ?? '';
      expect(conversation).toMatch(/^cv_/);
      await page.getByRole('button', { name: 'Customer', exact: true }).click();
      const panel = page.getByRole('complementary', { name: 'Customer' });
      // Before, the conversation's id was the title of its line in the list only: no keyboard, touch or
      // zoomed reader could get at it.
      const ids = (await panel
        .locator('dl.ids')
        .evaluate((dl) =>
          [...dl.querySelectorAll('div')].map((d) => [
            d.querySelector('dt')?.textContent,
            d.querySelector('code')?.textContent,
          ]),
        )) as string[][];
      expect(ids).toEqual([
        ['Customer id', expect.stringMatching(/^cu_/)],
        ['Conversation id', conversation],
      ]);
      const copy = panel.getByRole('button', { name: `Copy the id ${conversation}` });
      expect(await inView(copy)).toBe(true);
      await copy.click();
      await panel
        .getByRole('button', { name: `Copy the id ${conversation}` })
        .filter({ hasText: 'Copied' })
        .waitFor(WAIT);
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(conversation);
    } finally {
      await page.close();
    }
  });

  it('makes each control a target of at least 24×24 CSS px at the usual font size', async () => {
    const page = await openAt(16, { viewport: DESKTOP });
    try {
      await page.getByRole('button', { name: /^Copy the id cu_/ }).waitFor(WAIT);
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
