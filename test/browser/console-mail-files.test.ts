import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENTS } from '#shared/channels/ses/mail-content.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from '../support/browser.js';
import type { MailFile } from '../support/mail-files.js';
import { startTestRuntime } from '../support/runtime.js';
import { receiveSes } from '../support/ses-mail.js';
import { sesReceived } from '../support/webhooks.js';
import { ANA, openCustomerConversation, signedInPage } from './console-support.js';

const AT = '2026-03-02T09:00:00.000Z';
const INVOICE: MailFile = {
  filename: 'INV-2291.pdf',
  contentType: 'application/pdf',
  bytes: Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n'),
};
/** The invoice, then one file more than the receiver lists: the last is counted, not kept. */
const FILES: MailFile[] = [
  INVOICE,
  ...Array.from({ length: MAX_ATTACHMENTS }, (_, i) => ({
    filename: `n${i}.txt`,
    contentType: 'text/plain',
    bytes: Buffer.from('x'),
  })),
];

/**
 * An agent opens a file a customer emailed in the conversation view, as a WhatsApp photo is opened
 * (test/browser/media-files.test.ts): the console fetches it through the agent API with the agent's token,
 * and says how many files the mail carried past those kept.
 */
describe('the console: an email customer’s file, opened in the view', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}` } });
    const notification = sesReceived({
      sesId: 'consolemail1',
      at: AT,
      from: 'Mona Mail <mona@acme.example>',
      messageId: '<consolemail1@acme.example>',
      subject: 'My invoice',
      text: 'The invoice is attached.',
      files: FILES,
    });
    await receiveSes(runtime, notification, { snsId: 'sns-consolemail1', at: AT });
    await runtime.idle();
    browser = await launchBrowser();
    page = await signedInPage(browser, runtime);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
  });

  it('downloads the invoice from a click, the bytes that were sent, and counts the files not kept', async () => {
    const log = await openCustomerConversation(page, runtime, 'mona@acme.example');
    await log.getByRole('button', { name: 'Download INV-2291.pdf' }).click();
    const saved = log.getByRole('link', { name: 'Save INV-2291.pdf' });
    await saved.waitFor({ timeout: 30_000 });
    expect(await saved.getAttribute('href')).toMatch(/^blob:/);
    const [download] = await Promise.all([page.waitForEvent('download'), saved.click()]);
    expect(download.suggestedFilename()).toBe('INV-2291.pdf');
    expect(readFileSync(await download.path())).toEqual(INVOICE.bytes);
    await expect.poll(() => log.getByText('1 more file not kept').count()).toBe(1);
  }, 90_000);
});
