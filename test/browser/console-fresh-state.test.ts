import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANA, answerConfirm, asAna, greetOnWhatsApp, minutesAgo, useConsole } from './console-support.js';

/** Erased while her conversation is open in two tabs. */
const ERA = { from: '15550009001', name: 'Era Erased' };
/** Erased from a tab with no live socket, with a draft written to her. */
const ELI = { from: '15550009005', name: 'Eli Erased' };
/** Only a resolved conversation: found by search and reopened. */
const REO = { from: '15550009002', name: 'Reo Reopened' };
/** Resolved, but the tab remembers it open, and the first read of her profile fails. */
const STA = { from: '15550009003', name: 'Sta Stale' };
/** Resolved; reopened while a read of her profile from before is still on its way. */
const HEL = { from: '15550009004', name: 'Hel Held' };

interface Row {
  id: string;
  customerId: string;
  status: string;
  customer?: { name?: string };
}

/** A request held by the test: it answers it when it chooses. */
interface Held {
  route: Route;
}

/**
 * What the console shows follows the store at once, without waiting for the live socket: an erasure
 * clears the open conversation, a Reopen updates the search result and the customer panel, and the
 * profile's re-read corrects a stale status even when a read fails or an older answer comes late.
 * Most pages here have no live socket (a socket that answers nothing), so nothing live can help.
 */
