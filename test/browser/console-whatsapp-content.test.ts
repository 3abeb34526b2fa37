import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import { whatsappText } from '../support/webhooks.js';
import {
  asAna,
  greetOnWhatsApp,
  inboxConversationOf,
  minutesAgo,
  openInboxRow,
  postMeta,
  signedInPage,
  useConsole,
} from './console-support.js';

/** Last wrote 25 hours ago: only a template may go to her now. */
const TESS = { from: '15550008101', name: 'Tess Template' };
/** Forwards things to us. */
const FRED = { from: '15550008102', name: 'Fred Forward' };

/**
 * What a WhatsApp message holds beyond its text reaches the agent: a template with its parameters goes
 * out from the console and reads as what it is, and a forwarded message says so.
 */
describe('the console: WhatsApp templates and forwards', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'wa-content', [
      { ...TESS, at: minutesAgo(25 * 60) },
      { ...FRED, at: minutesAgo(5) },
    ]);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const composer = () => page.getByRole('form', { name: 'Reply or note' });
  const log = () => page.getByRole('log', { name: 'Messages' });

  it('sends a template with its body parameters, entered by keyboard, and shows what went out', async () => {
    await openInboxRow(page, TESS.name);
    const form = composer().getByRole('group', { name: /Template/ });
    await form.waitFor({ timeout: 30_000 });
    await form.getByLabel('Template name').fill('order_update');
    await form.getByLabel('Language').fill('en_US');
    // Each parameter by keyboard: the button adds a field and puts the focus in it.
    await form.getByRole('button', { name: 'Add a parameter' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('Bob');
    await form.getByRole('button', { name: 'Add a parameter' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('A-17');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await form.getByLabel('Parameter {{2}}', { exact: true }).inputValue()).toBe('A-17');
    expect(await form.getByLabel('Parameter {{1}}', { exact: true }).inputValue()).toBe('Bob');
    await composer().getByRole('button', { name: 'Send template' }).click();
    await log().getByText('Template order_update (en_US): Bob, A-17').waitFor({ timeout: 30_000 });
    const { customerId } = await inboxConversationOf(runtime, TESS.name);
    const { items } = await asAna<{ items: TimelineItem[] }>(
      runtime,
      `/api/customers/${customerId}/timeline`,
    );
    const sent = items.find((i) => i.direction === 'outbound');
    expect(sent?.data?.template).toEqual({
      name: 'order_update',
      language: 'en_US',
      parameters: ['Bob', 'A-17'],
    });
  }, 90_000);

  it('removes a parameter field, and sends a template with none', async () => {
    await openInboxRow(page, TESS.name);
    const form = composer().getByRole('group', { name: /Template/ });
    await form.getByLabel('Template name').fill('hello_again');
    await form.getByLabel('Language').fill('en_US');
    await form.getByRole('button', { name: 'Add a parameter' }).click();
    await form.getByLabel('Parameter {{1}}', { exact: true }).fill('dropped');
    await form.getByRole('button', { name: 'Remove parameter {{1}}' }).click();
    expect(await form.getByLabel('Parameter {{1}}', { exact: true }).count()).toBe(0);
    // The focus is not dropped on the page with the field: it goes to the add button.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Add a parameter');
    await composer().getByRole('button', { name: 'Send template' }).click();
    await log().getByText('Template hello_again (en_US)', { exact: true }).waitFor({ timeout: 30_000 });
  }, 90_000);

  it('shows a template reply stored before its line was kept by its template', async () => {
    const { customerId, id } = await inboxConversationOf(runtime, TESS.name);
    await writeTimelineItems(runtime, [
      {
        id: 'reply:rp_old_template',
        type: 'message',
        direction: 'outbound',
        channel: 'whatsapp',
        at: minutesAgo(60),
        customerId,
        conversationId: id,
        contentType: 'text',
        status: 'delivered',
        data: {
          author: { kind: 'agent', id: 'ana' },
          template: { name: 'old_notice', language: 'de', parameters: ['Tess'] },
        },
      },
    ]);
    await page.reload();
    await openInboxRow(page, TESS.name);
    await log().getByText('Template old_notice (de): Tess').waitFor({ timeout: 30_000 });
  }, 90_000);

  it('labels a forwarded message, and one forwarded many times', async () => {
    const at = new Date().toISOString();
    const payload = whatsappText({
      from: FRED.from,
      name: FRED.name,
      messages: [
        { id: 'wamid.fwd.1', at, text: 'Is this offer yours?', extra: { context: { forwarded: true } } },
        {
          id: 'wamid.fwd.2',
          at,
          text: 'Everyone is sharing this',
          extra: { context: { forwarded: true, frequently_forwarded: true } },
        },
      ],
    });
    await postMeta(runtime, '/webhooks/whatsapp', payload);
    await runtime.idle();
    await openInboxRow(page, FRED.name);
    const once = log().locator('article.message', { hasText: 'Is this offer yours?' });
    const many = log().locator('article.message', { hasText: 'Everyone is sharing this' });
    await once.getByText('Forwarded', { exact: true }).waitFor({ timeout: 30_000 });
    await many.getByText('Forwarded many times', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await once.getByText('Forwarded many times').count()).toBe(0);
    const plain = log().locator('article.message', { hasText: `Hello from ${FRED.name}` });
    expect(await plain.getByText(/Forwarded/).count()).toBe(0);
  }, 90_000);
});
