import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import {
  asAna,
  greetOnWhatsApp,
  isFocused,
  minutesAgo,
  seedTimeline,
  signedInPage,
  useConsole,
} from './console-support.js';

/** A history of several pages: the console opens on the newest 50 items, and reads 100 a press. */
const PAIGE = { from: '15550009101', name: 'Paige Pages', text: 'The newest thing I wrote.' };
const NORA = { from: '15550009102', name: 'Nora Next', text: 'Another customer, for j and k.' };
const SEEDED = 260;

/** The timeline reads a page asks for, by their query. */
function timelineReads(page: Page): string[] {
  const reads: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^\/api\/customers\/[^/]+\/timeline$/.test(url.pathname)) reads.push(url.search);
  });
  return reads;
}

/** The key of the timeline row at the top of the log and how far below the log's top it sits. */
const TOP_ROW = `(() => {
  const log = document.querySelector('section.timeline .scroller');
  const top = log.getBoundingClientRect().top;
  const rows = [...log.querySelectorAll('[data-row]')]
    .map((r) => ({ key: r.dataset.row, y: r.getBoundingClientRect().top - top }))
    .filter((r) => r.y >= 0).sort((a, b) => a.y - b.y);
  return rows[0];
})()`;

/**
 * Opening a customer reads the newest page of their timeline, not all of it: "Earlier messages" reads
 * the page before, keeping the rows on screen where they were, and j/k back to a customer reads one page.
 */
describe('the console reads a long timeline a page at a time', () => {
  const { runtime, browser } = useConsole();

  beforeAll(async () => {
    await greetOnWhatsApp(
      runtime,
      'pages',
      [PAIGE, NORA].map((p, i) => ({ ...p, at: minutesAgo(2 - i) })),
    );
    const found = await asAna<{ items: Customer[] }>(runtime, `/api/customers?q=%2B${PAIGE.from}`);
    await seedTimeline(runtime, (found.items[0] as Customer).id, SEEDED);
  }, 240_000);

  it('opens on the newest page in one read, and Earlier messages reads the page before in place', async () => {
    const page = await signedInPage(browser, runtime);
    const reads = timelineReads(page);
    await page.getByRole('button', { name: /Paige Pages/ }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText(PAIGE.text).waitFor();
    await page.locator('section.timeline[aria-busy="false"]').waitFor();
    expect(reads).toEqual(['?order=newest&limit=50']);
    expect(await log.getByText('Seeded message 0', { exact: true }).count()).toBe(0);

    // The list notes the row at the top on its scroll event (its own listener, added first, runs first):
    // wait for it, so the press below never finds the list still thinking the agent is at the bottom.
    await log.evaluate(
      (el) =>
        new Promise<void>((done) => {
          el.addEventListener('scroll', () => done(), { once: true });
          el.scrollTop = 0;
        }),
    );
    await expect
      .poll(() => page.evaluate(TOP_ROW), { timeout: 30_000 })
      .toMatchObject({ y: expect.any(Number) });
    const before = (await page.evaluate(TOP_ROW)) as { key: string; y: number };
    const earlier = page.getByRole('button', { name: 'Earlier messages' });
    await earlier.click();
    await expect.poll(() => reads.length, { timeout: 30_000 }).toBe(2);
    expect(reads[1]).toMatch(/^\?order=newest&limit=100&cursor=/);
    await page.getByRole('button', { name: 'Earlier messages' }).waitFor();
    // A screen reader hears how many came (100 items and the channel switches among them), the focus
    // still on the button for the next press.
    const said = page.locator('section.timeline [role="status"]');
    await expect
      .poll(() => said.textContent(), { timeout: 30_000 })
      .toMatch(/^1\d\d earlier entries added above\.$/);
    expect(await earlier.evaluate(isFocused)).toBe(true);
    // The row that was at the top is still there: the earlier page went above it, out of view.
    await expect
      .poll(
        async () => {
          const top = (await page.evaluate(TOP_ROW)) as { key: string; y: number };
          return { key: top.key, near: Math.abs(top.y - before.y) < 4 };
        },
        { timeout: 30_000 },
      )
      .toEqual({ key: before.key, near: true });

    // Until the first item, one read a press; then the control goes.
    for (let press = 0; press < 5 && (await earlier.count()); press++) {
      const n = reads.length;
      await earlier.click();
      await expect.poll(() => reads.length, { timeout: 30_000 }).toBe(n + 1);
      await page.locator('button.earlier[aria-busy="true"]').waitFor({ state: 'detached' });
    }
    expect(await earlier.count()).toBe(0);
    expect(reads).toHaveLength(4);
    // The button went from under the focus: it is on the list, which says the history starts there.
    await expect.poll(() => log.evaluate(isFocused), { timeout: 10_000 }).toBe(true);
    expect(await said.textContent()).toMatch(
      /^\d+ earlier entr(y|ies) added above: the timeline starts here\.$/,
    );
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    await log.getByText('Seeded message 0', { exact: true }).waitFor();
    await page.close();
  }, 120_000);

  it('reads one page again when j and k come back to a customer', async () => {
    const page = await signedInPage(browser, runtime);
    const reads = timelineReads(page);
    await page.getByRole('button', { name: /Paige Pages/ }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText(PAIGE.text).waitFor();
    await page.locator('body').press('j');
    await page.getByRole('log', { name: 'Messages' }).getByText(NORA.text).waitFor();
    await page.locator('body').press('k');
    await page.getByRole('log', { name: 'Messages' }).getByText(PAIGE.text).waitFor();
    await page.locator('section.timeline[aria-busy="false"]').waitFor();
    expect(reads).toEqual(['?order=newest&limit=50', '?order=newest&limit=50', '?order=newest&limit=50']);
    await page.close();
  }, 120_000);
});
