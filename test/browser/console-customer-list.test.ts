import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { whatsappText } from '../support/webhooks.js';
import {
  asAna,
  postMeta,
  setDefaultFontSize,
  signedInPage,
  signIn,
  useConsole,
  ZOOMED,
} from './console-support.js';

/** Customers first seen before the test, one an hour, the last the newest of them; more than a page (25). */
const LISTED = 30;
const FIRST_NAMES = ['Ada', 'Bo', 'Cy', 'Di', 'Ez', 'Flo', 'Gus', 'Hal', 'Ivy', 'Jo'];
const pad = (i: number) => String(i).padStart(2, '0');
const idOf = (i: number) => `cu_listed${pad(i)}`;
const nameOf = (i: number) => `${FIRST_NAMES[i % FIRST_NAMES.length]} Listed ${pad(i)}`;
/** The customer who writes on WhatsApp during the test: the newest, with an open conversation. */
const WES = { from: '15550009001', name: 'Wes Newest' };

/** Where a screenshot goes: the README's folder with CONSOLE_SCREENSHOTS=1, else a temporary one to look at. */
const SHOTS = process.env.CONSOLE_SCREENSHOTS
  ? new URL('./screenshots/', import.meta.url)
  : new URL(`file://${tmpdir()}/`);

/** Seeds one customer straight into the local table, as the resolver lists a first contact. */
async function seedCustomer(runtime: LocalRuntime, i: number, start: number): Promise<void> {
  const at = new Date(start + i * 3_600_000).toISOString();
  const kind = (['sms', 'whatsapp', 'email'] as const)[i % 3] ?? 'sms';
  const identity =
    kind === 'email'
      ? { kind: 'email' as const, value: `listed${pad(i)}@example.com` }
      : { kind: 'phone' as const, value: `+4477003${String(i).padStart(5, '0')}` };
  await runtime.store.customers.touchProfile({
    customerId: idOf(i),
    identities: [identity],
    channel: kind,
    at,
    now: at,
    conversationId: `cv_listed${i}`,
    inbound: true,
    name: { value: nameOf(i), at },
    // The profile's first write lists the customer, at its time.
    firstContact: true,
  });
  await runtime.store.customers.claimIdentity(identity, idOf(i), at);
  // Every fourth wrote again 20 minutes ago.
  if (i % 4 === 0) {
    const again = new Date(Date.now() - 20 * 60_000).toISOString();
    await runtime.store.customers.touchProfile({
      customerId: idOf(i),
      identities: [identity],
      channel: kind,
      at: again,
      now: again,
      conversationId: `cv_listed${i}`,
      inbound: true,
    });
  }
}

/**
 * The console's customer list: Browse (the search field empty) lists every customer newest first, 25
 * at a time with More; a search shows its matches and clearing its text brings the newest back, a slow
 * answer of the read before never landing; j and k move through the rows, Enter opens; the loading,
 * empty and failed states; one column at 320 px and at 200 % zoom.
 */