describe('the console keeps what it shows fresh: erasure, reopen, the profile re-read', () => {
  const { runtime, browser } = useConsole();

  beforeAll(async () => {
    const customers = [ERA, REO, STA, HEL, ELI].map((p, i) => ({ ...p, at: minutesAgo(10 - i) }));
    await greetOnWhatsApp(runtime, 'fresh', customers);
    for (const p of [REO, STA, HEL]) {
      const row = await rowOf(p.name);
      await asAdmin('POST', `/api/conversations/${row.id}/resolve`);
    }
    await runtime.idle();
  }, 240_000);

  async function rowOf(name: string): Promise<Row> {
    for (const status of ['open', 'resolved']) {
      const rows = await asAna<{ items: Row[] }>(runtime, `/api/conversations?status=${status}`);
      const row = rows.items.find((r) => r.customer?.name === name);
      if (row) return row;
    }
    throw new Error(`no conversation of ${name}`);
  }
  const asAdmin = (method: string, path: string) =>
    fetch(`${runtime.url}${path}`, { method, headers: { authorization: `Bearer ${ANA.token}` } });

  /**
   * A signed-in page, opened on `conversationId` when given; `live: false` gives it a socket that
   * answers nothing, so what it shows comes from its own calls only. `before` runs on the page before
   * signing in (sessionStorage, routes).
   */
  async function openConsole(
    opts: { live?: boolean; conversationId?: string; before?: (page: Page) => Promise<void> } = {},
  ): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    if (opts.live === false) await page.routeWebSocket(/\/api\/live/, () => undefined);
    const hash = opts.conversationId ? `#/conversations/${opts.conversationId}` : '';
    await page.goto(`${runtime.url}/console${hash}`);
    await opts.before?.(page);
    await page.getByLabel('Agent token').fill(ANA.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
    return page;
  }

  /** Holds each read of the customer's profile (not its timeline or channels) for the test to answer. */
  async function holdProfileReads(page: Page, customerId: string): Promise<Held[]> {
    const held: Held[] = [];
    await page.route(`**/api/customers/${customerId}`, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      held.push({ route });
    });
    return held;
  }

  const meta = (page: Page) => page.locator('.conversation-head .meta');
  /** All the tab keeps in its storage, as text. */
  const stored = (page: Page) =>
    page.evaluate<string>('JSON.stringify([{ ...sessionStorage }, { ...localStorage }])');

  it('clears the open conversation of a customer once the erasure completes: from the answer, and live in another tab', async () => {
    const era = await rowOf(ERA.name);
    const watcher = await openConsole({ conversationId: era.id });
    const page = await openConsole({ live: false, conversationId: era.id });
    try {
      for (const p of [watcher, page])
        await p.getByRole('log', { name: 'Messages' }).getByText(`Hello from ${ERA.name}`).waitFor();
      const panel = page.locator('aside.customer');
      await panel.getByRole('button', { name: 'Erase customer' }).click();
      await answerConfirm(page, true);
      await panel
        .getByRole('status')
        .getByText(/^Erased/)
        .waitFor({ timeout: 60_000 });
      for (const p of [page, watcher]) {
        await p
          .locator('main.conversation')
          .getByText(/This customer was erased/)
          .waitFor({ timeout: 30_000 });
        expect(await p.getByText(`Hello from ${ERA.name}`).count()).toBe(0);
        expect(await p.getByRole('form', { name: 'Reply or note' }).count()).toBe(0);
        expect(await p.locator('aside.customer').getByText(ERA.from).count()).toBe(0);
        await expect.poll(() => stored(p), { timeout: 30_000 }).not.toContain(ERA.name);
      }
      await page.screenshot({ path: '/tmp/console-erased.png' });
    } finally {
      await watcher.close();
      await page.close();
    }
  }, 120_000);

  it('erased from a tab with no live socket: the inbox row, the tab storage and the actions go, and e says why', async () => {
    const eli = await rowOf(ELI.name);
    const page = await openConsole({ live: false, conversationId: eli.id });
    try {
      const row = page.getByRole('navigation', { name: 'Inbox' }).getByRole('button', { name: /Eli Erased/ });
      await row.waitFor({ timeout: 30_000 });
      await page.getByRole('log', { name: 'Messages' }).getByText(`Hello from ${ELI.name}`).waitFor();
      const reply = page.getByRole('form', { name: 'Reply or note' }).getByLabel('Reply', { exact: true });
      await reply.fill(`Dear ${ELI.name}, your number ${ELI.from} is noted`);
      await expect.poll(() => stored(page), { timeout: 30_000 }).toContain(ELI.from);
      expect(await stored(page)).toContain(ELI.name);
      const panel = page.locator('aside.customer');
      await panel.getByRole('button', { name: 'Erase customer' }).click();
      await answerConfirm(page, true);
      await panel
        .getByRole('status')
        .getByText(/^Erased/)
        .waitFor({ timeout: 60_000 });
      await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(0);
      const kept = await stored(page);
      expect(kept).not.toContain(ELI.name);
      expect(kept).not.toContain(ELI.from);
      const head = page.locator('.conversation-head');
      expect(await head.locator('.actions button').allTextContents()).toEqual(['Customer']);
      await head.getByRole('heading', { name: 'Erased customer' }).click();
      await page.keyboard.press('e');
      await head
        .getByRole('alert')
        .getByText(/customer was erased: there is nothing left to resolve/)
        .waitFor({ timeout: 30_000 });
      expect(await page.getByText(/410|Gone/).count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('after Reopen of a customer found by search, the result and the customer panel say open at once', async () => {
    const page = await openConsole({ live: false });
    try {
      await page.getByLabel('Find a customer').fill(REO.name);
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      const found = page.getByRole('list', { name: 'Customers found' }).getByRole('listitem');
      await found.getByText('no open conversation').waitFor();
      await found.getByRole('button', { name: 'View customer' }).click();
      const head = page.locator('.conversation-head');
      await meta(page)
        .getByText(/^Resolved/)
        .waitFor({ timeout: 30_000 });
      const reo = await rowOf(REO.name);
      const link = page.locator('aside.customer').getByTitle(new RegExp(reo.id));
      await link.getByText('Resolved', { exact: true }).waitFor();
      await head.getByRole('button', { name: 'Reopen' }).click();
      await meta(page).getByText(/^Open/).waitFor({ timeout: 30_000 });
      await link.getByText('Open', { exact: true }).waitFor({ timeout: 30_000 });
      await found.getByRole('button', { name: 'Open conversation' }).waitFor({ timeout: 30_000 });
      expect(await found.getByText('no open conversation').count()).toBe(0);
      await page.screenshot({ path: '/tmp/console-reopened.png' });
    } finally {
      await page.close();
    }
  }, 90_000);

  it('reads the profile again when the first read fails, so a status remembered stale is corrected', async () => {
    const sta = await rowOf(STA.name);
    expect(sta.status).toBe('resolved');
    let failed = 0;
    const page = await openConsole({
      live: false,
      conversationId: sta.id,
      before: async (p) => {
        // The tab remembers the conversation as it was when opened: open.
        await p.evaluate(
          `sessionStorage.setItem('threadline.conversations', ${JSON.stringify(JSON.stringify([{ ...sta, status: 'open' }]))})`,
        );
        await p.route(`**/api/customers/${sta.customerId}`, (route) => {
          if (route.request().method() !== 'GET' || failed) return route.continue();
          failed++;
          return route.abort('failed');
        });
      },
    });
    try {
      await meta(page).getByText(/^Open/).waitFor({ timeout: 30_000 });
      await meta(page)
        .getByText(/^Resolved/)
        .waitFor({ timeout: 30_000 });
      expect(failed).toBe(1);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('does not let a profile read from before a Reopen put the conversation back to resolved, and reads it again', async () => {
    const hel = await rowOf(HEL.name);
    let held: Held[] = [];
    const page = await openConsole({
      live: false,
      conversationId: hel.id,
      before: async (p) => {
        held = await holdProfileReads(p, hel.customerId);
      },
    });
    try {
      await meta(page)
        .getByText(/^Resolved/)
        .waitFor({ timeout: 30_000 });
      await expect.poll(() => held.length, { timeout: 30_000 }).toBe(1);
      // The first read's answer as the store had it then: no open conversation.
      const [first] = held as [Held];
      const stale = await first.route.fetch();
      await page.locator('.conversation-head').getByRole('button', { name: 'Reopen' }).click();
      await meta(page).getByText(/^Open/).waitFor({ timeout: 30_000 });
      // The Reopen moved the status: the view asks the profile again.
      await expect.poll(() => held.length, { timeout: 30_000 }).toBe(2);
      // Every status the header shows from now on.
      await page.evaluate(`(() => {
        const main = document.querySelector('main.conversation');
        window.shownStatuses = [];
        new MutationObserver(() => window.shownStatuses.push(main.querySelector('.meta')?.textContent ?? ''))
          .observe(main, { subtree: true, childList: true, characterData: true });
      })()`);
      const panel = page.locator('aside.customer');
      const finished = page.waitForEvent('requestfinished', (r) => r === first.route.request());
      await first.route.fulfill({ response: stale });
      await finished;
      // The panel shows once a profile is read: the old answer has been taken.
      await panel.getByLabel('Tags').waitFor({ timeout: 30_000 });
      const second = held[1] as Held;
      const fresh = await second.route.fetch();
      const body = (await fresh.json()) as { tags: string[]; openConversation: { id: string } | null };
      expect(body.openConversation?.id).toBe(hel.id);
      await second.route.fulfill({ response: fresh, json: { ...body, tags: ['fresh-read'] } });
      await expect.poll(() => panel.getByLabel('Tags').inputValue(), { timeout: 30_000 }).toBe('fresh-read');
      await meta(page).getByText(/^Open/).waitFor();
      await panel.getByTitle(new RegExp(hel.id)).getByText('Open', { exact: true }).waitFor();
      const shown = await page.evaluate<string[]>('window.shownStatuses');
      expect(shown.filter((text) => !text.startsWith('Open'))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);
});
