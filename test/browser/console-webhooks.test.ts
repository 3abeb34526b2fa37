import { mkdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { putDeliveryInput, putPausedNoteInput } from '#shared/store/params/webhooks.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { localTableClient, writeTableItems } from '../support/seed-timeline.js';
import { useReceiver } from '../support/webhook-receiver.js';
import { ANA, answerConfirm, asAna, DESKTOP, signIn, useConsole, ZOOMED } from './console-support.js';
import { delivery, openWebhooks, rowOf } from './webhooks-view-support.js';

const BOB = { id: 'bob', token: agentToken('bob-webhooks-token-1234') } as const;
const SCREENSHOTS = new URL('./screenshots/', import.meta.url);
const TABLE = 'threadline';
/** Failed deliveries seeded: more than one replay call takes (500), so the replay follows a cursor. */
const FAILED = 505;

/**
 * The admins' Webhooks view: the subscriptions and their state, a create that shows the secret once,
 * disable and enable with the enable's counts, the delivery log (status filter, paging by cursor) and
 * "Replay failed since" following the cursor until null. Agents see no such button.
 */
describe('the console lets an admin manage webhooks', () => {
  // Before the console's: the receiver starts before the runtime that delivers to it and closes after.
  const receiver = useReceiver();
  const { runtime, browser } = useConsole(() => ({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
    // The deliverer's time never moves: what a replay or an enable queues is not sent meanwhile.
    webhookTimers: new ManualTimers(Date.now()),
  }));
  let seeded: { id: string };

  beforeAll(async () => {
    const made = await fetch(`${runtime.url}/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}/crm`, events: ['message.received'], description: 'CRM' }),
    });
    expect(made.status).toBe(201);
    seeded = (await made.json()) as { id: string };
    // 505 failed over the last hours, the 3 newest delivered.
    const rows = [
      ...Array.from({ length: 3 }, (_, i) => delivery(seeded.id, i, 60_000 + i * 1000, 'delivered')),
      ...Array.from({ length: FAILED }, (_, i) => delivery(seeded.id, i, 3_600_000 + i * 10_000, 'failed')),
    ];
    await writeTableItems(
      runtime,
      rows.map((d) => putDeliveryInput(TABLE, d, false).Item ?? {}),
    );
  }, 120_000);

  it('shows an agent no Webhooks button', async () => {
    const bob = await browser.newPage({ viewport: DESKTOP });
    await signIn(bob, runtime, BOB.token);
    await bob.getByRole('combobox', { name: 'Your presence' }).waitFor({ timeout: 30_000 });
    expect(await bob.getByRole('button', { name: 'Webhooks' }).count()).toBe(0);
    await bob.close();
  }, 60_000);

  it('creates a subscription, shows its secret once with a Copy, refuses a twin in words, disables and enables it', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: runtime.url });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.js')) scripts.push(r.url());
    });
    await signIn(page, runtime);
    await page.getByRole('button', { name: 'Webhooks', exact: true }).waitFor({ timeout: 30_000 });
    const atStart = scripts.length;
    const dialog = await openWebhooks(page);
    // The view's code came on the press, not with the console.
    expect(scripts.length).toBeGreaterThan(atStart);
    await rowOf(page, `${receiver.url}/crm`)
      .getByText('Enabled', { exact: true })
      .waitFor({ timeout: 30_000 });

    const url = dialog.getByLabel('Endpoint URL (https)');
    const create = dialog.getByRole('button', { name: 'Create subscription' });
    await url.fill('http://169.254.169.254/latest/meta-data');
    await create.click();
    await dialog.getByRole('alert').getByText('Not created: choose at least one event.').waitFor();
    await dialog.getByRole('checkbox', { name: 'conversation.resolved' }).check();
    await create.click();
    await dialog
      .getByRole('alert')
      .getByText(/^Not created: url refused/)
      .waitFor({ timeout: 30_000 });

    const hook = `${receiver.url}/helpdesk`;
    await url.fill(hook);
    await create.click();
    const secretBox = dialog.getByRole('region', { name: `Created: the signing secret of ${hook}` });
    await secretBox.getByText('Copy it now: it will not be shown again.').waitFor({ timeout: 30_000 });
    const secret = (await secretBox.locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/);
    await secretBox.getByRole('button', { name: 'Copy the signing secret' }).click();
    await secretBox.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    // Once dismissed, the secret is nowhere in the page; the list never had it.
    await secretBox.getByRole('button', { name: /^Done/ }).press('Enter');
    expect(await page.content()).not.toContain(secret);
    // The focus goes on into the form that takes the secret's place.
    await expect.poll(() => page.evaluate('document.activeElement?.type')).toBe('url');
    await rowOf(page, hook).getByText('Events: conversation.resolved').waitFor();

    // The same URL and events again: the API's 409 webhook_exists, in words.
    await url.fill(hook);
    await dialog.getByRole('checkbox', { name: 'conversation.resolved' }).check();
    await create.click();
    await dialog
      .getByRole('alert')
      .getByText(/^Not created: subscription wh_\S+ already posts these events to this URL/)
      .waitFor({ timeout: 30_000 });

    // All events (those added later too): one tick box, the types ticked with it and locked.
    const everything = `${receiver.url}/everything`;
    await url.fill(everything);
    await dialog.getByRole('checkbox', { name: /^All events/ }).check();
    expect(await dialog.getByRole('checkbox', { name: 'sla.warning' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('checkbox', { name: 'sla.warning' }).isDisabled()).toBe(true);
    await create.click();
    const allBox = dialog.getByRole('region', { name: `Created: the signing secret of ${everything}` });
    await allBox.getByRole('button', { name: /^Done/ }).click({ timeout: 30_000 });
    await rowOf(page, everything).getByText('Events: all (new ones too)').waitFor();

    const row = rowOf(page, hook);
    await row.getByRole('button', { name: 'Disable' }).click();
    expect(await answerConfirm(page, true)).toMatch(/held \(paused\) until you enable it/);
    await row.getByText(/^Disabled since .*: disabled by an admin \(ana\)$/).waitFor({ timeout: 30_000 });
    await row.getByRole('status').getByText('Disabled: its events are held until you enable it.').waitFor();

    // Held while it was disabled: one event of today, one older than the log's 30 days.
    const { id } = (
      await asAna<{ items: Array<{ id: string; url: string }> }>(runtime, '/api/webhooks')
    ).items.find((w) => w.url === hook) as { id: string };
    const held = [delivery(id, 1, 60_000, 'paused'), delivery(id, 2, 31 * 86_400_000, 'paused')];
    await writeTableItems(runtime, [
      ...held.map((d) => putPausedNoteInput(TABLE, d).Item ?? {}),
      ...held.map((d) => putDeliveryInput(TABLE, d, false).Item ?? {}),
    ]);
    await row.getByRole('button', { name: 'Enable' }).click();
    await row
      .getByRole('status')
      .getByText("Enabled: 1 held delivery resumed, 1 expired (older than the log's 30 days: not sent).")
      .waitFor({ timeout: 30_000 });
    await row.getByText('Enabled', { exact: true }).waitFor();

    // The endpoint fails meanwhile and its breaker opens: Read again shows it.
    const client = localTableClient(runtime);
    try {
      const { webhooks } = dynamoRepositories(documentClient(client), TABLE);
      for (let i = 0; i < 6; i++) await webhooks.countFailure(seeded.id);
      await webhooks.openBreaker(seeded.id, new Date(Date.now() + 600_000).toISOString());
    } finally {
      client.destroy();
    }
    await dialog.getByRole('button', { name: 'Read again' }).click();
    await rowOf(page, `${receiver.url}/crm`)
      .getByText(
        /^Paused by the breaker until .+ \(6 failures in a row\): deliveries wait, then are retried$/,
      )
      .waitFor({ timeout: 30_000 });

    // Escape closes the view, and the focus is back on its button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Webhooks');
    await context.close();
  }, 120_000);

  it('reads the delivery log a page at a time under its status filter, and replays the failed since a time, following the cursor', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    await signIn(page, runtime);
    const dialog = await openWebhooks(page);
    await rowOf(page, `${receiver.url}/crm`)
      .getByRole('button', { name: 'Delivery log' })
      .click({ timeout: 30_000 });
    const log = dialog.getByRole('region', { name: `Delivery log of ${receiver.url}/crm` });
    const rows = log.getByRole('list', { name: 'Deliveries' }).getByRole('listitem');
    await log.getByText('25 deliveries shown, more in the log.').waitFor({ timeout: 30_000 });

    await log.getByLabel('Status').selectOption('delivered');
    await log.getByText(/^3 delivered deliveries shown/).waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBe(3);

    // A filter over the log: a page of 25 read may hold fewer failed (the 3 delivered are the newest).
    await log.getByLabel('Status').selectOption('failed');
    const shown = log.getByText(/^\d+ failed deliveries shown, more in the log\.$/);
    await shown.waitFor({ timeout: 30_000 });
    const first = await rows.count();
    expect(first).toBeGreaterThanOrEqual(20);
    await log.getByRole('button', { name: 'More deliveries' }).click();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(first);
    await shown.waitFor({ timeout: 30_000 });
    const more = await rows.count();
    expect(await shown.textContent()).toBe(`${more} failed deliveries shown, more in the log.`);
    expect(await rows.filter({ hasText: /^failed message\.received/ }).count()).toBe(more);

    const replays: Array<{ cursor?: string }> = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith(`/api/webhooks/${seeded.id}/replay`))
        replays.push(r.postDataJSON() as { cursor?: string });
    });
    await log.getByLabel('Replay failed deliveries since').fill('2020-01-01T00:00');
    await log.getByRole('button', { name: 'Replay failed' }).click();
    await log
      .getByRole('status')
      .getByText(`Done: ${FAILED} failed deliveries sent again since`, { exact: false })
      // 505 deliveries read, checked for an erasure and written again: slower than a page on a busy machine.
      .waitFor({ timeout: 120_000 });
    // 500 a call: a second call with the first's cursor, and none after its null.
    expect(replays).toHaveLength(2);
    expect(replays[0]?.cursor).toBeUndefined();
    expect(typeof replays[1]?.cursor).toBe('string');
    const failedLeft = await asAna<{ items: unknown[]; cursor: string | null }>(
      runtime,
      `/api/webhooks/${seeded.id}/deliveries?status=failed&limit=200`,
    );
    expect(failedLeft.items).toEqual([]);
    await page.close();
  }, 240_000);

  it('fits at 200 % zoom and at phone width, from the compact top bar’s Menu', async () => {
    for (const window of [ZOOMED, { viewport: { width: 320, height: 568 } }]) {
      const page = await browser.newPage(window);
      await signIn(page, runtime);
      await page.getByText('Menu', { exact: true }).click();
      const dialog = await openWebhooks(page);
      const row = rowOf(page, `${receiver.url}/crm`);
      await row.waitFor({ timeout: 30_000 });
      const fits = async () => {
        const overflow = await dialog.evaluate((el) => el.scrollWidth - el.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        expect(
          await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
        ).toBeLessThanOrEqual(0);
      };
      await fits();
      // Its edit, in the row, fits too; Cancel puts the focus back on Edit.
      await row.getByRole('button', { name: 'Edit' }).click();
      await row.getByRole('button', { name: 'Save' }).waitFor();
      await fits();
      await row.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Edit');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.close();
    }
  }, 120_000);

  it.runIf(process.env.CONSOLE_SCREENSHOTS)(
    'saves a screenshot of the Webhooks view for the README',
    async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await signIn(page, runtime);
      const dialog = await openWebhooks(page);
      await rowOf(page, `${receiver.url}/crm`).waitFor({ timeout: 30_000 });
      await dialog.getByLabel('Endpoint URL (https)').fill(`${receiver.url}/tickets`);
      await dialog.getByRole('checkbox', { name: 'conversation.resolved' }).check();
      await dialog.getByRole('button', { name: 'Create subscription' }).click();
      await dialog.getByText('Copy it now: it will not be shown again.').waitFor({ timeout: 30_000 });
      await dialog.getByRole('heading', { name: 'Subscriptions' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: new URL('console-webhooks.png', SCREENSHOTS).pathname });
      await page.close();
    },
    120_000,
  );
});