describe('the console lists the newest customers', () => {
  const { runtime, browser } = useConsole();
  let wesId = '';

  beforeAll(async () => {
    const start = Date.now() - (LISTED + 2) * 3_600_000;
    for (let i = 0; i < LISTED; i += 1) await seedCustomer(runtime, i, start);
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        ...WES,
        messages: [
          { id: 'wamid.customer-list.1', at: new Date().toISOString(), text: 'Is my order on its way?' },
        ],
      }),
    );
    await runtime.idle();
    const found = await asAna<{ items: Array<{ id: string }> }>(runtime, `/api/customers?q=${WES.from}`);
    wesId = found.items[0]?.id ?? '';
    expect(wesId).not.toBe('');
  }, 240_000);

  /** The newest first: Wes, then the seeded ones from the last seeded on. */
  const newest = () => [wesId, ...Array.from({ length: LISTED }, (_, i) => idOf(LISTED - 1 - i))];
  const pane = (page: Page) => page.locator('.customer-search');
  const rows = (page: Page, name = 'Newest customers') =>
    pane(page)
      .getByRole('list', { name })
      .locator('li[data-customer]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-customer')));
  const more = (page: Page) => pane(page).getByRole('button', { name: 'More' });
  const browse = (page: Page) => pane(page).getByRole('button', { name: 'Browse' }).click();
  async function searchFor(page: Page, q: string): Promise<void> {
    await page.getByLabel('Find a customer').fill(q);
    await pane(page).getByRole('button', { name: 'Find', exact: true }).click();
  }
  /** The customer row the keyboard focus is in (its `data-customer`), or the focused field's name. */
  const focused = (page: Page) =>
    page.evaluate<string>(
      `document.activeElement?.closest('li[data-customer]')?.dataset.customer ?? document.activeElement?.getAttribute('name') ?? ''`,
    );
  /** The page's own turns after an answer: its handlers ran and drew what they would. */
  const settle = (page: Page) =>
    page.evaluate('new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))');
  /** Runs `steps` on a new page signed in with the newest customers listed (its first page read), then closes it. */
  async function browsing(steps: (page: Page) => Promise<void>): Promise<void> {
    const page = await signedInPage(browser, runtime);
    try {
      await browse(page);
      await expect.poll(() => rows(page), { timeout: 30_000 }).toEqual(newest().slice(0, 25));
      await steps(page);
    } finally {
      await page.close();
    }
  }

  it(
    'lists the newest 25 with channels and times, and More adds the rest below, each once',
    () =>
      browsing(async (page) => {
        const wes = pane(page).locator(`li[data-customer="${wesId}"]`);
        expect(await wes.locator('strong').textContent()).toBe(WES.name);
        expect(await wes.locator('.badge').allTextContents()).toEqual(['WhatsApp']);
        expect(await wes.locator('.seen').textContent()).toMatch(/^first seen \d+ s ago on WhatsApp$/);
        const last = pane(page).locator(`li[data-customer="${idOf(LISTED - 1)}"]`);
        expect(await last.locator('strong').textContent()).toBe(nameOf(LISTED - 1));
        expect(await last.locator('.seen').textContent()).toMatch(/^first seen 3 h ago on Email$/);
        expect(
          await pane(page)
            .locator(`li[data-customer="${idOf(28)}"] .seen`)
            .textContent(),
        ).toBe('first seen 4 h ago · last wrote 20 min ago on WhatsApp');
        expect(await pane(page).getByRole('status').last().textContent()).toContain('25 shown, more below');
        await more(page).click();
        await expect.poll(() => rows(page), { timeout: 30_000 }).toHaveLength(LISTED + 1);
        expect(await rows(page)).toEqual(newest());
        await expect.poll(() => more(page).count(), { timeout: 30_000 }).toBe(0);
        expect(await pane(page).getByRole('status').last().textContent()).toBe(
          `Customers: ${LISTED + 1} in all`,
        );
        // More's button went with the last page: the focus is on the first customer it added (moved by
        // the list's effect after the rows are drawn, so a turn after the status line under load).
        await expect.poll(() => focused(page), { timeout: 10_000 }).toBe(newest()[25]);
      }),
    120_000,
  );

  it(
    'turns to a search and back to the newest when its text is cleared, a slow answer dropped',
    () =>
      browsing(async (page) => {
        await searchFor(page, 'Listed 0');
        const tens = Array.from({ length: 10 }, (_, i) => idOf(i));
        await expect.poll(() => rows(page, 'Customers found'), { timeout: 30_000 }).toEqual(tens);
        expect(await pane(page).getByRole('heading', { level: 3 }).textContent()).toBe('Customers found');
        await page.getByLabel('Find a customer').fill('');
        await expect.poll(() => rows(page), { timeout: 30_000 }).toEqual(newest().slice(0, 25));
        expect(await pane(page).getByRole('list', { name: 'Customers found' }).count()).toBe(0);
        // Escape in the field clears it (the browser's own, for a search field): the newest again.
        await searchFor(page, 'Listed 0');
        await expect.poll(() => rows(page, 'Customers found'), { timeout: 30_000 }).toEqual(tens);
        await page.getByLabel('Find a customer').press('Escape');
        await expect.poll(() => rows(page), { timeout: 30_000 }).toEqual(newest().slice(0, 25));

        // A search whose answer is slow, cleared before it comes: its rows never land among the newest.
        const held: Route[] = [];
        await page.route(/\/api\/customers\?q=/, (route) => {
          held.push(route);
        });
        await searchFor(page, 'Listed 1');
        await expect.poll(() => held.length, { timeout: 30_000 }).toBe(1);
        await pane(page).getByText('Searching…').waitFor({ timeout: 30_000 });
        await page.getByLabel('Find a customer').fill('');
        await expect.poll(() => rows(page), { timeout: 30_000 }).toEqual(newest().slice(0, 25));
        const answered = page.waitForEvent('requestfinished', (r) => r.url().includes('q=Listed'));
        await held[0]?.continue();
        await answered;
        await page.unroute(/\/api\/customers\?q=/);
        await settle(page);
        expect(await rows(page)).toEqual(newest().slice(0, 25));
        expect(await pane(page).getByRole('heading', { level: 3 }).textContent()).toBe('Newest customers');

        // The newest list's More answered after a search began: it adds nothing to the search.
        const heldMore: Route[] = [];
        await page.route(/\/api\/customers\?cursor=/, (route) => {
          heldMore.push(route);
        });
        await more(page).click();
        await expect.poll(() => heldMore.length, { timeout: 30_000 }).toBe(1);
        await searchFor(page, 'Listed 2');
        const twenties = Array.from({ length: 10 }, (_, i) => idOf(20 + i));
        await expect.poll(() => rows(page, 'Customers found'), { timeout: 30_000 }).toEqual(twenties);
        const moreAnswered = page.waitForEvent('requestfinished', (r) => r.url().includes('cursor='));
        await heldMore[0]?.continue();
        await moreAnswered;
        await settle(page);
        expect(await rows(page, 'Customers found')).toEqual(twenties);
      }),
    120_000,
  );

  it(
    'moves through the rows with j and k, not through the inbox, and opens one with Enter',
    () =>
      browsing(async (page) => {
        await page.getByRole('button', { name: new RegExp(WES.name) }).waitFor({ timeout: 30_000 });
        await page.getByLabel('Find a customer').press('ArrowDown');
        expect(await focused(page)).toBe(newest()[0]);
        await page.keyboard.press('j');
        await page.keyboard.press('j');
        expect(await focused(page)).toBe(newest()[2]);
        await page.keyboard.press('k');
        expect(await focused(page)).toBe(newest()[1]);
        await page.keyboard.press('End');
        expect(await focused(page)).toBe(newest()[24]);
        await page.keyboard.press('j');
        expect(await focused(page)).toBe(newest()[24]);
        await page.keyboard.press('Home');
        expect(await focused(page)).toBe(newest()[0]);
        // j and k there moved no conversation into the view.
        expect(await page.locator('.shell.has-conversation').count()).toBe(0);
        await page.keyboard.press('Escape');
        expect(await focused(page)).toBe('q');
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: WES.name }).waitFor({ timeout: 30_000 });
        expect(page.url()).toMatch(/#\/conversations\/cv_/);
        // The list stays as it was, for the next customer.
        expect(await rows(page)).toEqual(newest().slice(0, 25));
        await page.keyboard.press('?');
        const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
        await help.getByText('next / previous customer').waitFor();
        await help.getByRole('button', { name: 'Close' }).click();
      }),
    120_000,
  );

  it('says it is loading, that there is no customer yet, and why a read failed, with Try again', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      const held: Route[] = [];
      await page.route(/\/api\/customers$/, (route) => {
        held.push(route);
      });
      await browse(page);
      await pane(page).getByText('Loading the newest customers…').waitFor({ timeout: 30_000 });
      expect(await pane(page).locator('.found-pane').getAttribute('aria-busy')).toBe('true');
      await held[0]?.fulfill({ contentType: 'application/json', body: '{"items":[],"cursor":null}' });
      await page.unroute(/\/api\/customers$/);
      await pane(page).getByText('No customers yet.').waitFor({ timeout: 30_000 });
      expect(await pane(page).locator('.found-pane').getAttribute('aria-busy')).toBe('false');

      await page.route(/\/api\/customers$/, (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'try again shortly' } }),
        }),
      );
      await browse(page);
      await pane(page).getByRole('alert').getByText('try again shortly').waitFor({ timeout: 30_000 });
      expect(await pane(page).getByText('No customers yet.').count()).toBe(0);
      await page.unroute(/\/api\/customers$/);
      await pane(page).getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => rows(page), { timeout: 30_000 }).toEqual(newest().slice(0, 25));
      expect(await pane(page).getByRole('alert').count()).toBe(0);

      // A page whose customers were all merged away or erased is empty and has a cursor: not "none yet".
      const { cursor } = await asAna<{ cursor: string | null }>(runtime, '/api/customers?limit=3');
      await page.route(/\/api\/customers$/, (route) =>
        route.fulfill({ contentType: 'application/json', body: JSON.stringify({ items: [], cursor }) }),
      );
      await browse(page);
      await more(page).waitFor({ timeout: 30_000 });
      expect(await pane(page).getByText('No customers yet.').count()).toBe(0);
      await page.unroute(/\/api\/customers$/);
      await more(page).click();
      await expect.poll(() => rows(page), { timeout: 30_000 }).toEqual(newest().slice(3, 28));

      await pane(page).getByRole('button', { name: 'Close' }).click();
      expect(await pane(page).locator('.found-pane').count()).toBe(0);
      expect(await focused(page)).toBe('q');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('fits one column at 320 px and at 200 % zoom with a 24 px default, and opens a customer there', async () => {
    for (const [options, px] of [
      [{ viewport: { width: 320, height: 568 } }, 16],
      [ZOOMED, 24],
    ] as const) {
      const page = await browser.newPage(options);
      try {
        await setDefaultFontSize(page, px);
        await signIn(page, runtime);
        await browse(page);
        await expect.poll(() => rows(page), { timeout: 30_000 }).toHaveLength(25);
        await more(page).scrollIntoViewIfNeeded();
        expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBe(
          0,
        );
        const inbox = page.getByRole('navigation', { name: 'Inbox' });
        expect(await inbox.evaluate((n) => n.scrollWidth - n.clientWidth)).toBe(0);
        await pane(page).locator(`li[data-customer="${wesId}"]`).scrollIntoViewIfNeeded();
        if (px === 24) await page.screenshot({ path: '/tmp/console-customers-zoomed.png' });
        await pane(page)
          .locator(`li[data-customer="${wesId}"]`)
          .getByRole('button', { name: 'Open conversation' })
          .click();
        await page.getByRole('heading', { name: WES.name }).waitFor({ timeout: 30_000 });
        expect(await inbox.isVisible()).toBe(false);
        await page.getByRole('button', { name: 'Back to inbox' }).click();
        expect(await rows(page)).toEqual(newest().slice(0, 25));
        // Back on the row the customer was opened from (not on their inbox row, further down), so j goes on.
        await expect.poll(() => focused(page), { timeout: 10_000 }).toBe(wesId);
        await page.keyboard.press('j');
        expect(await focused(page)).toBe(newest()[1]);
      } finally {
        await page.close();
      }
    }
  }, 180_000);

  it('saves a screenshot of the newest customers', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await browsing(async (page) => {
      await page.getByRole('button', { name: new RegExp(WES.name) }).waitFor({ timeout: 30_000 });
      await page.screenshot({ path: new URL('console-customers.png', SHOTS).pathname });
    });
  }, 120_000);

  // Last: the customer it adds is newer than every other test's list.
  it(
    'puts a customer who writes for the first time at the top of the list shown, live',
    () =>
      browsing(async (page) => {
        await postMeta(
          runtime,
          '/webhooks/whatsapp',
          whatsappText({
            from: '15550009002',
            name: 'Zia Live',
            messages: [{ id: 'wamid.customer-list.2', at: new Date().toISOString(), text: 'Hello?' }],
          }),
        );
        await expect.poll(async () => (await rows(page))[0], { timeout: 30_000 }).not.toBe(wesId);
        const top = pane(page).locator('li[data-customer]').first();
        expect(await top.locator('strong').textContent()).toBe('Zia Live');
        expect(await rows(page)).toEqual([expect.any(String), ...newest().slice(0, 25)]);
      }),
    120_000,
  );
});
