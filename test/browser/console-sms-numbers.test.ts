import { describe, expect, it } from 'vitest';
import { SECRETS } from '../support/runtime.js';
import { TakingSender } from '../support/taking-sender.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';
import { openCustomerConversation, signedInPage, useConsole } from './console-support.js';

const ACCOUNT = 'AC00000000000000000000000000000931';
const BRAND_A = '+15017120031';
const BRAND_B = '+15017120032';
const PHONE = '+14155550931';

/**
 * A customer who texted STOP to brand A's number and then wrote to brand B's: the customer panel names
 * which of our numbers may text them (B, which replies go from) and which they opted out of (A).
 */
describe("the console's customer panel: which of our SMS numbers may text the customer", () => {
  const sms = new TakingSender();
  const { runtime, browser } = useConsole({ senders: { sms, voice: sms } });

  it('lists our numbers, the one replies go from first, each open or blocked', async () => {
    const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
    await twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BRAND_A })(
      PHONE,
      'SMsn000000000000000000000000000931',
      'STOP',
    );
    await twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BRAND_B })(
      PHONE,
      'SMsn000000000000000000000000000932',
      'Hello brand B, is my order on its way?',
    );
    const page = await signedInPage(browser, runtime);
    await openCustomerConversation(page, runtime, PHONE);
    const list = page.locator('aside.customer').getByRole('list', { name: 'Our SMS numbers:' });
    await list.waitFor({ timeout: 30_000 });
    const items = list.getByRole('listitem');
    await expect
      .poll(() => items.allInnerTexts(), { timeout: 30_000 })
      .toEqual([
        `${BRAND_B} (replies go from it): may text`,
        expect.stringMatching(new RegExp(`^\\${BRAND_A}: blocked: opted out \\(STOP\\), `)),
        'Our other numbers: may text',
      ]);
    await page.close();
  }, 120_000);
});
