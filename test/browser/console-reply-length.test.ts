import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRETS } from '../support/runtime.js';
import { deliver, signedTwilio, twilioSms } from '../support/webhooks.js';
import { greetOnWhatsApp, openCustomerConversation, signedInPage, useConsole } from './console-support.js';

const TEXTER = '+14155550961';
const WANDA = { from: '15550009201', name: 'Wanda WhatsApp' };

/**
 * The reply box says how an SMS goes out while the agent types (its segments, and whether as Unicode),
 * and how much room is left near the channel's limit (`maxLength` of GET /channels), before Send.
 */
describe('the console: length and segments under the reply box', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    const params = twilioSms({ sid: 'SMreplylength000000000000000000001', from: TEXTER, text: 'Hi' });
    const taken = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(taken.status).toBeLessThan(300);
    await greetOnWhatsApp(runtime, 'reply-length', [WANDA]);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const box = () => page.getByRole('textbox', { name: 'Reply' });
  const note = () => page.locator('#reply-length');

  it("says an SMS reply's segments and encoding, Unicode once a character needs it", async () => {
    await openCustomerConversation(page, runtime, TEXTER);
    await box().fill('Your parcel left today.');
    await expect.poll(() => note().innerText(), { timeout: 30_000 }).toBe('1 SMS segment (GSM-7).');
    expect(await box().getAttribute('aria-describedby')).toBe('reply-length');
    await box().fill('a'.repeat(161));
    await expect.poll(() => note().innerText(), { timeout: 30_000 }).toBe('2 SMS segments (GSM-7).');
    await box().fill('😀'.repeat(36));
    await expect
      .poll(() => note().innerText(), { timeout: 30_000 })
      .toBe('2 SMS segments, sent as Unicode (UCS-2: 70 a message, 67 a segment; an emoji counts as 2).');
  }, 90_000);

  it('shows the business number the customer texted on their SMS', async () => {
    const log = await openCustomerConversation(page, runtime, TEXTER);
    const said = log.locator('article.message.in .recipient');
    await said.first().waitFor({ timeout: 30_000 });
    expect(await said.first().innerText()).toBe('To our number: +15005550006');
  }, 90_000);

  it('says the room left near the limit, counted as the API counts it', async () => {
    await openCustomerConversation(page, runtime, TEXTER);
    await box().fill('😀'.repeat(790));
    await expect.poll(() => note().innerText(), { timeout: 30_000 }).toContain('20 of 1,600 left.');
  }, 90_000);

  it('says no segments on WhatsApp, and nothing far from its limit', async () => {
    await openCustomerConversation(page, runtime, `+${WANDA.from}`);
    await box().fill('Your parcel left today.');
    await note().waitFor({ state: 'detached', timeout: 30_000 });
    await box().fill('b'.repeat(4000));
    await expect.poll(() => note().innerText(), { timeout: 30_000 }).toBe('96 of 4,096 left.');
  }, 90_000);
});
