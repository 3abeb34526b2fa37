import { beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { whatsappText } from '../support/webhooks.js';
import {
  ANA,
  asAna,
  contrast,
  IN_PAGE,
  postMeta,
  RECORD_ANNOUNCEMENTS,
  seedTimeline,
  signedInPage,
  signIn,
  told,
  useConsole,
} from './console-support.js';

/** Her timeline is long: the list draws only the rows near the viewport. */
const LIA = { from: '15550009001', name: 'Lia Listens' };
const MAX = { from: '15550009002', name: 'Max Zoom' };
const KAI = { from: '15550009003', name: 'Kai Keys' };
const SAM = { from: '15550009004', name: 'Sam Snooze' };
const BEA = { from: '15550009005', name: 'Bea Batch' };

/** The timeline's scroller and the part of it the window shows, in px. */
const TIMELINE_BOX = `(() => {
  const el = document.querySelector('.scroller');
  const r = el.getBoundingClientRect();
  return { height: el.clientHeight, shown: Math.min(r.bottom, innerHeight) - Math.max(r.top, 0),
    overflow: document.documentElement.scrollWidth - innerWidth };
})()`;

describe('the console with a screen reader, the keyboard and zoom', () => {
  const { runtime, browser } = useConsole();

  const message = (who: { from: string; name: string }, id: string, text: string) =>
    postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({ ...who, messages: [{ id, at: new Date().toISOString(), text }] }),
    );

  beforeAll(async () => {
    for (const [i, who] of [LIA, MAX, KAI, SAM, BEA].entries())
      await message(who, `wamid.a11y.${i}`, `Hello from ${who.name}`);
    await runtime.idle();
    const found = await asAna<{ items: Customer[] }>(runtime, `/api/customers?q=%2B${LIA.from}`);
    await seedTimeline(runtime, (found.items[0] as Customer).id, 600);
  }, 240_000);

  /** Registers Ana, away, in the queue `billing`: the lists of agents and queues then offer her and it. */
  const registerAna = async () => {
    const answer = await fetch(`${runtime.url}/api/agents/me`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ presence: 'away', queues: ['billing'] }),
    });
    expect(answer.status).toBe(200);
  };

  it('tells a screen reader of a message that arrives, once, and not of the rows the timeline draws as it loads and scrolls', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.addInitScript(RECORD_ANNOUNCEMENTS);
      await signIn(page, runtime);
      await page.getByRole('button', { name: new RegExp(LIA.name) }).click();
      await page.locator('section.timeline[aria-busy="false"]').waitFor({ timeout: 60_000 });
      const log = page.getByRole('log', { name: 'Messages' });
      // The newest page (50 items: the seeded ones are older than the greeting) is drawn first; Earlier
      // messages reads the 100 before it.
      await log.getByText(`Hello from ${LIA.name}`).waitFor();
      await log.evaluate((el) => {
        el.scrollTop = el.scrollHeight / 2;
      });
      await log
        .getByText(/Seeded message 5[6-8]\d$/)
        .first()
        .waitFor();
      await page.getByRole('button', { name: 'Earlier messages' }).click();
      await page
        .getByRole('button', { name: 'Earlier messages' })
        .and(page.locator(':not([aria-busy="true"])'))
        .waitFor();
      await log.evaluate((el) => {
        el.scrollTop = 0;
      });
      await log
        .getByText(/Seeded message 45\d$/)
        .first()
        .waitFor();
      // Before, every row drawn was read out: the bottom rows as the pages loaded, then each row scrolled past.
      expect((await told(page)).filter((t) => t.includes('Seeded'))).toEqual([]);

      // Scrolled up, the new message is not drawn; it is told all the same, once.
      await message(LIA, 'wamid.a11y.new', 'Is anyone there?');
      await expect
        .poll(async () => (await told(page)).filter((t) => t.includes('Is anyone there?')), {
          timeout: 30_000,
        })
        .toEqual(['Customer on WhatsApp: Is anyone there?']);
      await message(KAI, 'wamid.a11y.other', 'A message for someone else');
      await page.getByRole('button', { name: new RegExp(`${KAI.name}.*waiting`) }).waitFor();
      expect((await told(page)).filter((t) => t.includes('someone else'))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('keeps the timeline on screen at 200 % zoom on a 1280×720 laptop and on a 320 px phone', async () => {
    // 200 % zoom of a 1280×720 window is a 640×360 CSS-pixel viewport.
    for (const viewport of [
      { width: 640, height: 360 },
      { width: 320, height: 568 },
    ]) {
      const page = await browser.newPage({ viewport });
      try {
        await signIn(page, runtime);
        await page.getByRole('button', { name: new RegExp(MAX.name) }).click();
        const log = page.getByRole('log', { name: 'Messages' });
        const text = log.getByText(`Hello from ${MAX.name}`);
        await text.waitFor();
        await log.focus();
        // Before, the header and the reply box took the whole height, and the timeline had none.
        const box = (await page.evaluate(TIMELINE_BOX)) as {
          height: number;
          shown: number;
          overflow: number;
        };
        expect(box.height).toBeGreaterThanOrEqual(150);
        expect(box.shown).toBeGreaterThanOrEqual(150);
        expect(box.overflow).toBeLessThanOrEqual(0);
        expect(await text.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(0);
        await page.getByLabel('Reply', { exact: true }).focus();
        expect(await page.getByLabel('Reply', { exact: true }).isVisible()).toBe(true);
      } finally {
        await page.close();
      }
    }
  }, 120_000);

  it('puts the focus back on the token refused at sign-in, marked invalid and described by the reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${runtime.url}/console`);
      await page.getByLabel('Agent token').fill('not-a-token');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').waitFor();
      // Before, the Sign in button, disabled while it asked, dropped the focus to the page's start.
      const field = (await page.evaluate(`(() => {
        const a = document.activeElement;
        const said = (a.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent);
        return { name: a.getAttribute('name'), invalid: a.getAttribute('aria-invalid'), said: said.join(' ') };
      })()`)) as { name: string; invalid: string; said: string };
      expect(field).toEqual({
        name: 'token',
        invalid: 'true',
        said: await page.getByRole('alert').textContent(),
      });
      await page.keyboard.type('x');
      expect(await page.getByLabel('Agent token').inputValue()).toBe('not-a-tokenx');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('puts the focus on the console’s heading once the token is taken, not on the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${runtime.url}/console`);
      await page.getByLabel('Agent token').fill(ANA.token);
      await page.keyboard.press('Enter');
      await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
      // Before, the form went with the focus in it and it fell to the page's start.
      await expect
        .poll(() => page.evaluate('document.activeElement.id'), { timeout: 30_000 })
        .toBe('console-title');
      // A reload with the session kept takes nothing: the page starts where a page starts.
      await page.reload();
      await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
      expect(await page.evaluate('document.activeElement === document.body')).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('draws the focus ring at 3:1 against what it sits on, on every stop of the tab order', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      await page.getByRole('button', { name: new RegExp(MAX.name) }).click();
      await page.getByRole('heading', { name: MAX.name }).waitFor();
      await page.locator('body').focus();
      const weak: Array<{ ring: string; bg: string; what: string }> = [];
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const stop = (await page.evaluate(IN_PAGE.focusRing)) as
          | { ring: string; bg: string; what: string }
          | undefined;
        if (!stop) break;
        if (stop.ring === 'none' || contrast(stop.ring, stop.bg) < 3) weak.push(stop);
      }
      // Before, the amber ring (#f2a900) was 2:1 on the white and off-white panes.
      expect(weak).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('leaves the conversation alone while the shortcuts dialog is open: j, k and e do nothing behind it', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      await page.getByRole('button', { name: new RegExp(KAI.name) }).click();
      await page.getByRole('heading', { name: KAI.name }).waitFor();
      await page.getByRole('button', { name: 'Resolve' }).waitFor();
      await page.getByRole('log', { name: 'Messages' }).focus();
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      for (const key of ['j', 'k', 'e']) await page.keyboard.press(key);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.locator('#conversation-title').textContent()).toBe(KAI.name);
      // A resolve pressed behind the dialog would have been asked at once: the API says it is open still.
      const id = new URL(page.url()).hash.replace('#/conversations/', '');
      expect((await asAna<{ status: string }>(runtime, `/api/conversations/${id}`)).status).toBe('open');
      expect(await page.getByRole('button', { name: 'Resolve' }).count()).toBe(1);
      expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Messages');
    } finally {
      await page.close();
    }
  }, 120_000);
  it('keeps the focus in the header and says what happened after a snooze, a wake, a transfer and an assign by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      // A queue Ana is in is one the Transfer form offers.
      await registerAna();
      await page.addInitScript(RECORD_ANNOUNCEMENTS);
      await signIn(page, runtime);
      await page.getByRole('button', { name: new RegExp(SAM.name) }).click();
      await page.getByRole('heading', { name: SAM.name }).waitFor();
      const head = page.locator('header.conversation-head');
      const focused = () =>
        page.evaluate(`(() => { const e = document.activeElement;
          return e === document.body || !e ? 'the page' : (e.getAttribute('aria-label') ?? e.textContent.trim()); })()`);
      await head.locator('summary', { hasText: 'Snooze' }).focus();
      await page.keyboard.press('Enter');
      await head.getByRole('button', { name: '1 hour' }).focus();
      // Escape closes the menu, back on Snooze (before, it stayed open over the timeline).
      await page.keyboard.press('Escape');
      await head.getByRole('button', { name: '1 hour' }).waitFor({ state: 'hidden', timeout: 30_000 });
      expect(await focused()).toBe('Snooze');
      await page.keyboard.press('Enter');
      await head.getByRole('button', { name: '1 hour' }).focus();
      await told(page);
      await page.keyboard.press('Enter');
      await head.getByRole('button', { name: 'Wake' }).waitFor({ timeout: 30_000 });
      // Before, the menu's button went with the menu and the focus fell to the page's start, in silence.
      await expect.poll(focused, { timeout: 30_000 }).toBe('Wake');
      await expect
        .poll(() => told(page), { timeout: 30_000 })
        .toContainEqual(expect.stringMatching(/^Snoozed until /));
      await page.keyboard.press('Enter');
      await head.locator('summary', { hasText: 'Snooze' }).waitFor({ timeout: 30_000 });
      await expect.poll(focused, { timeout: 30_000 }).toBe('Snooze');
      await expect
        .poll(() => told(page), { timeout: 30_000 })
        .toContainEqual(expect.stringMatching(/^Open · /));
      const form = head.getByRole('form', { name: 'Transfer' });
      const queue = form.getByRole('combobox', { name: 'Queue' });
      const to = 'billing';
      await queue.locator(`option[value="${to}"]`).waitFor({ state: 'attached', timeout: 30_000 });
      await queue.selectOption(to);
      await form.getByRole('button', { name: 'Transfer' }).focus();
      await page.keyboard.press('Enter');
      await head.locator('.meta', { hasText: `queue ${to}` }).waitFor({ timeout: 30_000 });
      // Before, the Transfer button, disabled once the lists were cleared, dropped the focus to the page.
      await expect.poll(focused, { timeout: 30_000 }).not.toBe('the page');
      expect(await page.evaluate('document.activeElement.closest("form")?.getAttribute("aria-label")')).toBe(
        'Transfer',
      );
      await expect
        .poll(() => told(page), { timeout: 30_000 })
        .toContainEqual(expect.stringContaining(`queue ${to}`));
      await head.getByRole('button', { name: 'Assign to me' }).focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => told(page), { timeout: 30_000 })
        .toContainEqual(expect.stringContaining(`assigned to ${ANA.id}`));
      // Hers now: Assign to me goes, and the focus lands on the conversation's title (not the page's start).
      await head
        .getByRole('button', { name: 'Assign to me' })
        .waitFor({ state: 'detached', timeout: 30_000 });
      await expect.poll(focused, { timeout: 30_000 }).toBe(SAM.name);
    } finally {
      await page.close();
    }
  }, 120_000);
  it('puts the focus back on the tick box after a batch assignment by keyboard, and says what happened', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      // Ana registered: the agent list offers her.
      await registerAna();
      await page.addInitScript(RECORD_ANNOUNCEMENTS);
      await signIn(page, runtime);
      await page.getByRole('checkbox', { name: `Select ${BEA.name}` }).check();
      const form = page.getByRole('form', { name: 'Assign selected' });
      await form.getByRole('combobox', { name: 'Selected to agent' }).selectOption(ANA.id);
      await form.getByRole('button', { name: 'Assign 1' }).focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => told(page), { timeout: 30_000 })
        .toContainEqual(expect.stringMatching(/^1 assigned/));
      // Before, the form went with the ticks and the focus fell to the page's start.
      await expect
        .poll(() => page.evaluate('document.activeElement.parentElement?.textContent'), { timeout: 30_000 })
        .toBe('Select all shown');
    } finally {
      await page.close();
    }
  }, 60_000);
});
