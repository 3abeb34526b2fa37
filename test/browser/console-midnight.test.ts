import { beforeAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import { DESKTOP, postMeta, signIn, useConsole } from './console-support.js';

/**
 * A time labelled "today" (the time of day alone) gets its date when the day turns, in a console left
 * open over midnight, with nothing else happening on the page (the test moves the page's clock).
 */
describe('the console at midnight', () => {
  const { runtime, browser } = useConsole();
  const sent = new Date();

  beforeAll(async () => {
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        from: '15550007101',
        name: 'Nina Night',
        messages: [{ id: 'wamid.midnight.1', at: sent.toISOString(), text: 'Still there?' }],
      }),
    );
    await runtime.idle();
  }, 240_000);

  it("labels today's times with their date once the day turns", async () => {
    const page = await browser.newPage({ viewport: DESKTOP, timezoneId: 'UTC' });
    try {
      await page.clock.install({ time: sent });
      await signIn(page, runtime);
      await page.locator('.conversation-row', { hasText: 'Nina Night' }).click({ timeout: 30_000 });
      const label = page.locator('time').first();
      await label.waitFor({ timeout: 30_000 });
      expect(await label.textContent()).toMatch(/^\d\d:\d\d( [AP]M)?$/);
      const midnight = new Date(sent);
      midnight.setUTCHours(24, 0, 1, 0);
      await page.clock.fastForward(midnight.getTime() - Date.now() + 60_000);
      await expect.poll(() => label.textContent(), { timeout: 30_000 }).not.toMatch(/^\d\d:\d\d( [AP]M)?$/);
    } finally {
      await page.close();
    }
  }, 120_000);
});
