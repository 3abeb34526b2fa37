import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import {
  asAna,
  contrast,
  greetOnWhatsApp,
  IN_PAGE,
  minutesAgo,
  seedTimeline,
  signedInPage,
  signIn,
  useConsole,
} from './console-support.js';

const SCREENSHOTS = new URL('./screenshots/', import.meta.url);
const LONG = 10_000;

describe('the console: a long timeline, accessibility, phone width', () => {
  const { runtime, browser } = useConsole();
  let page: Page;
  let longCustomer: Customer;

  beforeAll(async () => {
    const now = Date.now();
    const people = [
      { from: '15550002001', name: 'Grace Hopper', text: 'My order #1042 has not arrived yet.' },
      { from: '15550002002', name: 'Alan Turing', text: 'Can I change the delivery address?' },
      { from: '15550002003', name: 'Long History', text: 'Hello again, it is me.' },
    ];
    await greetOnWhatsApp(
      runtime,
      'views',
      people.map((p, i) => ({ ...p, at: minutesAgo(3 - i, now) })),
    );
    const found = await asAna<{ items: Customer[] }>(runtime, '/api/customers?q=%2B15550002003');
    longCustomer = found.items[0] as Customer;
    await seedTimeline(runtime, longCustomer.id, LONG);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  it(`opens a timeline of ${LONG.toLocaleString('en')} items on its newest page, and pages back with a bounded number of rows`, async () => {
    const reads: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes(`/api/customers/${longCustomer.id}/timeline`)) reads.push(r.url());
    });
    await page.getByRole('button', { name: /Long History/ }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await page.locator('section.timeline[aria-busy="false"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => log.getByText('Hello again, it is me.').count(), { timeout: 30_000 }).toBe(1);
    // One page of 50, whatever the history: before, all 10,000 were read, 200 a call.
    expect(reads).toHaveLength(1);
    const rows = () => log.locator('[data-row]').count();
    expect(await rows()).toBeGreaterThan(3);
    expect(await rows()).toBeLessThan(80);
    for (let press = 1; press <= 3; press++) {
      await page.getByRole('button', { name: 'Earlier messages' }).click();
      await expect.poll(() => reads.length, { timeout: 30_000 }).toBe(1 + press);
      await page.locator('button.earlier[aria-busy="true"]').waitFor({ state: 'detached' });
    }
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    // 50 + 3 × 100 newest items shown: the oldest of them is seeded item 9,650 or so.
    await log
      .getByText(/Seeded (message|note) 96\d\d$/)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await log.getByText('Seeded message 0', { exact: true }).count()).toBe(0);
    expect(await rows()).toBeLessThan(80);
  }, 240_000);

  it('labels every control, keeps the tab order in reading order and text at AA contrast', async () => {
    await page.getByRole('button', { name: /Grace Hopper/ }).click();
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    await page.getByText('(open)').first().waitFor();
    const unlabelled = await page.evaluate<string[]>(IN_PAGE.unlabelled);
    expect(unlabelled).toEqual([]);
    expect(await page.locator('[tabindex]:not([tabindex="0"]):not([tabindex="-1"])').count()).toBe(0);

    await page.locator('body').focus();
    const stops: string[] = [];
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate<string | undefined>(IN_PAGE.tabStop);
      if (stop === undefined) break;
      stops.push(stop);
    }
    const regions = ['top', 'inbox', 'conversation-head', 'scroller', 'composer', 'customer'];
    const order = stops.map((s) => regions.findIndex((r) => s.split(' ').includes(r))).filter((i) => i >= 0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBeGreaterThanOrEqual(5);

    const pairs = await page.evaluate<Array<{ fg: string; bg: string; text: string }>>(IN_PAGE.colours);
    const poor = pairs.filter((p) => contrast(p.fg, p.bg) < 4.5);
    expect(poor).toEqual([]);
  }, 120_000);

  it('works at phone width: the inbox, then the conversation with a way back', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await signIn(phone, runtime);
      await phone.getByRole('button', { name: /Alan Turing/ }).click();
      await phone.getByRole('heading', { name: 'Alan Turing' }).waitFor();
      expect(await phone.getByRole('navigation', { name: 'Inbox' }).isVisible()).toBe(false);
      await phone.getByLabel('Reply', { exact: true }).waitFor();
      const overflow = await phone.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.getByRole('button', { name: 'Back to inbox' }).click();
      await phone.getByRole('button', { name: /Grace Hopper/ }).waitFor();
    } finally {
      await phone.close();
    }
  }, 120_000);

  it.runIf(process.env.CONSOLE_SCREENSHOTS)(
    'saves screenshots of the inbox and of a conversation for the README',
    async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const shot = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      try {
        await signIn(shot, runtime);
        await shot.getByRole('button', { name: /Grace Hopper/ }).waitFor();
        // The top bar as it settles: Ana, signed in, counted under Agents (before, the shot could beat the read).
        await shot.getByText('Agents (1)').waitFor();
        await shot.screenshot({ path: new URL('console-inbox.png', SCREENSHOTS).pathname });
        await shot.getByRole('button', { name: /Grace Hopper/ }).click();
        await shot.getByText('(open)').first().waitFor();
        await shot
          .getByLabel('Reply', { exact: true })
          .fill('It left our warehouse this morning: here is the tracking link.');
        await shot.screenshot({ path: new URL('console-conversation.png', SCREENSHOTS).pathname });
      } finally {
        await shot.close();
      }
    },
    120_000,
  );
});
