import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { SECRETS } from '../support/runtime.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import {
  deliver,
  sesReceived,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
} from '../support/webhooks.js';
import { ANA, asAna, openCustomerConversation, signIn, useConsole } from './console-support.js';

const CALLER = '+14155550177';
const RECORDING_URL =
  'https://api.twilio.com/2010-04-01/Accounts/ACcalls000000000000000000000000000/Recordings/REcalls0000000000000000000000000001';
const TRANSCRIPT = 'Hi, this is Sam, order 9 arrived broken, please call me back.';
const EMAIL_FROM = 'Robin Subject <robin.subject@example.org>';
const SUBJECT = 'Broken lamp from order 77';
const QUOTING_FROM = 'Quinn Quote <quinn.quote@example.org>';
const QUOTED = '> Your lamp was sent on Monday.';
const UNVERIFIED_FROM = 'Uma Unchecked <uma.unchecked@example.org>';

/**
 * What an agent reads of a phone call and of an email in the conversation view: the voicemail's
 * transcription, its length and a link to hear it, the call's progress, and an email's subject.
 */
describe('the console: voicemail and email subjects', () => {
  // No change feed (no live updates, no webhooks): this file's runtime never had it on.
  const { runtime, browser } = useConsole({ events: false });
  let page: Page;

  const twilio = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
    if (answer.status >= 300) throw new Error(`${path} answered ${answer.status}: ${answer.body}`);
  };

  /** Posts an SES notification in a signed SNS message, as SNS does; SES must take it. */
  const ses = async (notification: unknown, snsId: string, at: string) => {
    const answer = await deliver(signedSes(runtime.url, snsNotification(notification, { snsId, at })));
    if (answer.status !== 200) throw new Error(`SES webhook answered ${answer.status}: ${answer.body}`);
  };

  /** Opens the customer's open conversation by its link, as an agent following one would. */
  const open = (q: string) => openCustomerConversation(page, runtime, q);

  beforeAll(async () => {
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
    // Then a call hung up at the beep (an empty voicemail), one hung up before it, and an SMS STOP.
    const beep = { ...call, CallSid: 'CAcalls000000000000000000000000002' };
    await twilio('/webhooks/twilio/voice', { ...beep, CallStatus: 'ringing' });
    await twilio(`/webhooks/twilio/voice/recording?${new URLSearchParams({ From: CALLER, To: call.To })}`, {
      AccountSid: call.AccountSid,
      CallSid: beep.CallSid,
      RecordingSid: 'REcalls0000000000000000000000000002',
      RecordingUrl: `${RECORDING_URL}2`,
      RecordingStatus: 'completed',
      RecordingDuration: '1',
    });
    await twilio('/webhooks/twilio/voice/status', { ...beep, CallStatus: 'completed', CallDuration: '9' });
    const hungUp = { ...call, CallSid: 'CAcalls000000000000000000000000003' };
    await twilio('/webhooks/twilio/voice', { ...hungUp, CallStatus: 'ringing' });
    await twilio('/webhooks/twilio/voice/status', { ...hungUp, CallStatus: 'completed', CallDuration: '3' });
    // The agent's call-backs (placed from Twilio's API): one not taken, one of 95 s.
    const back = { ...call, From: call.To, To: CALLER, Direction: 'outbound-api' };
    await twilio('/webhooks/twilio/voice/status', {
      ...back,
      CallSid: 'CAcalls000000000000000000000000004',
      CallStatus: 'no-answer',
    });
    await twilio('/webhooks/twilio/voice/status', {
      ...back,
      CallSid: 'CAcalls000000000000000000000000005',
      CallStatus: 'completed',
      CallDuration: '95',
    });
    await twilio(
      '/webhooks/twilio/sms',
      twilioSms({ sid: 'SMcalls000000000000000000000000001', from: CALLER, text: 'STOP' }),
    );
    const at = new Date().toISOString();
    const mail = sesReceived({
      sesId: 'ses-console-calls-1',
      at,
      from: EMAIL_FROM,
      messageId: '<console-calls-1@example.org>',
      subject: SUBJECT,
      text: 'The lamp came in pieces.',
    });
    await ses(mail, 'sns-console-calls-1', at);
    const reply = sesReceived({
      sesId: 'ses-console-calls-2',
      at,
      from: QUOTING_FROM,
      messageId: '<console-calls-2@example.org>',
      subject: 'Re: Your lamp',
      text: `It has not come yet.\n\nOn Mon, 30 Nov 2026 at 09:00, Shop <support@shop.example> wrote:\n${QUOTED}`,
    });
    await ses(reply, 'sns-console-calls-2', at);
    // No DMARC record and no SPF pass: nothing vouches for the From (fromUnverified: not_aligned); two
    // colleagues in Cc; Auto-Submitted makes it automatic mail.
    const unverified = sesReceived({
      sesId: 'ses-console-calls-3',
      at,
      from: UNVERIFIED_FROM,
      messageId: '<console-calls-3@example.org>',
      subject: 'Change my delivery address',
      headers: ['Cc: Vic <vic@example.org>, wes@example.org', 'Auto-Submitted: auto-replied'],
      text: 'Please send my order to 1 New Street.',
    }) as { receipt: Record<string, unknown> };
    unverified.receipt.dmarcVerdict = { status: 'GRAY' };
    unverified.receipt.spfVerdict = { status: 'FAIL' };
    await ses(unverified, 'sns-console-calls-3', at);
    await runtime.idle();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, runtime);
  }, 120_000);

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
    // This call's, and the two hung up at and before the beep.
    await expect.poll(() => log.getByText(/Incoming call/).count(), { timeout: 30_000 }).toBe(3);
    expect(await log.getByText('call voicemail').count()).toBe(0);
  }, 90_000);

  it('shows a hang-up at the beep and before it as missed calls, and what an SMS STOP did', async () => {
    const log = await open(CALLER);
    const count = (text: string | RegExp) => log.getByText(text).count();
    await expect
      .poll(() => count('Missed call: hung up at the beep, nothing recorded (1 s)'), { timeout: 30_000 })
      .toBe(1);
    await expect.poll(() => count('Call ended (9 s)'), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => count('Missed call: hung up with no voicemail (3 s)'), { timeout: 30_000 })
      .toBe(1);
    await expect
      .poll(() => count(/^SMS opt-out: no SMS reaches this number until they text START\./), {
        timeout: 30_000,
      })
      .toBe(1);
    // The empty voicemail is no message with a recording to play: one voicemail and its transcription.
    expect(await log.getByRole('link', { name: /Play the (voicemail|recording)/ }).count()).toBe(2);
  }, 90_000);

  it("shows the agent's call-backs as ours: not taken, and ended, never as the customer's missed calls", async () => {
    const log = await open(CALLER);
    const count = (text: RegExp) => log.getByText(text).count();
    await expect.poll(() => count(/Outgoing call not answered$/), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => count(/Outgoing call ended \(1 min 35 s\)$/), { timeout: 30_000 }).toBe(1);
    // Before, they read "Missed call" and "Call ended (1 min 35 s)", as if the customer had called again.
    expect(await count(/Missed call$/)).toBe(0);
    expect(await count(/ Call ended \(1 min 35 s\)$/)).toBe(0);
  }, 90_000);

  it("shows an email's subject above its text", async () => {
    const log = await open('robin.subject@example.org');
    await log.getByText('The lamp came in pieces.').waitFor({ timeout: 30_000 });
    const subject = log.locator('.subject');
    await expect.poll(() => subject.count(), { timeout: 30_000 }).toBe(1);
    expect(await subject.innerText()).toBe(`Subject: ${SUBJECT}`);
    // Nothing was quoted: no disclosure.
    expect(await log.locator('details.whole-email').count()).toBe(0);
  }, 90_000);

  it('shows where an email reply went and its subject', async () => {
    const found = await asAna<{ items: Array<{ openConversationId?: string }> }>(
      runtime,
      `/api/customers?q=${encodeURIComponent('robin.subject@example.org')}`,
    );
    const res = await fetch(
      `${runtime.url}/api/conversations/${found.items[0]?.openConversationId}/replies`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'A new lamp is on its way.', channel: 'email' }),
      },
    );
    expect(res.status).toBe(202);
    await runtime.idle();
    // The conversation was open already (no live updates here): drawn afresh.
    await page.goto('about:blank');
    const log = await open('robin.subject@example.org');
    const reply = log.locator('article.message.out', { hasText: 'A new lamp is on its way.' });
    await reply.waitFor({ timeout: 30_000 });
    expect(await reply.locator('.recipient').innerText()).toBe('To: robin.subject@example.org');
    expect(await reply.locator('.subject').innerText()).toBe(`Subject: Re: ${SUBJECT}`);
    // The customer's own mail names no recipient.
    const theirs = log.locator('article.message.in', { hasText: 'The lamp came in pieces.' });
    expect(await theirs.locator('.recipient').count()).toBe(0);
  }, 90_000);

  // A response target's breach note and an automation's are written by no agent, as routing's hand-off
  // summary is; before, all three read "Hand-off summary (AI)", so "Target missed." looked like a hand-off.
  it('names who wrote an automatic note: routing, the response target or an automation', async () => {
    const found = await asAna<{ items: Array<{ id: string; openConversationId?: string }> }>(
      runtime,
      `/api/customers?q=${encodeURIComponent(CALLER)}`,
    );
    const customer = found.items[0];
    const at = new Date().toISOString();
    const note = (id: string, text: string, author: string): TimelineItem => ({
      id,
      type: 'note',
      text,
      at,
      customerId: customer?.id ?? '',
      conversationId: customer?.openConversationId ?? '',
      data: { author: { kind: 'ai', id: author } },
    });
    await writeTimelineItems(runtime, [
      note('note:sla-breach', 'Phone target missed.', 'clock'),
      note('note:automation', 'Tagged by the after-hours rule.', 'automation'),
      note('note:handoff', 'Hand-off (voicemail): a voicemail.', 'responder'),
    ]);
    let log = await open(CALLER);
    // The notes went past the change feed: read the conversation afresh, as after a reload.
    await page.reload();
    await page.locator('section.timeline[aria-busy="false"]').waitFor({ timeout: 60_000 });
    log = page.getByRole('log', { name: 'Messages' });
    const byText = (text: string) => log.locator('article.note').filter({ hasText: text }).locator('strong');
    await byText('Phone target missed.').waitFor({ timeout: 30_000 });
    expect(await byText('Phone target missed.').innerText()).toBe('Note by the response target (SLA)');
    expect(await byText('Tagged by the after-hours rule.').innerText()).toBe('Note by an automation');
    // Shown in words: the routing reason's code goes from the note's head (handoffWords).
    expect(await byText('Hand-off: a voicemail.').innerText()).toBe('Hand-off summary (AI)');
  }, 90_000);

  // The text shown is the mail's new part; what it quoted (or what the split took for a quote) is a
  // click away. Before, `data.fullText` reached no screen: an agent never saw what was cut.
  it("shows an email's new text, and the whole email with what it quoted behind a disclosure", async () => {
    const log = await open('quinn.quote@example.org');
    await log.getByText('It has not come yet.', { exact: true }).waitFor({ timeout: 30_000 });
    const whole = log.locator('details.whole-email');
    await expect.poll(() => whole.count()).toBe(1);
    const quoted = whole.getByText(QUOTED, { exact: false });
    expect(await quoted.isVisible()).toBe(false);
    await whole.getByText('Show the whole email, with what it quotes').click();
    await quoted.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await whole.locator('p.text').innerText()).toContain('It has not come yet.');
  }, 90_000);

  // What the resolver keeps for agents to see (README, Identity): who else the mail went to, that
  // nothing vouched for its From (a spoofed one lands on the real customer), that a machine sent it.
  // Before, none of it reached the screen.
  it("shows an email's Cc, an unverified From and an automatic mail's mark", async () => {
    const log = await open('uma.unchecked@example.org');
    await log
      .getByText('Please send my order to 1 New Street.', { exact: true })
      .waitFor({ timeout: 30_000 });
    const message = log.locator('article.message.in').filter({ hasText: '1 New Street' });
    await expect.poll(() => message.locator('.cc').count()).toBe(1);
    expect(await message.locator('.cc').innerText()).toBe('Cc: vic@example.org, wes@example.org');
    const warning = message.locator('.unverified');
    expect(await warning.innerText()).toContain('Unverified sender');
    expect(await message.locator('.automatic').innerText()).toContain('Automatic mail');
    // A verified person's mail carries none of the three.
    const robin = await open('robin.subject@example.org');
    await robin.getByText('The lamp came in pieces.').waitFor({ timeout: 30_000 });
    expect(await robin.locator('.cc, .unverified, .automatic').count()).toBe(0);
  }, 90_000);
});
