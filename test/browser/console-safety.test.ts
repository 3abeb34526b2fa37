import { readFile } from 'node:fs/promises';
import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import {
  ANA,
  answerConfirm,
  asAna,
  greetOnWhatsApp,
  inboxConversationOf,
  minutesAgo,
  openInboxRow,
  postMeta,
  signedInPage,
  useConsole,
} from './console-support.js';

const TOM = { from: '15550007001', name: 'Tom Safety' };
const LENA = { from: '15550007002', name: 'Lena Safety' };
/** Merged into Tom by an admin while an agent has her conversation open. */
const MAYA = { from: '15550007004', name: 'Maya Merged' };
/** Last wrote 25 hours ago: WhatsApp's window is closed. */
const OLGA = { from: '15550007003', name: 'Olga Late' };
/** Her replies' answers are lost on the way back (the API took them). */
const PIA = { from: '15550007005', name: 'Pia Retry' };

/**
 * What an agent writes goes where they meant it to: a note stays a note, a double Ctrl+Enter stores
 * one, a failed `e` says so, and a reply the channel's rules refuse says why in plain words.
 */
describe('the console: notes, keys and refusals', () => {
  const { runtime, browser } = useConsole({
    // A message a second after a resolve starts a new conversation (the last test).
    // Every export is written aside (the export test below).
    env: {
      REOPEN_WINDOW_HOURS: '0.0002',
      EXPORT_INLINE_BYTES: '100',
    },
  });
  let page: Page;

  beforeAll(async () => {
    const customers = [TOM, LENA, OLGA, MAYA, PIA].map((p, i) => ({
      ...p,
      at: minutesAgo(p === OLGA ? 25 * 60 : 10 - i),
    }));
    await greetOnWhatsApp(runtime, 'safety', customers);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const inbox = () => page.getByRole('navigation', { name: 'Inbox' });
  const composer = () => page.getByRole('form', { name: 'Reply or note' });
  const openRow = (name: string) => openInboxRow(page, name);
  const customerOf = (name: string) => inboxConversationOf(runtime, name);
  const timelineTexts = async (customerId: string) =>
    (
      await asAna<{ items: Array<{ type: string; text?: string }> }>(
        runtime,
        `/api/customers/${customerId}/timeline?limit=200`,
      )
    ).items;

  it('brings a half-written note back as a note after another conversation, and Ctrl+Enter stores it as one', async () => {
    await openRow(TOM.name);
    await composer().getByRole('button', { name: 'Note', exact: true }).click();
    const text = 'INTERNAL: do not refund';
    await composer().getByLabel('Note (only agents see it)').fill(text);
    await openRow(LENA.name);
    expect(await composer().getByLabel('Reply', { exact: true }).inputValue()).toBe('');
    await openRow(TOM.name);
    const note = composer().getByLabel('Note (only agents see it)');
    expect(await note.inputValue()).toBe(text);
    expect(
      await composer().getByRole('button', { name: 'Note', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');
    await note.press('Control+Enter');
    await expect.poll(() => note.inputValue(), { timeout: 30_000 }).toBe('');
    const { customerId } = await customerOf(TOM.name);
    const items = (await timelineTexts(customerId)).filter((i) => i.text === text);
    expect(items.map((i) => i.type)).toEqual(['note']);
    const outbox = await asAna<{ items: Array<{ message: { text?: string } }> }>(runtime, '/api/outbox');
    expect(outbox.items.filter((o) => o.message.text === text)).toEqual([]);
  }, 90_000);

  it('stores one note for Ctrl+Enter pressed twice while the first is on its way', async () => {
    await openRow(LENA.name);
    await composer().getByRole('button', { name: 'Note', exact: true }).click();
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let posts = 0;
    const hold = async (route: Route) => {
      posts += 1;
      await held;
      await route.continue();
    };
    await page.route('**/notes', hold);
    const text = 'Checked the order, all fine';
    const note = composer().getByLabel('Note (only agents see it)');
    await note.fill(text);
    await note.press('Control+Enter');
    await expect.poll(() => posts, { timeout: 30_000 }).toBe(1);
    await note.press('Control+Enter');
    release();
    await expect.poll(() => note.inputValue(), { timeout: 30_000 }).toBe('');
    await page.unroute('**/notes', hold);
    const { customerId } = await customerOf(LENA.name);
    expect((await timelineTexts(customerId)).filter((i) => i.text === text)).toHaveLength(1);
    expect(posts).toBe(1);
  }, 90_000);

  it('says so when `e` cannot resolve, as the Resolve button does', async () => {
    await openRow(LENA.name);
    const fail = (route: Route) => route.abort('internetdisconnected');
    await page.route('**/resolve', fail);
    await page.getByRole('heading', { name: LENA.name }).click();
    await page.keyboard.press('e');
    await answerConfirm(page, true);
    const alert = page.locator('.conversation-head').getByRole('alert');
    await alert.getByText('Threadline could not be reached').waitFor({ timeout: 30_000 });
    await page.unroute('**/resolve', fail);
    await page.getByRole('heading', { name: LENA.name }).click();
    await page.keyboard.press('e');
    await answerConfirm(page, true);
    await page
      .locator('.conversation-head .meta')
      .getByText(/^Resolved/)
      .waitFor({ timeout: 30_000 });
    expect(await alert.count()).toBe(0);
  }, 90_000);

  it('on a reply refused because the WhatsApp window closed, says so plainly and shows the template form', async () => {
    // The channels were read while the window was still open; it closed before the agent sent. Every read
    // of Olga's channels before the send answers "open" (the profile may be read more than once while the
    // conversation opens); another customer's reads (a late event of the test before) go through.
    const { customerId: olga } = await customerOf(OLGA.name);
    let sent = false;
    const stale = async (route: Route) => {
      if (sent || !route.request().url().includes(`/customers/${olga}/channels`)) return route.continue();
      await route.fulfill({ json: [{ channel: 'whatsapp', available: true }] });
    };
    await page.route('**/channels?*', stale);
    await openRow(OLGA.name);
    await page
      .locator('[data-channel-reason="whatsapp"]', { hasText: '(open)' })
      .waitFor({ timeout: 30_000 });
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Your parcel left today');
    sent = true;
    await reply.press('Control+Enter');
    const alert = composer().getByRole('alert');
    await alert.getByText('the WhatsApp 24-hour window has closed').waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).not.toContain('"template"');
    await composer()
      .getByRole('group', { name: /Template/ })
      .waitFor({ timeout: 30_000 });
    await page.unroute('**/channels?*', stale);
  }, 90_000);

  it('snoozes from the header, lists the conversation under Snoozed with its end, and wakes it', async () => {
    await openRow(TOM.name);
    const head = page.locator('.conversation-head');
    await head.getByText('Snooze', { exact: true }).click();
    await head.getByRole('list', { name: 'Snooze for' }).getByRole('button', { name: '4 hours' }).click();
    await head
      .locator('.meta')
      .getByText(/^Snoozed until /)
      .waitFor({ timeout: 30_000 });
    // The timeline says until when and by whom (it read the bare "snoozed").
    await page
      .getByRole('log', { name: 'Messages' })
      .getByText(new RegExp(`Snoozed until .+ by ${ANA.id}$`))
      .waitFor({ timeout: 30_000 });
    const open = await asAna<{ items: Array<{ customer?: { name?: string } }> }>(
      runtime,
      '/api/conversations',
    );
    expect(open.items.some((r) => r.customer?.name === TOM.name)).toBe(false);

    await page.getByRole('form', { name: 'Inbox filters' }).getByLabel('Status').selectOption('snoozed');
    const row = inbox().getByRole('button', { name: new RegExp(TOM.name) });
    await row.getByText(/snoozed until /).waitFor({ timeout: 30_000 });
    await head.getByRole('button', { name: 'Wake' }).click();
    await head
      .locator('.meta')
      .getByText(/^Open · /)
      .waitFor({ timeout: 30_000 });
    await inbox()
      .getByText('No conversations match these filters.', { exact: false })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('form', { name: 'Inbox filters' }).getByLabel('Status').selectOption('open');
    await inbox()
      .getByRole('button', { name: new RegExp(TOM.name) })
      .waitFor({ timeout: 30_000 });
  }, 90_000);

  it('reads a network failure on send plainly, not as "Failed to fetch"', async () => {
    await openRow(TOM.name);
    await composer().getByRole('button', { name: 'Reply', exact: true }).click();
    const fail = (route: Route) => route.abort('internetdisconnected');
    await page.route('**/replies', fail);
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Back in a moment');
    await composer().getByRole('button', { name: 'Send' }).click();
    const alert = composer().getByRole('alert');
    // It may have gone (an answer lost is the same failure): not "Not sent", and safe to send again.
    await alert
      .getByText(
        'Threadline could not be reached, so it may or may not have gone. Send it again as it is: it goes only once.',
      )
      .waitFor({ timeout: 30_000 });
    expect(await reply.inputValue()).toBe('Back in a moment');
    await page.unroute('**/replies', fail);
  }, 90_000);

  it("sends what is written on a resolved conversation to the customer's newer open one, and says so", async () => {
    await openRow(TOM.name);
    const head = page.locator('.conversation-head');
    await head.getByRole('button', { name: 'Resolve' }).click();
    await head
      .locator('.meta')
      .getByText(/^Resolved/)
      .waitFor({ timeout: 30_000 });
    const resolvedAt = Date.now();
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        ...TOM,
        messages: [
          { id: 'wamid.safety.new', at: new Date(resolvedAt + 5_000).toISOString(), text: 'A new question' },
        ],
      }),
    );
    const note = page.getByRole('status').filter({ hasText: 'This customer has a newer open conversation' });
    await note.waitFor({ timeout: 30_000 });
    expect(await head.locator('.meta').textContent()).toMatch(/^Resolved/);
    await composer().getByRole('button', { name: 'Reply', exact: true }).click();
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Answer to the new question');
    await reply.press('Control+Enter');
    await expect.poll(() => reply.inputValue(), { timeout: 30_000 }).toBe('');
    const newer = await customerOf(TOM.name);
    const items = await asAna<{ items: Array<{ text?: string; conversationId?: string }> }>(
      runtime,
      `/api/customers/${newer.customerId}/timeline?limit=200`,
    );
    expect(
      items.items.filter((i) => i.text === 'Answer to the new question').map((i) => i.conversationId),
    ).toEqual([newer.id]);
    await note.getByRole('button', { name: 'Open the current conversation' }).click();
    await head
      .locator('.meta')
      .getByText(/^Open · assigned to ana/)
      .waitFor({ timeout: 30_000 });
    expect(await note.count()).toBe(0);
  }, 90_000);

  it("keeps another agent's tags saved while this one edits, and shows them live until typing starts", async () => {
    await openRow(OLGA.name);
    const { customerId } = await customerOf(OLGA.name);
    const field = page.getByRole('complementary', { name: 'Customer' }).getByLabel('Tags');
    const put = async (tags: string[]) => {
      const res = await fetch(`${runtime.url}/api/customers/${customerId}/tags`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tags }),
      });
      expect(res.status).toBe(200);
    };
    await put(['late']);
    await expect.poll(() => field.inputValue(), { timeout: 30_000 }).toBe('late');
    await field.fill('late, vip');
    // Another agent, meanwhile, with the whole list as their console had it.
    await put(['late', 'refund']);
    await runtime.idle();
    expect(await field.inputValue()).toBe('late, vip');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await expect
      .poll(() => field.inputValue(), { timeout: 30_000 })
      .toMatch(/^(?=.*late)(?=.*refund)(?=.*vip)/);
    const profile = await asAna<{ tags: string[] }>(runtime, `/api/customers/${customerId}`);
    expect([...profile.tags].sort()).toEqual(['late', 'refund', 'vip']);
  }, 90_000);

  it('follows a customer merged into another to the one that remains', async () => {
    await openRow(MAYA.name);
    const maya = await customerOf(MAYA.name);
    const tom = await customerOf(TOM.name);
    const res = await fetch(`${runtime.url}/api/customers/${tom.customerId}/merge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: maya.customerId }),
    });
    expect(res.status).toBe(200);
    await page.getByRole('heading', { name: TOM.name }).waitFor({ timeout: 30_000 });
    await page.getByRole('log', { name: 'Messages' }).getByText(`Hello from ${MAYA.name}`).waitFor();
  }, 90_000);

  it('downloads an export written aside (202 and its URL) as the export itself, not the answer that points at it', async () => {
    await openRow(PIA.name);
    const { customerId } = await customerOf(PIA.name);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByRole('button', { name: 'Export (JSON)' }).click(),
    ]);
    const file = await download.path();
    const data = JSON.parse(await readFile(file, 'utf8')) as {
      status?: string;
      customers?: Array<{ id?: string }>;
      timeline?: Array<{ text?: string }>;
    };
    expect(data.status).toBeUndefined();
    expect(data.customers?.map((c) => c.id)).toContain(customerId);
    expect(data.timeline?.map((i) => i.text)).toContain(`Hello from ${PIA.name}`);
  }, 90_000);

  it('sends a reply whose answer was lost once, says so when the timeline has it, and a new text as a new reply', async () => {
    await openRow(PIA.name);
    const reply = composer().getByLabel('Reply', { exact: true });
    // The API takes the reply, and its answer never reaches the tab (a dropped connection).
    let lose = true;
    await page.route('**/replies', async (route) => {
      if (!lose) return route.continue();
      lose = false;
      await route.fetch();
      await route.abort('failed');
    });
    const sent = async () =>
      (await asAna<{ items: Array<{ message: { text?: string } }> }>(runtime, '/api/outbox')).items
        .map((o) => o.message.text)
        .filter((t) => t?.startsWith('Your parcel'));
    await reply.fill('Your parcel left today.');
    await reply.press('Control+Enter');
    // The timeline gets the reply its key made: it went, and it leaves the box (no Send makes a second).
    await composer().getByText('Your reply was sent after all').waitFor({ timeout: 30_000 });
    expect(await reply.inputValue()).toBe('');
    await runtime.idle();
    expect(await sent()).toEqual(['Your parcel left today.']);
    // Lost again, then a new text: another reply, with a key of its own (not refused as reused).
    lose = true;
    await reply.fill('Your parcel left today by DHL.');
    await reply.press('Control+Enter');
    await expect.poll(() => reply.inputValue(), { timeout: 30_000 }).toBe('');
    await reply.fill('Your parcel left today by DHL, tracking 123.');
    await reply.press('Control+Enter');
    await expect.poll(() => reply.inputValue(), { timeout: 30_000 }).toBe('');
    await runtime.idle();
    expect(await sent()).toEqual([
      'Your parcel left today.',
      'Your parcel left today by DHL.',
      'Your parcel left today by DHL, tracking 123.',
    ]);
    await page.unroute('**/replies');
  }, 90_000);
});
