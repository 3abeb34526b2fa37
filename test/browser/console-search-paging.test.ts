import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInPage, useConsole } from './console-support.js';

/** More customers named alike than the search's first page (25) holds. */
const PEOPLE = 32;
const at = (i: number) => new Date(Date.UTC(2026, 5, 1, 9, i)).toISOString();
const idOf = (i: number) => `cu_paging${String(i).padStart(2, '0')}`;

/**
 * The console's customer search reaches every match of a common name: after the first page a More
 * button reads the next one with the API's cursor, adds it below, and goes when the cursor is null. A
 * new search starts over, and a More answer of the search before it adds nothing to it.
 */
describe('the console customer search pages with More', () => {
  const { runtime, browser } = useConsole();

  beforeAll(async () => {
    for (let i = 0; i < PEOPLE; i += 1) {
      await runtime.store.customers.touchProfile({
        customerId: idOf(i),
        identities: [{ kind: 'phone', value: `+4477002${String(i).padStart(5, '0')}` }],
        channel: 'sms',
        at: at(i),
        now: at(i),
        conversationId: `cv_paging${i}`,
        inbound: true,
        name: { value: `Pat Paging ${String(i).padStart(2, '0')}`, at: at(i) },
      });
    }
  }, 240_000);

  const found = (page: Page) => page.getByRole('list', { name: 'Customers found' });
  const shownIds = (page: Page) =>
    found(page)
      .locator('li[data-customer]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-customer')));
  const more = (page: Page) => page.locator('.customer-search').getByRole('button', { name: 'More' });
  async function searchFor(page: Page, q: string): Promise<void> {
    await page.getByLabel('Find a customer').fill(q);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
  }

  it('shows 25, then More adds the next 7 below, each once in name order, and More goes', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      await searchFor(page, 'Pat Paging');
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toHaveLength(25);
      expect(await shownIds(page)).toEqual(Array.from({ length: 25 }, (_, i) => idOf(i)));
      await more(page).scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/console-search-first-page.png' });
      await more(page).click();
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toHaveLength(PEOPLE);
      expect(await shownIds(page)).toEqual(Array.from({ length: PEOPLE }, (_, i) => idOf(i)));
      await expect.poll(() => more(page).count(), { timeout: 30_000 }).toBe(0);
      await page.screenshot({ path: '/tmp/console-search-more.png' });
    } finally {
      await page.close();
    }
  }, 120_000);

  it('offers no More when one page holds every match', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      await searchFor(page, 'Pat Paging 3');
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toEqual([idOf(30), idOf(31)]);
      expect(await more(page).count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a new search starts over: the More answer of the search before adds nothing to it', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      await searchFor(page, 'Pat Paging');
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toHaveLength(25);
      const held: Route[] = [];
      await page.route(/\/api\/customers\?.*cursor=/, (route) => {
        held.push(route);
      });
      await more(page).click();
      await expect.poll(() => held.length, { timeout: 30_000 }).toBe(1);
      await searchFor(page, 'Pat Paging 0');
      const tens = Array.from({ length: 10 }, (_, i) => idOf(i));
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toEqual(tens);
      const answered = page.waitForEvent('requestfinished', (r) => r.url().includes('cursor='));
      await held[0]?.continue();
      await answered;
      // The page's own turns after the answer: its handlers ran, and drew what they would.
      await page.evaluate('new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))');
      expect(await shownIds(page)).toEqual(tens);
      expect(await more(page).count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('says why when More fails, and keeps what it showed', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      await searchFor(page, 'Pat Paging');
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toHaveLength(25);
      await page.route(/\/api\/customers\?.*cursor=/, (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'try again shortly' } }),
        }),
      );
      await more(page).click();
      await page
        .locator('.customer-search')
        .getByText(/try again shortly/)
        .waitFor({ timeout: 30_000 });
      expect(await shownIds(page)).toHaveLength(25);
      await page.unroute(/\/api\/customers\?.*cursor=/);
      await more(page).click();
      await expect.poll(() => shownIds(page), { timeout: 30_000 }).toHaveLength(PEOPLE);
    } finally {
      await page.close();
    }
  }, 120_000);
});
