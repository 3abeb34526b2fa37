import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { useReceiver } from '../support/webhook-receiver.js';
import {
  ANA,
  DESKTOP,
  greetOnWhatsApp,
  inboxConversationOf,
  signedInPage,
  signIn,
  useConsole,
  ZOOMED,
} from './console-support.js';
import { openAdminView } from './webhooks-view-support.js';

const BOB = { id: 'bob', token: agentToken('bob-audit-token-12345') } as const;
/** Exports made: more than the view's page (50), so the unfiltered log takes More. */
const EXPORTS = 52;

const call = (runtime: LocalRuntime, token: string, method: string, path: string, body?: unknown) =>
  fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Opens the Audit view as an admin would, by keyboard. */
const openAudit = (page: Page) => openAdminView(page, 'Audit', 'Audit log');

/** The table's body rows, once the view has read. */
const rows = (page: Page) => page.getByRole('dialog').getByRole('table').locator('tbody tr');

/**
 * The admins' Audit view: the records of calls made (exports, a webhook's creation, an agent's refused
 * export), in words, newest first; More along the cursor; a filter by action and by agent; a customer
 * opened from a record; the focus back on Audit when it closes. Agents see no such button.
 */
describe('the console shows an admin the audit log', () => {
  // Before the console's: the receiver starts before the runtime that delivers to it and closes after.
  const receiver = useReceiver();
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });
  let customerId: string;
  let conversationId: string;

  beforeAll(async () => {
    // Each agent's first registration (what a first sign-in sends) is audited: the oldest records.
    for (const token of [ANA.token, BOB.token]) {
      expect((await call(runtime, token, 'PUT', '/api/agents/me', {})).status).toBe(200);
    }
    await greetOnWhatsApp(runtime, 'audit', [{ from: '15550001111', name: 'Maria Audit' }]);
    ({ id: conversationId, customerId } = await inboxConversationOf(runtime, 'Maria Audit'));
    for (let i = 0; i < EXPORTS; i++) {
      const res = await call(runtime, ANA.token, 'GET', `/api/customers/${customerId}/export`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const refused = await call(runtime, BOB.token, 'GET', `/api/customers/${customerId}/export`);
    expect(refused.status).toBe(403);
    const made = await call(runtime, ANA.token, 'POST', '/api/webhooks', {
      url: `${receiver.url}/crm`,
      events: ['message.received'],
    });
    expect(made.status).toBe(201);
  }, 180_000);

  it('shows an agent no Audit button', async () => {
    const bob = await browser.newPage({ viewport: DESKTOP });
    await signIn(bob, runtime, BOB.token);
    await bob.getByRole('combobox', { name: 'Your presence' }).waitFor({ timeout: 30_000 });
    expect(await bob.getByRole('button', { name: 'Audit', exact: true }).count()).toBe(0);
    await bob.close();
  }, 60_000);

  it('lists the records newest first in words, refusals marked, More to the end, and filters them', async () => {
    const page = await signedInPage(browser, runtime);
    const scripts: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
    await page.getByRole('button', { name: 'Audit', exact: true }).waitFor({ timeout: 30_000 });
    const before = scripts.length;
    const dialog = await openAudit(page);
    await rows(page).first().waitFor({ timeout: 30_000 });
    // The view's code came with the press, not with the console.
    expect(scripts.length).toBeGreaterThan(before);
    expect(await rows(page).count()).toBe(50);
    const newest = rows(page).first();
    expect(await newest.locator('td[data-label="Action"]').textContent()).toMatch(
      /^Created a webhook \(http:\/\/127\.0\.0\.1:\d+\)$/,
    );
    expect(await newest.locator('td[data-label="Who"]').textContent()).toBe('ana');
    expect(await newest.locator('td[data-label="Outcome"]').textContent()).toBe('Done');
    const refused = rows(page).nth(1);
    expect(await refused.locator('td[data-label="Who"]').textContent()).toBe('bob');
    expect(await refused.locator('td[data-label="Outcome"] strong').textContent()).toBe(
      'Refused: not an admin',
    );
    expect(await refused.getByRole('button', { name: `Open the customer ${customerId}` }).count()).toBe(1);

    await dialog.getByRole('button', { name: 'More' }).click();
    await dialog.getByText(`${EXPORTS + 4} records: the end of the log.`).waitFor({ timeout: 30_000 });
    expect(await rows(page).count()).toBe(EXPORTS + 4);
    const oldest = rows(page).last().locator('td[data-label="Action"]');
    expect(await oldest.textContent()).toBe('Registered (a first sign-in) (ana)');
    expect(await dialog.getByRole('button', { name: 'More' }).count()).toBe(0);

    await dialog.getByLabel('Action', { exact: true }).selectOption({ label: 'Exported a customer' });
    await dialog.getByLabel('Agent', { exact: true }).fill('bob');
    await dialog.getByRole('button', { name: 'Show' }).click();
    await dialog.getByText('1 record: the end of the log.').waitFor({ timeout: 30_000 });
    expect(await rows(page).locator('td[data-label="Outcome"]').textContent()).toBe('Refused: not an admin');

    await dialog.getByLabel('Agent', { exact: true }).fill('nobody');
    await dialog.getByRole('button', { name: 'Show' }).click();
    await dialog.getByText('No record matches.').waitFor({ timeout: 30_000 });

    await dialog.getByLabel('From', { exact: true }).fill('2026-12-06');
    await dialog.getByLabel('To', { exact: true }).fill('2026-12-05');
    await dialog.getByRole('button', { name: 'Show' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The first day is after the last day.' }).waitFor();
    expect(await dialog.getByText('No record matches.').count()).toBe(0);

    await dialog.getByRole('button', { name: 'Clear' }).click();
    await rows(page).nth(49).waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Audit');
    await page.close();
  }, 120_000);

  it("opens a record's customer: their conversation, the view closed", async () => {
    const page = await signedInPage(browser, runtime);
    const dialog = await openAudit(page);
    await rows(page).first().waitFor({ timeout: 30_000 });
    await dialog
      .getByRole('button', { name: `Open the customer ${customerId}` })
      .first()
      .click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForURL(`**/console#/conversations/${conversationId}`);
    await page.getByRole('heading', { name: 'Maria Audit' }).first().waitFor({ timeout: 30_000 });
    await page.close();
  }, 60_000);

  it('fits at 200 % zoom and at phone width, from the compact top bar’s Menu, rows as labelled blocks', async () => {
    for (const window of [ZOOMED, { viewport: { width: 320, height: 568 } }]) {
      const page = await browser.newPage(window);
      await signIn(page, runtime);
      await page.getByText('Menu', { exact: true }).click();
      const dialog = await openAudit(page);
      await rows(page).first().waitFor({ timeout: 30_000 });
      expect(await dialog.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      expect(
        await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
      ).toBeLessThanOrEqual(0);
      expect(
        await rows(page)
          .first()
          .evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).display),
      ).toBe('block');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.close();
    }
  }, 120_000);
});
