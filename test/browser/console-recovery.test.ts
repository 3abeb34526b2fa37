import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import {
  ANA,
  answerConfirm,
  asAna,
  openInboxRow,
  postMeta,
  seedTimeline,
  signedInPage,
  signIn,
  useConsole,
} from './console-support.js';

/** Long messages, which wrap onto more lines as the window narrows. */
const WREN = { from: '15550008001', name: 'Wren Wrap' };
const FAY = { from: '15550008002', name: 'Fay Focus' };
/** Her only conversation is resolved. */
const SOL = { from: '15550008003', name: 'Sol Solved' };
/** More timeline items than one erase call deletes (1,000). */
const EVE = { from: '15550008004', name: 'Eve Erase' };
const DAN = { from: '15550008005', name: 'Dan Draft' };
/** Ike is merged into Uma, then unmerged while Uma's conversation is open. */
const UMA = { from: '15550008006', name: 'Uma Kept' };
const IKE = { from: '15550008007', name: 'Ike Moved' };

const LONG_TEXT =
  'This message is long enough to wrap onto several lines once the window is narrower. '.repeat(5);

interface Row {
  id: string;
  customerId: string;
  customer?: { name?: string };
}

/** Reads, as source text (the tests are compiled without the DOM's types), how many timeline rows overlap the one above. */
const OVERLAPPING = `(() => {
  const rows = [...document.querySelectorAll('section.timeline [data-row]')]
    .map((r) => r.getBoundingClientRect()).sort((a, b) => a.top - b.top);
  let n = 0;
  for (let i = 1; i < rows.length; i++) if (rows[i - 1].bottom - rows[i].top > 1) n++;
  return n;
})()`;

/** The focused element: its tag, id and accessible text, and whether it is on screen. */
const FOCUSED = `(() => {
  const a = document.activeElement;
  const r = a.getBoundingClientRect();
  return { tag: a.tagName, id: a.id, conversation: a.dataset.conversation ?? '', label: a.getAttribute('aria-label') ?? '',
    text: (a.textContent ?? '').trim().slice(0, 40), visible: r.width > 0 && r.height > 0 };
})()`;

/**
 * What the console keeps right when the page, the customer or the API moves under it: rows re-measured
 * on a resize, focus at phone width, a customer with no open conversation, a resumable erasure, a
 * redirected draft, an unmerge seen live.
 */
