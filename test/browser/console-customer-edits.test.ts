import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from '../support/browser.js';
import { whatsappText } from '../support/webhooks.js';
import {
  answerConfirm,
  asAna,
  closeConsole,
  inboxConversationOf,
  openInboxRow,
  postMeta,
  signedInPage,
  startConsoleRuntime,
} from './console-support.js';

const MAYA = { from: '15550008001', name: 'Maya Merge' };
const TOM = { from: '15550008002', name: 'Tom Twin' };

interface Profile {
  id: string;
  name?: string;
  mergedInto?: string;
}

/**
 * What an admin changes about a customer from the customer panel: a merge names the other customer
 * and asks first (before, it merged at once whatever id was pasted).
 */
describe('the customer panel asks before it changes a customer', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    runtime = await startConsoleRuntime();
    for (const [i, p] of [MAYA, TOM].entries())
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({
          from: p.from,
          name: p.name,
          messages: [{ id: `wamid.edits.${i}`, at: new Date().toISOString(), text: `Hello from ${p.name}` }],
        }),
      );
    await runtime.idle();
    browser = await launchBrowser();
    page = await signedInPage(browser, runtime);
  }, 120_000);

  afterAll(() => closeConsole(browser, runtime));

  const profile = (id: string) => asAna<Profile>(runtime, `/api/customers/${id}`);

  it('looks the other customer up, names them and asks before a merge; an unknown id says so', async () => {
    const maya = await inboxConversationOf(runtime, MAYA.name);
    const tom = await inboxConversationOf(runtime, TOM.name);
    await openInboxRow(page, MAYA.name);
    const panel = page.locator('#customer-panel');
    const field = panel.getByLabel(/Merge another customer in/);
    const merge = panel.getByRole('button', { name: 'Merge', exact: true });

    await field.fill('cu_nobody');
    await merge.click();
    await panel.getByRole('alert').getByText('No customer has the id cu_nobody').waitFor({ timeout: 30_000 });
    await field.fill(maya.customerId);
    await merge.click();
    await panel.getByRole('alert').getByText('this customer’s own id').waitFor();

    await field.fill(tom.customerId);
    await merge.click();
    const question = await answerConfirm(page, false);
    expect(question).toContain(`${TOM.name}\u2069 (${tom.customerId}) into`);
    expect(question).toContain('They wrote on WhatsApp and have an open conversation.');
    expect((await profile(tom.customerId)).mergedInto).toBeUndefined();

    await merge.click();
    await answerConfirm(page, true);
    await expect
      .poll(async () => (await profile(tom.customerId)).mergedInto, { timeout: 30_000 })
      .toBe(maya.customerId);
  }, 120_000);
});
