import { beforeAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import { DESKTOP, postMeta, signIn, useConsole } from './console-support.js';

/**
 * A time labelled "today" (the time of day alone) gets its date when the day turns, in a console left
 * open over midnight, with nothing else happening on the page (the test moves the page's clock). The
 * page's day starts at noon (UTC) of the message's day, whatever the wall clock says: a run a few
 * seconds before midnight saw the date at the first look; and the jump, counted from the test's clock
 * instead of the page's, fell short of midnight by whatever the start took over a minute.
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
      const noon = new Date(sent);
      noon.setUTCHours(12, 0, 0, 0);
      await page.clock.install({ time: noon });
      await signIn(page, runtime);
      await page.locator('.conversation-row', { hasText: 'Nina Night' }).click({ timeout: 30_000 });
      const label = page.locator('time').first();
      await label.waitFor({ timeout: 30_000 });
      expect(await label.textContent()).toMatch(/^\d\d:\d\d( [AP]M)?$/);
      const midnight = new Date(noon);
      midnight.setUTCHours(24, 0, 1, 0);
      const pageNow = (await page.evaluate('Date.now()')) as number;
      await page.clock.fastForward(midnight.getTime() - pageNow + 60_000);
      await expect.poll(() => label.textContent(), { timeout: 30_000 }).not.toMatch(/^\d\d:\d\d( [AP]M)?$/);
    } finally {
      await page.close();
    }
  }, 120_000);
});