describe('the console: resize, focus, search, erase, drafts, unmerge', () => {
  const { runtime, browser } = useConsole({
    // A message a second after a resolve starts a new conversation (the draft test).
    env: { REOPEN_WINDOW_HOURS: '0.0002' },
  });
  let page: Page;

  beforeAll(async () => {
    for (const [i, p] of [WREN, FAY, SOL, EVE, DAN, UMA, IKE].entries()) {
      const at = (k: number) => new Date(Date.now() - (20 - i) * 60_000 + k * 1_000).toISOString();
      const texts =
        p === WREN ? [1, 2, 3, 4, 5, 6].map((k) => `${k}. ${LONG_TEXT}`) : [`Hello from ${p.name}`];
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({
          ...p,
          messages: texts.map((text, k) => ({ id: `wamid.recovery.${i}.${k}`, at: at(k), text })),
        }),
      );
    }
    await runtime.idle();
    const sol = await customerOf(SOL.name);
    await fetch(`${runtime.url}/api/conversations/${sol.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    await seedTimeline(runtime, (await customerOf(EVE.name)).customerId, 1_100);
    await runtime.idle();
    page = await signedInPage(browser, runtime);
  }, 240_000);

  async function customerOf(name: string, status = 'open'): Promise<Row> {
    const rows = await asAna<{ items: Row[] }>(runtime, `/api/conversations?status=${status}`);
    const row = rows.items.find((r) => r.customer?.name === name);
    if (!row) {
      if (status === 'open') return customerOf(name, 'resolved');
      throw new Error(`no conversation of ${name}`);
    }
    return row;
  }
  const asAdmin = (method: string, path: string, body?: unknown) =>
    fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const inbox = (p: Page = page) => p.getByRole('navigation', { name: 'Inbox' });
  const composer = () => page.getByRole('form', { name: 'Reply or note' });
  const openRow = (name: string) => openInboxRow(page, name);

  it('re-measures the timeline rows when the window narrows, so none overlaps another', async () => {
    await openRow(WREN.name);
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText(/^6\. This message/).waitFor({ timeout: 30_000 });
    expect(await page.evaluate<number>(OVERLAPPING)).toBe(0);
    await page.setViewportSize({ width: 900, height: 800 });
    await expect.poll(() => page.evaluate<number>(OVERLAPPING), { timeout: 30_000 }).toBe(0);
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(() => page.evaluate<number>(OVERLAPPING), { timeout: 30_000 }).toBe(0);
  }, 60_000);

  it('at 390 px keeps keyboard focus on the opened pane, the row it came from, the composer and the panel', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 } });
    try {
      await signIn(phone, runtime);
      const fay = await customerOf(FAY.name);
      const focused = () =>
        phone.evaluate<{ tag: string; id: string; conversation: string; visible: boolean }>(FOCUSED);
      await inbox(phone)
        .getByRole('button', { name: new RegExp(FAY.name) })
        .focus();
      await phone.keyboard.press('Enter');
      await phone.getByRole('heading', { name: FAY.name }).waitFor();
      await expect
        .poll(focused, { timeout: 30_000 })
        .toMatchObject({ id: 'conversation-title', visible: true });

      const reply = phone.getByRole('form', { name: 'Reply or note' }).getByLabel('Reply', { exact: true });
      await reply.fill('Sent from a phone');
      await phone.getByRole('form', { name: 'Reply or note' }).getByRole('button', { name: 'Send' }).focus();
      await phone.keyboard.press('Enter');
      await expect.poll(() => reply.inputValue(), { timeout: 30_000 }).toBe('');
      await expect.poll(focused, { timeout: 30_000 }).toMatchObject({ tag: 'TEXTAREA', visible: true });

      await phone.getByRole('button', { name: 'Customer' }).focus();
      await phone.keyboard.press('Enter');
      await expect.poll(focused, { timeout: 30_000 }).toMatchObject({ id: 'customer-title', visible: true });
      await phone.keyboard.press('Escape');
      await expect
        .poll(() => phone.locator('aside#customer-panel.shown').count(), { timeout: 30_000 })
        .toBe(0);
      await expect.poll(focused, { timeout: 30_000 }).toMatchObject({ tag: 'BUTTON', visible: true });
      expect(await phone.evaluate<string>('document.activeElement.textContent')).toBe('Customer');

      await phone.getByRole('button', { name: 'Back to inbox' }).focus();
      await phone.keyboard.press('Enter');
      await expect.poll(focused, { timeout: 30_000 }).toMatchObject({ conversation: fay.id, visible: true });
    } finally {
      await phone.close();
    }
  }, 90_000);

  it('opens a customer found with no open conversation: their timeline and resolved conversation, and reopens it', async () => {
    await page.getByLabel('Find a customer').fill(SOL.name);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    const found = page.getByRole('list', { name: 'Customers found' }).getByRole('listitem');
    await found.first().waitFor();
    await found.first().getByRole('button', { name: 'View customer' }).click();
    await page.getByRole('heading', { name: SOL.name }).waitFor({ timeout: 30_000 });
    const head = page.locator('.conversation-head');
    await head
      .locator('.meta')
      .getByText(/^Resolved/)
      .waitFor();
    await page.getByRole('log', { name: 'Messages' }).getByText(`Hello from ${SOL.name}`).waitFor();
    const sol = await customerOf(SOL.name, 'resolved');
    await page
      .locator('aside.customer')
      .getByTitle(new RegExp(sol.id))
      .getByText('Resolved', { exact: true })
      .waitFor();
    await head.getByRole('button', { name: 'Reopen' }).click();
    await head.locator('.meta').getByText(/^Open/).waitFor({ timeout: 30_000 });
  }, 60_000);

  it('erases a heavy customer call after call, says where a failure stopped it, carries on when asked, and only then says erased', async () => {
    await openRow(EVE.name);
    const eve = await customerOf(EVE.name);
    const calls: number[] = [];
    let failNext = false;
    await page.route(`**/api/customers/${eve.customerId}`, async (route: Route) => {
      if (route.request().method() !== 'DELETE') return route.continue();
      if (failNext) {
        failNext = false;
        calls.push(0);
        return route.abort('failed');
      }
      // An erase call of 1,000 deletes takes seconds, more on a loaded machine.
      const answer = await route.fetch({ timeout: 180_000 });
      calls.push(answer.status());
      // The call after the first 202 fails, as a dropped connection would.
      if (answer.status() === 202 && calls.length === 1) failNext = true;
      return route.fulfill({ response: answer });
    });
    const panel = page.locator('aside.customer');
    await panel.getByRole('button', { name: 'Erase customer' }).click();
    await answerConfirm(page, true);
    await panel
      .getByRole('alert')
      .getByText(/The erasure stopped/)
      .waitFor({ timeout: 180_000 });
    expect(calls).toEqual([202, 0]);
    expect(await panel.getByText(/^Erased/).count()).toBe(0);
    expect((await asAdmin('GET', `/api/customers/${eve.customerId}`)).status).toBe(410);
    await panel.getByRole('button', { name: 'Erase customer' }).click();
    await answerConfirm(page, true);
    await panel
      .getByRole('status')
      .getByText(/^Erased/)
      .waitFor({ timeout: 180_000 });
    expect(calls.at(-1)).toBe(200);
    await page.unroute(`**/api/customers/${eve.customerId}`);
  }, 420_000);

  it("moves a draft written for the customer's newer conversation to it, and leaves none on the old one", async () => {
    await openRow(DAN.name);
    const old = await customerOf(DAN.name);
    const head = page.locator('.conversation-head');
    await head.getByRole('button', { name: 'Resolve' }).click();
    await head
      .locator('.meta')
      .getByText(/^Resolved/)
      .waitFor({ timeout: 30_000 });
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        ...DAN,
        messages: [
          { id: 'wamid.recovery.dan.new', at: new Date(Date.now() + 5_000).toISOString(), text: 'New one' },
        ],
      }),
    );
    const note = page.getByRole('status').filter({ hasText: 'This customer has a newer open conversation' });
    await note.waitFor({ timeout: 30_000 });
    const newer = await customerOf(DAN.name);
    expect(newer.id).not.toBe(old.id);
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Draft for the new one');
    const draftOf = (id: string) =>
      page.evaluate<string | null>(`sessionStorage.getItem('threadline.draft.${id}')`);
    expect(await draftOf(old.id)).toBeNull();
    expect(await draftOf(newer.id)).toContain('Draft for the new one');
    await note.getByRole('button', { name: 'Open the current conversation' }).click();
    await head.locator('.meta').getByText(/^Open/).waitFor({ timeout: 30_000 });
    expect(await reply.inputValue()).toBe('Draft for the new one');
    await reply.press('Control+Enter');
    await expect.poll(() => reply.inputValue(), { timeout: 30_000 }).toBe('');
    // Back from the newer conversation's address to the old one's (under load, not before it is there).
    await page.waitForURL((url) => url.hash === `#/conversations/${newer.id}`, { timeout: 30_000 });
    await page.goBack();
    await page.waitForURL((url) => url.hash === `#/conversations/${old.id}`, { timeout: 30_000 });
    // The old one, not the newer one whose profile read may answer in that moment (console-deep-link).
    await head
      .locator('.meta')
      .getByText(/^Resolved/)
      .waitFor({ timeout: 30_000 });
    expect(await reply.inputValue()).toBe('');
    expect(await draftOf(old.id)).toBeNull();
  }, 90_000);

  it('drops the items an unmerge moved back to the other customer, live', async () => {
    const uma = await customerOf(UMA.name);
    const ike = await customerOf(IKE.name);
    expect(
      (await asAdmin('POST', `/api/customers/${uma.customerId}/merge`, { customerId: ike.customerId }))
        .status,
    ).toBe(200);
    await runtime.idle();
    // The conversation the merge joined into Uma's leaves the inbox with its live update (it can lag a
    // busy machine): one row of hers then.
    const rows = inbox().getByRole('button', { name: new RegExp(UMA.name) });
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    await openRow(UMA.name);
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText(`Hello from ${IKE.name}`).waitFor({ timeout: 30_000 });
    const unmerged = await asAdmin('POST', `/api/customers/${uma.customerId}/unmerge`, {
      customerId: ike.customerId,
    });
    expect(unmerged.status).toBe(200);
    await expect.poll(() => log.getByText(`Hello from ${IKE.name}`).count(), { timeout: 30_000 }).toBe(0);
    await log.getByText(`Hello from ${UMA.name}`).waitFor();
  }, 90_000);
});
