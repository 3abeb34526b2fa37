import type { Browser, Page } from 'playwright-core';
import type { Delivery } from '#shared/domain/webhooks.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { signedInPage } from './console-support.js';

/** A delivery of a seeded subscription, `ageMs` old, as the deliverer leaves one in the log. */
export function delivery(
  subscriptionId: string,
  i: number,
  ageMs: number,
  status: Delivery['status'],
): Delivery {
  const at = Date.now() - ageMs;
  // The id's last character picks the log's shard: the index last, so the seeded spread over them.
  const tail = `seed${status}`.padEnd(18, 'x') + String(i).padStart(6, '0');
  return {
    id: `msg_${at.toString(36).padStart(9, '0')}${tail}`,
    subscriptionId,
    eventId: `evt_seed_${status}_${i}`,
    eventType: 'message.received',
    customerId: 'cu_webhooks_seed',
    createdAt: new Date(at).toISOString(),
    status,
    attempts: status === 'failed' ? 8 : status === 'paused' ? 0 : 1,
    event: {
      id: `evt_seed_${status}_${i}`,
      type: 'message.received',
      timestamp: new Date(at).toISOString(),
      data: { customerId: 'cu_webhooks_seed' },
    },
    ...(status === 'failed' ? { lastStatus: 500, lastError: 'the endpoint answered 500' } : {}),
    ...(status === 'delivered' ? { lastStatus: 200, deliveredAt: new Date(at).toISOString() } : {}),
  };
}

/** Opens an admin's view as an admin would, by keyboard: its header button, then Enter; answers its dialog. */
export async function openAdminView(page: Page, button: string, title = button) {
  const open = page.getByRole('button', { name: button, exact: true });
  await open.focus({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor({ timeout: 30_000 });
  return dialog;
}

/** Opens the Webhooks view as an admin would, by keyboard: the Webhooks button, then Enter. */
export const openWebhooks = (page: Page) => openAdminView(page, 'Webhooks');

/** The list's row of the subscription to `url`. */
export const rowOf = (page: Page, url: string) =>
  page.getByRole('list', { name: 'Webhook subscriptions' }).getByRole('listitem').filter({ hasText: url });

/** A desktop page with Ana signed in and the Webhooks view open. */
export async function openedAsAdmin(browser: Browser, runtime: LocalRuntime) {
  const page = await signedInPage(browser, runtime);
  return { page, dialog: await openWebhooks(page) };
}
