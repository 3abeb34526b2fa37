import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RetryableSendError } from '#shared/domain/send-errors.js';
import { aroundWhatsApp } from '../support/around-whatsapp.js';
import { waitUntil } from '../support/webhooks.js';
import {
  ANA,
  asAna,
  greetOnWhatsApp,
  openCustomerConversation,
  signedInPage,
  useConsole,
} from './console-support.js';

const PHONE = '15550007411';

/**
 * A reply the sender gave up on (`failed`, code `gave_up`) that an operator redrives goes failed →
 * queued → sent on the server; the open conversation follows it on its live updates, without a reload.
 * Before, the console kept `failed` (a status there only moved forward) until the page was read again.
 */
describe('the console: a redriven reply shows sent live', () => {
  /** Whether WhatsApp answers now: down, every attempt fails for now (the sender gives up after 3). */
  let up = false;
  const flaky = aroundWhatsApp(async (message, whatsapp) => {
    if (!up) throw new RetryableSendError('connect ECONNREFUSED');
    return whatsapp.send(message);
  });
  const { runtime, browser } = useConsole({
    env: { OUTBOUND_MAX_ATTEMPTS: '3' },
    wrapSenders: flaky,
    queue: { visibilityTimeoutMs: 200 },
  });
  let page: Page;

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'redrive', [{ from: PHONE, name: 'Rita Redrive' }]);
    page = await signedInPage(browser, runtime);
  }, 120_000);

  it('moves the failed reply to sent on the live socket once the outbound dead letters are redriven', async () => {
    const log = await openCustomerConversation(page, runtime, `+${PHONE}`);
    await page.getByRole('status').getByText('Live').waitFor({ timeout: 30_000 });
    const found = await asAna<{ items: Array<{ openConversationId?: string }> }>(
      runtime,
      `/api/customers?q=%2B${PHONE}`,
    );
    const text = 'Your refund went out this morning.';
    const posted = await fetch(
      `${runtime.url}/api/conversations/${found.items[0]?.openConversationId}/replies`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      },
    );
    expect(posted.status).toBe(202);
    const reply = log.locator('article', { hasText: text });
    await reply.locator('[data-status="failed"]').waitFor({ timeout: 30_000 });
    // A mark on the page that a reload would lose.
    await page.evaluate('window.beforeRedrive = true');

    up = true;
    // As `npm run redrive -- outbound` (SQS's message move task) while the sender runs: the letter is
    // moved back once the queue has dead-lettered it.
    let moved = 0;
    await waitUntil(async () => {
      moved += await runtime.outbound.redrive();
      return moved > 0;
    }, 'the reply was redriven');
    expect(moved).toBe(1);
    await runtime.idle();
    await reply.locator('[data-status="sent"]').waitFor({ timeout: 30_000 });
    expect(await reply.locator('.status').textContent()).toBe('Sent');
    expect(await page.evaluate('window.beforeRedrive')).toBe(true);
    expect(await log.locator('article', { hasText: text }).count()).toBe(1);
  }, 90_000);
});
