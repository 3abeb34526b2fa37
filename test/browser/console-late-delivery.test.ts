import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { whatsappText } from '../support/webhooks.js';
import { ANA, asAna, postMeta, signedInPage, useConsole } from './console-support.js';

const PHONE = '15550007301';

/**
 * A message timed before the resolve but received after it (a phone that sent before the agent resolved
 * and delivered after) sits before "Resolved by" on the timeline, where its time puts it: the console
 * says on it that it came after the resolve, and when, so the agent sees the customer wrote after closing.
 */
describe('the console: a message received after the resolve it is timed before', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  const whatsappAt = (id: string, at: number, text: string) =>
    postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        from: PHONE,
        name: 'Lena Late',
        messages: [{ id, at: new Date(at).toISOString(), text }],
      }),
    );

  beforeAll(async () => {
    page = await signedInPage(browser, runtime);
  }, 120_000);

  it('marks the late message "received after the resolve", live and after a reload, and no other', async () => {
    const sent = Date.now() - 60_000;
    await whatsappAt('wamid.late.1', sent, 'My parcel never came');
    await runtime.idle();
    const found = await asAna<{ items: Customer[] }>(runtime, `/api/customers?q=%2B${PHONE}`);
    const id = found.items[0]?.openConversationId ?? '';
    expect(id).not.toBe('');
    const resolved = await fetch(`${runtime.url}/api/conversations/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    expect(resolved.status).toBe(200);
    await runtime.idle();
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Resolved by ana').waitFor();
    await page.getByRole('status').getByText('Live').waitFor();
    // Sent 10 s after the first message, long before the resolve; delivered now.
    await whatsappAt('wamid.late.2', sent + 10_000, 'Hello? Anyone?');
    await runtime.idle();
    const late = log.locator('article', { hasText: 'Hello? Anyone?' });
    await late.getByText(/^Received after the resolve, /).waitFor();
    await page.locator('header.conversation-head').getByRole('button', { name: 'Resolve' }).waitFor();
    const first = log.locator('article', { hasText: 'My parcel never came' });
    expect(await first.getByText(/Received after the resolve/).count()).toBe(0);
    // The late message sits where its time puts it, before the resolve, and says when it came.
    const order = await log.locator('article, p.event').allTextContents();
    const at = (text: string) => order.findIndex((t) => t.includes(text));
    expect(at('Hello? Anyone?')).toBeLessThan(at('Resolved by ana'));
    const stamp = await late.locator('.late time').getAttribute('datetime');
    const items = await asAna<{ items: Array<{ id: string; receivedAt?: string }> }>(
      runtime,
      `/api/customers/${found.items[0]?.id}/timeline`,
    );
    expect(stamp).toBe(items.items.find((i) => i.receivedAt)?.receivedAt);
    await page.reload();
    await log.getByText('Resolved by ana').waitFor();
    await log
      .locator('article', { hasText: 'Hello? Anyone?' })
      .getByText(/^Received after the resolve, /)
      .waitFor();
  }, 90_000);
});
