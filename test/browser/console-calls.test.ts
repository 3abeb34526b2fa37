import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from '../support/browser.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, sesReceived, signedSes, signedTwilio, snsNotification } from '../support/webhooks.js';
import { ANA, asAna, signIn } from './console-support.js';

const CALLER = '+14155550177';
const RECORDING_URL =
  'https://api.twilio.com/2010-04-01/Accounts/ACcalls000000000000000000000000000/Recordings/REcalls0000000000000000000000000001';
const TRANSCRIPT = 'Hi, this is Sam, order 9 arrived broken, please call me back.';
const EMAIL_FROM = 'Robin Subject <robin.subject@example.org>';
const SUBJECT = 'Broken lamp from order 77';

/**
 * What an agent reads of a phone call and of an email in the conversation view: the voicemail's
 * transcription, its length and a link to hear it, the call's progress, and an email's subject.
 */
describe('the console: voicemail and email subjects', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;

  const twilio = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
    if (answer.status >= 300) throw new Error(`${path} answered ${answer.status}: ${answer.body}`);
  };

  /** Opens the customer's open conversation by its link, as an agent following one would. */
  const open = async (q: string) => {
    const found = await asAna<{ items: Customer[] }>(runtime, `/api/customers?q=${encodeURIComponent(q)}`);
    const id = found.items[0]?.openConversationId;
    if (!id) throw new Error(`no open conversation for ${q}`);
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    await page.locator('section.timeline[aria-busy="false"]').waitFor({ timeout: 60_000 });
    return page.getByRole('log', { name: 'Messages' });
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin` } });
    browser = await launchBrowser();
    const call = {
      CallSid: 'CAcalls000000000000000000000000001',
      AccountSid: 'ACcalls000000000000000000000000000',
      From: CALLER,
      To: '+15005550006',
      Direction: 'inbound',
    };
    await twilio('/webhooks/twilio/voice', { ...call, CallStatus: 'ringing' });
    await twilio(`/webhooks/twilio/voice/recording?${new URLSearchParams({ From: CALLER, To: call.To })}`, {
      AccountSid: call.AccountSid,
      CallSid: call.CallSid,
      RecordingSid: 'REcalls0000000000000000000000000001',
      RecordingUrl: RECORDING_URL,
      RecordingStatus: 'completed',
      RecordingDuration: '14',
    });
    await twilio('/webhooks/twilio/voice/transcription', {
      ...call,
      CallStatus: 'completed',
      TranscriptionSid: 'TRcalls0000000000000000000000000001',
      TranscriptionStatus: 'completed',
      TranscriptionText: TRANSCRIPT,
      RecordingSid: 'REcalls0000000000000000000000000001',
      RecordingUrl: RECORDING_URL,
    });
    await twilio('/webhooks/twilio/voice/status', { ...call, CallStatus: 'completed', CallDuration: '75' });
    const at = new Date().toISOString();
    const mail = sesReceived({
      sesId: 'ses-console-calls-1',
      at,
      from: EMAIL_FROM,
      messageId: '<console-calls-1@example.org>',
      subject: SUBJECT,
      text: 'The lamp came in pieces.',
    });
    const sent = await deliver(
      signedSes(runtime.url, snsNotification(mail, { snsId: 'sns-console-calls-1', at })),
    );
    if (sent.status !== 200) throw new Error(`SES webhook answered ${sent.status}: ${sent.body}`);
    await runtime.idle();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, runtime);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
  });

  it("shows a voicemail's transcription, its length, a link to hear it, and the call's end", async () => {
    const log = await open(CALLER);
    await log.getByText(TRANSCRIPT, { exact: true }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => log.getByText('Voicemail (14 s)', { exact: true }).count(), { timeout: 30_000 })
      .toBe(1);
    await expect
      .poll(() => log.getByText('Voicemail transcription', { exact: true }).count(), { timeout: 30_000 })
      .toBe(1);
    const links = log.getByRole('link', { name: /Play the (voicemail|recording)/ });
    await expect.poll(() => links.count(), { timeout: 30_000 }).toBe(2);
    expect(await links.first().getAttribute('href')).toBe(RECORDING_URL);
    expect(await links.first().getAttribute('rel')).toBe('noopener noreferrer');
    await expect.poll(() => log.getByText(/Call ended \(1 min 15 s\)/).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => log.getByText(/Incoming call/).count(), { timeout: 30_000 }).toBe(1);
    expect(await log.getByText('call voicemail').count()).toBe(0);
  }, 90_000);

  it("shows an email's subject above its text", async () => {
    const log = await open('robin.subject@example.org');
    await log.getByText('The lamp came in pieces.').waitFor({ timeout: 30_000 });
    const subject = log.locator('.subject');
    await expect.poll(() => subject.count(), { timeout: 30_000 }).toBe(1);
    expect(await subject.innerText()).toBe(`Subject: ${SUBJECT}`);
  }, 90_000);
});
