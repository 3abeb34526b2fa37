import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { putDeliveryInput } from '#shared/store/params/webhooks.js';
import { ManualTimers } from '../support/manual-timers.js';
import { writeTableItems } from '../support/seed-timeline.js';
import { useReceiver } from '../support/webhook-receiver.js';
import { ANA, answerConfirm, asAna, useConsole } from './console-support.js';
import { delivery, openedAsAdmin, rowOf } from './webhooks-view-support.js';

const TABLE = 'threadline';

interface Made {
  id: string;
  url: string;
  events: string[];
  secret: string;
}

/**
 * The Webhooks view's edit, secret rotation, delete and a single delivery's replay, against the local
 * runtime: an edit's twin and a busy edit said in words, the rotated secret shown once, a delete asked
 * first, the list read again when the window takes the focus back (and not once the view is closed).
 */
describe('the console lets an admin edit, rotate, delete and replay one delivery', () => {
  // Before the console's: the receiver starts before the runtime that delivers to it and closes after.
  const receiver = useReceiver();
  const { runtime, browser } = useConsole(() => ({ webhookTimers: new ManualTimers(Date.now()) }));

  /** A subscription made through the API, as another admin (or a script) would. */
  const subscribe = async (path: string, events: string[], description: string): Promise<Made> => {
    const made = await fetch(`${runtime.url}/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}${path}`, events, description }),
    });
    expect(made.status).toBe(201);
    return (await made.json()) as Made;
  };
  const listed = async () =>
    (await asAna<{ items: Array<Made & { description?: string }> }>(runtime, '/api/webhooks')).items;
  /** Counts the page's reads of the subscriptions list from now on. */
  const countListReads = (page: Page) => {
    const reads = { n: 0 };
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/webhooks') reads.n += 1;
    });
    return reads;
  };

  it('edits events and description (a twin named, a busy edit read again and saved), reads the list again on focus', async () => {
    const first = await subscribe('/edit', ['conversation.resolved'], 'Tickets');
    const twin = await subscribe('/edit', ['message.sent'], 'Outbound log');
    const { page, dialog } = await openedAsAdmin(browser, runtime);
    const row = rowOf(page, `${receiver.url}/edit`).filter({ hasText: 'Tickets' });
    await row.getByRole('button', { name: 'Edit' }).click({ timeout: 30_000 });
    const form = row.getByRole('form', { name: `Edit the subscription to ${receiver.url}/edit` });
    // The focus on the form's heading.
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H4');

    // message.sent is the twin's at this URL: refused, the twin named by its id and description.
    await form.getByRole('checkbox', { name: 'message.sent' }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await form
      .getByRole('alert')
      .getByText(
        `Not saved: subscription ${twin.id} ("Outbound log") already posts these events to this URL (message.sent)`,
        { exact: false },
      )
      .waitFor({ timeout: 30_000 });

    // A change meanwhile (409 webhook_busy, as the API answers a lost race): the list read again, the
    // choices kept, and Save again goes through.
    await form.getByRole('checkbox', { name: 'message.sent' }).uncheck();
    await form.getByRole('checkbox', { name: 'conversation.opened' }).check();
    await form.getByLabel('Description (empty removes it)').fill('Tickets and openings');
    let refused = 0;
    await page.route(`**/api/webhooks/${first.id}`, (route) => {
      if (route.request().method() !== 'PATCH' || refused++) return route.fallback();
      return route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'webhook_busy',
            message: 'the webhook was edited meanwhile: read it again and retry',
          },
        }),
      });
    });
    const reads = countListReads(page);
    await form.getByRole('button', { name: 'Save' }).click();
    await form
      .getByRole('alert')
      .getByText(
        /^Not saved: it was changed meanwhile .* The list has been read again: check it, then save again\.$/,
      )
      .waitFor({ timeout: 30_000 });
    await expect.poll(() => reads.n).toBeGreaterThan(0);
    const patches: unknown[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PATCH') patches.push(r.postDataJSON());
    });
    await form.getByRole('button', { name: 'Save' }).click();
    await row.getByText('Events: conversation.resolved, conversation.opened · Tickets and openings').waitFor({
      timeout: 30_000,
    });
    await row.getByRole('status').getByText('Saved: its events and description are as shown.').waitFor();
    // Only what changed was sent; the focus back on Edit.
    expect(patches).toEqual([
      { events: ['conversation.resolved', 'conversation.opened'], description: 'Tickets and openings' },
    ]);
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Edit');
    const saved = (await listed()).find((w) => w.id === first.id);
    expect(saved?.events).toEqual(['conversation.resolved', 'conversation.opened']);
    expect(saved?.description).toBe('Tickets and openings');

    // Another admin edits it through the API: the window taking the focus back reads the list again.
    const patched = await fetch(`${runtime.url}/api/webhooks/${twin.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'Outbound, edited elsewhere' }),
    });
    expect(patched.status).toBe(200);
    await page.evaluate('window.dispatchEvent(new Event("focus"))');
    await rowOf(page, `${receiver.url}/edit`)
      .filter({ hasText: 'Outbound, edited elsewhere' })
      .waitFor({ timeout: 30_000 });
    // Closed, the view reads nothing more: no timer, no listener left.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const before = reads.n;
    await page.evaluate('window.dispatchEvent(new Event("focus"))');
    await page.waitForLoadState('networkidle');
    expect(reads.n).toBe(before);
    await page.close();
  }, 180_000);

  it('rotates a secret after asking (the new one shown once, the old one’s 24 hours said) and deletes after asking', async () => {
    const made = await subscribe('/rotate', ['customer.created'], 'Rotating');
    const doomed = await subscribe('/delete', ['customer.merged'], 'To delete');
    const { page, dialog } = await openedAsAdmin(browser, runtime);
    const row = rowOf(page, `${receiver.url}/rotate`);
    // Half a new subscription typed meanwhile: a rotation leaves it there.
    const typed = dialog.getByLabel('Endpoint URL (https)');
    await typed.fill(`${receiver.url}/half-typed`);
    await row.getByRole('button', { name: 'Rotate secret' }).click({ timeout: 30_000 });
    expect(await answerConfirm(page, true)).toMatch(/keeps signing beside it for 24 hours/);
    const box = dialog.getByRole('region', {
      name: `Rotated: the new signing secret of ${receiver.url}/rotate`,
    });
    await box.getByText('Copy it now: it will not be shown again.').waitFor({ timeout: 30_000 });
    await box
      .getByText(/within 24 hours: until then each event is signed with the old secret and with this one/)
      .waitFor();
    const secret = (await box.locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/);
    expect(secret).not.toBe(made.secret);
    expect(await typed.inputValue()).toBe(`${receiver.url}/half-typed`);
    await box.getByRole('button', { name: /^Done/ }).click();
    expect(await page.content()).not.toContain(secret);
    // The focus back on the row's Rotate secret.
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe(`rotate-${made.id}`);

    // Delete: Cancel keeps it; Delete removes it, the list says so and the focus is on its heading.
    const gone = rowOf(page, `${receiver.url}/delete`);
    await gone.getByRole('button', { name: 'Delete' }).click();
    expect(await answerConfirm(page, false)).toMatch(
      /^Delete the subscription to .+\/delete \(To delete\)\? .*This cannot be undone/,
    );
    expect((await listed()).some((w) => w.id === doomed.id)).toBe(true);
    await gone.getByRole('button', { name: 'Delete' }).click();
    await answerConfirm(page, true);
    await dialog
      .getByRole('status')
      .getByText(`Deleted the subscription to ${receiver.url}/delete.`)
      .waitFor({ timeout: 30_000 });
    await gone.waitFor({ state: 'detached' });
    expect((await listed()).some((w) => w.id === doomed.id)).toBe(false);
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Subscriptions');
    // A delete of one deleted meanwhile (another admin) is said in words.
    const other = await subscribe('/gone', ['customer.unmerged'], 'Gone meanwhile');
    await page.evaluate('window.dispatchEvent(new Event("focus"))');
    const stale = rowOf(page, `${receiver.url}/gone`);
    await stale.waitFor({ timeout: 30_000 });
    const removed = await fetch(`${runtime.url}/api/webhooks/${other.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    expect(removed.status).toBe(204);
    await stale.getByRole('button', { name: 'Delete' }).click();
    await answerConfirm(page, true);
    await dialog
      .getByRole('alert')
      .getByText(
        `Not deleted: this subscription no longer exists (deleted meanwhile). (${receiver.url}/gone)`,
      )
      .waitFor({ timeout: 30_000 });
    // Its row goes with the list read again.
    await stale.waitFor({ state: 'detached', timeout: 30_000 });
    await page.close();
  }, 180_000);

  it('replays one failed delivery from the log: its row pending, sent again with its webhook-id', async () => {
    const made = await subscribe('/replay-one', ['message.received'], 'Replay one');
    const rows = [delivery(made.id, 1, 120_000, 'failed'), delivery(made.id, 2, 180_000, 'failed')];
    rows.push(delivery(made.id, 3, 60_000, 'delivered'));
    await writeTableItems(
      runtime,
      rows.map((d) => putDeliveryInput(TABLE, d, false).Item ?? {}),
    );
    const { page, dialog } = await openedAsAdmin(browser, runtime);
    await rowOf(page, `${receiver.url}/replay-one`).getByRole('button', { name: 'Delivery log' }).click({
      timeout: 30_000,
    });
    const log = dialog.getByRole('region', { name: `Delivery log of ${receiver.url}/replay-one` });
    const items = log.getByRole('list', { name: 'Deliveries' }).getByRole('listitem');
    await log.getByText('3 deliveries shown.').waitFor({ timeout: 30_000 });
    // A Replay on each failed delivery, none on the delivered.
    const replays = log.getByRole('button', { name: /^Replay the message\.received of / });
    expect(await replays.count()).toBe(2);
    const calls: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/deliveries/')) calls.push(new URL(r.url()).pathname);
    });
    const newest = items.nth(1);
    await newest.getByRole('button', { name: /^Replay/ }).click();
    await newest.getByText(/^pending message\.received/).waitFor({ timeout: 30_000 });
    await log
      .getByRole('status')
      .getByText(/^Sent again: the message\.received of .+, pending\.$/)
      .waitFor();
    expect(calls).toEqual([`/api/webhooks/${made.id}/deliveries/${rows[0]?.id}/replay`]);
    expect(await replays.count()).toBe(1);
    // The focus on the next failed delivery's Replay.
    await expect.poll(() => page.evaluate('document.activeElement?.className')).toBe('replay-one');
    // Sent again to the endpoint with the same webhook-id (the delivery's id), the other left failed.
    await expect
      .poll(() => receiver.received.filter((r) => r.headers['webhook-id'] === rows[0]?.id).length, {
        timeout: 30_000,
      })
      .toBe(1);
    const stored = await asAna<{ items: Array<{ id: string; status: string; replayedAt?: string }> }>(
      runtime,
      `/api/webhooks/${made.id}/deliveries?limit=10`,
    );
    expect(stored.items.find((d) => d.id === rows[0]?.id)?.replayedAt).toBeDefined();
    expect(stored.items.find((d) => d.id === rows[1]?.id)?.status).toBe('failed');
    expect(receiver.received.some((r) => r.headers['webhook-id'] === rows[1]?.id)).toBe(false);
    await page.close();
  }, 120_000);
});
