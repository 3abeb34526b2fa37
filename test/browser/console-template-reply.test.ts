import type { Locator, Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  greetOnWhatsApp,
  inboxConversationOf,
  isFocused,
  minutesAgo,
  openInboxRow,
  signedInPage,
  useConsole,
} from './console-support.js';

/** Last wrote 25 hours ago; the console first reads her window as open (a read from before it closed). */
const OLGA = { from: '15550009401', name: 'Olga Closed' };
/** Last wrote 25 hours ago: only a template may go to him, from the start. */
const KIT = { from: '15550009402', name: 'Kit Template' };

/** Last wrote 25 hours ago, in Portuguese, from a Brazilian number. */
const PAULA = {
  from: '5511987650101',
  name: 'Paula Template',
  text: 'Olá, ainda não recebi a minha encomenda, podem verificar por favor?',
};
/** Last wrote 25 hours ago, in Spanish. */
const SOFIA = {
  from: '34612345601',
  name: 'Sofia Template',
  text: 'Hola, todavía no he recibido mi pedido, ¿pueden revisarlo por favor?',
};

const TYPED = 'Your refund of 42.00 went out this morning: 3 to 5 business days.';

/** Whether the element is the one focused. */
const hasFocus = (locator: Locator) => locator.evaluate(isFocused);

/**
 * A reply that only a template may carry now (WhatsApp's 24-hour window closed) keeps what the agent
 * typed, in view and editable, whether the window closed before the send (refused `422`) or was closed
 * already; the focus goes where the agent can go on, never to the page.
 */
describe('the console: a reply where only a template may go', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    await greetOnWhatsApp(
      runtime,
      'template-reply',
      [OLGA, KIT, PAULA, SOFIA].map((p) => ({ ...p, at: minutesAgo(25 * 60) })),
    );
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const composer = () => page.getByRole('form', { name: 'Reply or note' });
  const templateName = () =>
    composer()
      .getByRole('group', { name: /Template/ })
      .getByLabel('Template name');
  const keptReply = () => composer().getByRole('textbox', { name: /^Reply/ });
  const templateLanguage = () =>
    composer()
      .getByRole('group', { name: /Template/ })
      .getByLabel('Language');

  it.each([
    [PAULA.name, 'pt_BR'],
    [SOFIA.name, 'es'],
    [KIT.name, 'en'],
  ])(
    "starts %s's template in the Meta language code nearest the conversation's language: %s",
    async (name, code) => {
      await openInboxRow(page, name);
      await templateName().waitFor({ timeout: 30_000 });
      await expect.poll(() => templateLanguage().inputValue(), { timeout: 10_000 }).toBe(code);
    },
    90_000,
  );

  /** Sends the template `order_update` as the form stands, and waits for its line in the timeline. */
  const sendTemplate = async (language: string) => {
    await templateName().fill('order_update');
    await composer().getByRole('button', { name: 'Send template' }).click();
    await page
      .getByRole('log', { name: 'Messages' })
      .getByText(`Template order_update (${language})`)
      .waitFor({ timeout: 30_000 });
  };

  it('sends the template in the language it started with, or in the one the agent chose instead', async () => {
    await openInboxRow(page, PAULA.name);
    await sendTemplate('pt_BR');
    await openInboxRow(page, SOFIA.name);
    await templateName().waitFor({ timeout: 30_000 });
    await templateLanguage().fill('es_MX');
    await sendTemplate('es_MX');
    expect(await templateLanguage().inputValue()).toBe('es_MX');
  }, 90_000);

  it('keeps the typed reply in view after the window-closed refusal and after the template goes, the focus on the template', async () => {
    const { customerId } = await inboxConversationOf(runtime, OLGA.name);
    let sent = false;
    const stale = async (route: Route) => {
      if (sent || !route.request().url().includes(`/customers/${customerId}/channels`))
        return route.continue();
      await route.fulfill({ json: [{ channel: 'whatsapp', available: true }] });
    };
    await page.route('**/channels?*', stale);
    await openInboxRow(page, OLGA.name);
    await page
      .locator('[data-channel-reason="whatsapp"]', { hasText: '(open)' })
      .waitFor({ timeout: 30_000 });
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill(TYPED);
    sent = true;
    await reply.press('Control+Enter');
    await composer()
      .getByRole('alert')
      .getByText('the WhatsApp 24-hour window has closed')
      .waitFor({ timeout: 30_000 });
    await templateName().waitFor({ timeout: 30_000 });
    await expect.poll(() => hasFocus(templateName()), { timeout: 10_000 }).toBe(true);
    expect(await keptReply().inputValue()).toBe(TYPED);
    await page.unroute('**/channels?*', stale);

    await templateName().fill('refund_update');
    await composer().getByRole('button', { name: 'Send template' }).click();
    await page
      .getByRole('log', { name: 'Messages' })
      .getByText(/Template refund_update/)
      .waitFor({ timeout: 30_000 });
    expect(await keptReply().inputValue()).toBe(TYPED);
    await keptReply().fill(`${TYPED} Thanks!`);
    await openInboxRow(page, KIT.name);
    await openInboxRow(page, OLGA.name);
    expect(await keptReply().inputValue()).toBe(`${TYPED} Thanks!`);
  }, 90_000);

  it('takes r and n at once where only a template may go: r to the template, n to the note, never to the page', async () => {
    await openInboxRow(page, KIT.name);
    await templateName().waitFor({ timeout: 30_000 });
    const heading = page.locator('#conversation-title');
    await heading.focus();
    await page.keyboard.press('r');
    await expect.poll(() => hasFocus(templateName()), { timeout: 10_000 }).toBe(true);
    await heading.focus();
    await page.keyboard.press('n');
    const note = composer().getByLabel('Note (only agents see it)');
    await expect.poll(() => hasFocus(note), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await expect.poll(() => hasFocus(templateName()), { timeout: 10_000 }).toBe(true);
  }, 90_000);

  it('leaves the focus where the agent went to type while the template was on its way: no keystroke goes elsewhere', async () => {
    await openInboxRow(page, KIT.name);
    await templateName().waitFor({ timeout: 30_000 });
    let release = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = async (route: Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      await answered;
      await route.fulfill({ response });
    };
    await page.route('**/replies', slow);
    await templateName().fill('refund_update');
    await composer().getByRole('button', { name: 'Send template' }).click();
    await composer().getByRole('button', { name: 'Sending…' }).waitFor({ timeout: 10_000 });
    await keptReply().click();
    await page.keyboard.type('On its way');
    release();
    await composer().getByRole('status').getByText('Reply sent').waitFor({ timeout: 30_000 });
    await page.keyboard.type(', thanks');
    expect(await keptReply().inputValue()).toBe('On its way, thanks');
    expect(await hasFocus(keptReply())).toBe(true);
    await page.unroute('**/replies', slow);
  }, 90_000);
});
