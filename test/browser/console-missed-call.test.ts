import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MISSED_CALL_SETTLE_MS } from '#shared/domain/missed-call.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { twilioCall } from '../support/twilio-caller.js';
import { deliver, signedTwilio } from '../support/webhooks.js';
import { DESKTOP, openCustomerConversation, signIn, useConsole } from './console-support.js';

const CALLER = '+14155550178';

/**
 * A settled missed call waits in the inbox like a message: the row and the conversation's header say
 * "Missed call" with the call's time (the API's `missedCallAt`), where before nothing told it from one.
 */
describe('the console: a missed call waiting for a call-back', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const { runtime, browser } = useConsole(() => ({ manualTime: manual, events: false }));
  let page: Page;

  beforeAll(async () => {
    const post = async (path: string, params: Record<string, string>) => {
      const answer = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
      if (answer.status >= 300) throw new Error(`${path} answered ${answer.status}: ${answer.body}`);
      await runtime.idle();
    };
    const call = twilioCall(
      post,
      'ACmissedconsole00000000000000000000',
      CALLER,
      'CAmissedconsole000000000000000001',
    );
    await call.ring();
    await call.end('no-answer', 0);
    manual.advance(MISSED_CALL_SETTLE_MS);
    await runtime.idle();
    page = await browser.newPage({ viewport: DESKTOP });
    await signIn(page, runtime);
  }, 120_000);

  it('labels the inbox row and the header "Missed call" with the time of the call', async () => {
    const row = page.getByRole('navigation', { name: 'Inbox' }).locator('.conversation-row');
    await expect.poll(() => row.locator('.missed-call').count(), { timeout: 30_000 }).toBe(1);
    expect(await row.locator('.missed-call').innerText()).toMatch(/^Missed call \d{1,2}:\d{2}/);
    await openCustomerConversation(page, runtime, CALLER);
    const head = page.locator('.conversation-head .meta .missed-call');
    await expect.poll(() => head.count(), { timeout: 30_000 }).toBe(1);
    expect(await head.innerText()).toMatch(/^Missed call \d{1,2}:\d{2}/);
  }, 90_000);
});
