import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from '../support/browser.js';
import { basicOf, startFakeMediaProvider } from '../support/fake-media-provider.js';
import { postVoicemail, postWhatsAppPhoto } from '../support/media-webhooks.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { ANA, openCustomerConversation, signIn } from './console-support.js';

// A Twilio Account SID's form (AC and 32 hexadecimal digits): the config refuses any other.
const SID = 'AC0000000000000000000000000000f11e';
const WA_TOKEN = 'files-whatsapp-token';
const PHOTO_FROM = '14155550190';
const CALLER = '+14155550191';
const CALL_SID = 'CAfiles000000000000000000000000001';
const RECORDING_PATH = `/2010-04-01/Accounts/${SID}/Recordings/REfiles00000000000000000000000001`;
/** A 1×1 PNG: a real image, so the page can show it only if its CSP lets the `blob:` address load. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * An agent opens a WhatsApp customer's photo and a caller's voicemail in the conversation view: the
 * console fetches each through the agent API with the agent's token (the API from a fake Graph API and
 * a fake Twilio with Threadline's credentials) and shows it in the view.
 */
describe('the console: a WhatsApp photo and a voicemail, opened in the view', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  let fake: Awaited<ReturnType<typeof startFakeMediaProvider>>;

  beforeAll(async () => {
    fake = await startFakeMediaProvider({ bearer: WA_TOKEN, basic: basicOf(SID, SECRETS.twilio) });
    fake.answers.set('/cdn/99101', { body: new Uint8Array(PIXEL), type: 'image/png' });
    runtime = await startTestRuntime({
      env: {
        AGENT_TOKENS: `${ANA.id}:${ANA.token}`,
        TWILIO_ACCOUNT_SID: SID,
        WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
        TWILIO_API_URL: fake.origin,
        META_GRAPH_URL: fake.origin,
      },
    });
    await postWhatsAppPhoto(runtime, {
      from: PHOTO_FROM,
      name: 'Petra Parcel',
      messageId: 'wamid.FILES1',
      mediaId: '99101',
      mimeType: 'image/png',
    });
    await postVoicemail(runtime, {
      accountSid: SID,
      callSid: CALL_SID,
      caller: CALLER,
      recordingSid: 'REfiles00000000000000000000000001',
      recordingUrl: `${fake.origin}${RECORDING_PATH}`,
    });
    await runtime.idle();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, runtime);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
    await fake?.close();
  });

  it('shows the WhatsApp photo in the view after a click, fetched with the business token', async () => {
    const log = await openCustomerConversation(page, runtime, `+${PHOTO_FROM}`);
    await log.getByRole('button', { name: 'Show the image' }).click();
    const image = log.getByRole('img', { name: 'image 1' });
    await image.waitFor({ timeout: 30_000 });
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    // Decoded: the page's CSP let the blob: address load.
    await expect
      .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: 30_000,
      })
      .toBe(1);
    expect(fake.seen.filter((s) => s.path === '/cdn/99101')).toEqual([
      { path: '/cdn/99101', authorization: `Bearer ${WA_TOKEN}` },
    ]);
  }, 90_000);

  it("plays the voicemail in the view on a click, fetched from Twilio with the account's credentials", async () => {
    const log = await openCustomerConversation(page, runtime, CALLER);
    // Twilio's https address is a link (test/browser/console-calls.test.ts); the fake's http one a button.
    await log.getByRole('button', { name: 'Play the voicemail' }).click();
    const player = log.locator('audio');
    await player.waitFor({ timeout: 30_000 });
    expect(await player.getAttribute('src')).toMatch(/^blob:/);
    expect(fake.seen.filter((s) => s.path.startsWith(RECORDING_PATH))).toEqual([
      { path: `${RECORDING_PATH}.mp3`, authorization: `Basic ${basicOf(SID, SECRETS.twilio)}` },
    ]);
    // No new tab to Twilio: the click stayed in the view.
    expect(browser.contexts().flatMap((c) => c.pages())).toHaveLength(1);
  }, 90_000);
});
