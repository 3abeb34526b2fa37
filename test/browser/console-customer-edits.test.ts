import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import {
  answerConfirm,
  asAna,
  inboxConversationOf,
  openInboxRow,
  postMeta,
  signedInPage,
  useConsole,
} from './console-support.js';

const MAYA = { from: '15550008001', name: 'Maya Merge' };
const TOM = { from: '15550008002', name: 'Tom Twin' };

interface Profile {
  id: string;
  name?: string;
  mergedInto?: string;
}

/**
 * What is changed about a customer from the customer panel: a merge names the other customer and asks
 * first (before, it merged at once whatever id was pasted); any agent can give the customer a name
 * (before, the console could not: an SMS customer stayed "+12025550100"), a refusal said in words.
 */
describe('the customer panel asks before it changes a customer', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
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
    page = await signedInPage(browser, runtime);
  }, 120_000);

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

  it('renames the customer from the panel, and says in words why a rename was refused', async () => {
    const maya = await inboxConversationOf(runtime, MAYA.name);
    await page.goto(`${runtime.url}/console#/conversations/${maya.id}`);
    const panel = page.locator('#customer-panel');
    await panel.getByText('Rename', { exact: true }).click({ timeout: 30_000 });
    const field = panel.getByLabel('The customer’s name');
    expect(await field.inputValue()).toBe(MAYA.name);
    await field.fill('   ');
    await panel.getByRole('button', { name: 'Save name' }).click();
    await panel.getByRole('alert').getByText('type a name').waitFor();

    // A customer whose erasure began meanwhile: the API answers 410, said as such.
    await page.route(`**/api/customers/${maya.customerId}`, (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({
            status: 410,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'gone', message: 'customer is gone' } }),
          })
        : route.fallback(),
    );
    await field.fill('Maya Okafor');
    await panel.getByRole('button', { name: 'Save name' }).click();
    await panel
      .getByRole('alert')
      .getByText('Not renamed: this customer was erased, or is being erased.')
      .waitFor();
    expect((await profile(maya.customerId)).name).toBe(MAYA.name);
    await page.unrouteAll();

    await panel.getByRole('button', { name: 'Save name' }).click();
    await expect
      .poll(async () => (await profile(maya.customerId)).name, { timeout: 30_000 })
      .toBe('Maya Okafor');
    await panel.locator('.customer-id strong').getByText('Maya Okafor').waitFor({ timeout: 30_000 });
    expect(await panel.getByRole('alert').count()).toBe(0);
  }, 120_000);
});
