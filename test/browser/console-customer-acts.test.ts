import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { idleAfterLaterLooks, SECRETS } from '../support/runtime.js';
import { visitorClient } from '../support/webchat.js';
import {
  deliver,
  IG_ACCOUNT,
  instagramText,
  metaEvent,
  signedTwilio,
  twilioSms,
} from '../support/webhooks.js';
import { asAna, openCustomerConversation, postMeta, signIn, useConsole } from './console-support.js';

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

type WhatsAppBody = { entry: [{ changes: [{ value: { messages: Record<string, unknown>[] } }] }] };
/** A WhatsApp fixture with its one message changed by `change`. */
function whatsapp(path: string, change: (message: Record<string, unknown>) => Record<string, unknown>) {
  const body = fixture(path) as unknown as WhatsAppBody;
  const value = body.entry[0].changes[0].value;
  value.messages = value.messages.map(change);
  return body;
}

const IMAGE_ID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA=';
const DELETED_TEXT = 'Does it come in another color?';
const SCARF = 'The blue scarf, in stock?';
const INVOICE = 'Here is the invoice';
const IG_DELETED = 'My card number is 4111 1111 1111 1111';
const TEAM_ASKED = 'Do you restock the linen trousers in beige?';
const TEAM_UNSENT = 'They are 19.99 now (sale)';

/** An Instagram event between our account and IGSID-team, at `ms`: from them, or (`fromUs`) from us. */
const teamThread = (ms: number, fields: Record<string, unknown>, fromUs = false) => {
  const [us, them] = [{ id: IG_ACCOUNT }, { id: 'IGSID-team' }];
  const sides = fromUs ? { sender: us, recipient: them } : { sender: them, recipient: us };
  return metaEvent({ object: 'instagram', account: IG_ACCOUNT, ms, event: { ...sides, ...fields } });
};

/**
 * What an agent reads of a customer's deletions, edits, reactions and quoted replies, and of messages
 * Threadline does not read, on WhatsApp and Instagram (QA: a deleted message's words stayed on screen,
 * reactions and edits named no message, an unsupported message was an empty bubble, a story mention a
 * nameless file, a contact card had no number).
 */
describe('the console: what the customer did to their messages, and what a message holds', () => {
  const queueTime = new SteppedTimers();
  const { runtime, browser } = useConsole({ queue: { timers: queueTime } });
  let page: Page;
  const elsewhere: string[] = [];

  const open = (q: string) => openCustomerConversation(page, runtime, q);

  beforeAll(async () => {
    // The deletion comes before the message it deletes (the queue keeps no order).
    await postMeta(runtime, '/webhooks/whatsapp', fixture('whatsapp/revoke.json'));
    await postMeta(runtime, '/webhooks/whatsapp', fixture('whatsapp/text.json'));
    await postMeta(runtime, '/webhooks/whatsapp', fixture('whatsapp/image.json'));
    await postMeta(runtime, '/webhooks/whatsapp', fixture('whatsapp/edit.json'));
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsapp('whatsapp/reaction.json', (m) => ({ ...m, reaction: { message_id: IMAGE_ID, emoji: '😀' } })),
    );
    await postMeta(runtime, '/webhooks/whatsapp', fixture('whatsapp/contacts.json'));
    // Captioned media: an image as the fixture has it, a document with a file name.
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsapp('whatsapp/image.json', (m) => ({
        ...m,
        id: 'wamid.console-acts-scarf',
        timestamp: '1750032400',
        image: { ...(m.image as object), id: 'media-scarf', caption: SCARF },
      })),
    );
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsapp('whatsapp/image.json', ({ image, ...m }) => ({
        ...m,
        id: 'wamid.console-acts-invoice',
        timestamp: '1750032410',
        type: 'document',
        document: {
          ...(image as object),
          id: 'media-invoice',
          caption: INVOICE,
          filename: 'invoice-1042.pdf',
          mime_type: 'application/pdf',
        },
      })),
    );
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsapp('whatsapp/text.json', (m) => ({
        ...m,
        id: 'wamid.console-acts-quote',
        timestamp: '1750032500',
        text: { body: 'Is it warm?' },
        context: { from: '16505551234', id: IMAGE_ID },
      })),
    );
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsapp('whatsapp/text.json', ({ text: _text, ...m }) => ({
        ...m,
        id: 'wamid.console-acts-future',
        timestamp: '1750032510',
        type: 'hologram',
        hologram: { id: 'h1' },
      })),
    );
    const ig = fixture('meta/peer-instagram_unsend_deleted.json') as {
      entry: [{ messaging: [{ message: Record<string, unknown>; timestamp: unknown }] }];
    };
    // Sent a minute ago and unsent after it: a deletion looks for its message a week back (the fixture's
    // 2021 time is further).
    ig.entry[0].messaging[0].timestamp = Date.now() - 30_000;
    const said = structuredClone(ig);
    said.entry[0].messaging[0].message = { mid: 'message-id-to-delete', text: IG_DELETED };
    said.entry[0].messaging[0].timestamp = Date.now() - 60_000;
    await postMeta(runtime, '/webhooks/meta', said);
    await postMeta(runtime, '/webhooks/meta', ig);
    await postMeta(runtime, '/webhooks/meta', fixture('meta/peer-instagram_story_mention.json'));
    await postMeta(runtime, '/webhooks/meta', fixture('meta/peer-instagram_story_reply.json'));
    await postMeta(runtime, '/webhooks/meta', fixture('meta/peer-instagram_unsupported.json'));
    const now = new Date().toISOString();
    await postMeta(
      runtime,
      '/webhooks/meta',
      instagramText({ sender: 'IGSID-long', mid: 'm-long', at: now, text: 'hi' }),
    );
    // A colleague's acts from the Instagram app: a reaction to the customer's question, a message sent
    // and unsent; then the customer's heart (a like sent alone).
    const t = Date.now() - 50_000;
    await postMeta(
      runtime,
      '/webhooks/meta',
      teamThread(t, { message: { mid: 'ig-team-q', text: TEAM_ASKED } }),
    );
    const react = { mid: 'ig-team-q', action: 'react', reaction: 'like', emoji: '👍' };
    await postMeta(runtime, '/webhooks/meta', teamThread(t + 1_000, { reaction: react }, true));
    const unsent = { mid: 'ig-team-w', text: TEAM_UNSENT, is_echo: true };
    await postMeta(runtime, '/webhooks/meta', teamThread(t + 2_000, { message: unsent }, true));
    await runtime.idle();
    const unsend = { mid: 'ig-team-w', is_deleted: true, is_echo: true };
    await postMeta(runtime, '/webhooks/meta', teamThread(t + 3_000, { message: unsend }, true));
    const mention = fixture('meta/peer-instagram_story_mention_echo.json') as {
      entry: [{ messaging: [{ message: Record<string, unknown> }] }];
    };
    const mentioned = { ...mention.entry[0].messaging[0].message, mid: 'ig-team-mention' };
    await postMeta(runtime, '/webhooks/meta', teamThread(t + 3_500, { message: mentioned }, true));
    const heart = { mid: 'ig-team-heart', attachments: [{ type: 'like_heart' }] };
    await postMeta(runtime, '/webhooks/meta', teamThread(t + 4_000, { message: heart }));
    // Meta's news about the thread (a handover event) is no message of the customer's; it comes after
    // their message (one about someone never seen is kept aside).
    await runtime.idle();
    const passed = Date.now();
    await postMeta(runtime, '/webhooks/meta', {
      object: 'instagram',
      entry: [
        {
          id: IG_ACCOUNT,
          time: passed,
          messaging: [
            {
              sender: { id: 'IGSID-long' },
              recipient: { id: IG_ACCOUNT },
              timestamp: passed,
              pass_thread_control: { new_owner_app_id: '263902037430900', metadata: '' },
            },
          ],
        },
      ],
    });
    // The revoke that came first looks for its message again a minute later: the queue's time moves on.
    await idleAfterLaterLooks(runtime, queueTime);
    page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(runtime.url)) elsewhere.push(request.url());
    });
    await signIn(page, runtime);
  }, 120_000);

  it('hides a deleted WhatsApp message, shows the newest text of an edited one and the reaction on it', async () => {
    const log = await open('+16505551234');
    await log.getByText('Black jacket, size M', { exact: true }).waitFor({ timeout: 30_000 });
    const deleted = log.locator('article.message.deleted');
    await expect.poll(() => deleted.count(), { timeout: 30_000 }).toBe(1);
    expect(await deleted.innerText()).toContain('This message was deleted by the customer.');
    expect(await log.getByText(DELETED_TEXT).count()).toBe(0);
    expect(await log.getByText(/Customer deleted their message of/).count()).toBe(1);

    const image = log.locator('article.message.in').filter({ hasText: 'Black jacket, size M' }).first();
    expect(await image.locator('details.edited summary').innerText()).toContain('Edited by the customer');
    expect(await image.locator('.reaction').innerText()).toContain('😀');
    // WhatsApp's media answers only with the business's token: no link to a page that cannot open.
    expect(await image.getByRole('link', { name: 'Open' }).count()).toBe(0);
    expect(await log.getByText('Customer reacted 😀 to “Black jacket, size M”').count()).toBe(1);
    expect(await log.getByText('Replying to “Black jacket, size M”').count()).toBe(1);
  }, 90_000);

  // QA: a captioned image showed its caption twice, as the text and as the attachment's name.
  it('shows a WhatsApp caption once, as the text; the attachment by its kind, or its file name', async () => {
    const log = await open('+16505551234');
    /** The attachments as written (the kind is shown in capitals). */
    const files = async (message: Locator) =>
      ((await message.getByRole('list', { name: 'Attachments' }).textContent()) ?? '')
        .replace(/\s+/g, ' ')
        .trim();
    const scarf = log.locator('article.message.in').filter({ hasText: SCARF });
    await scarf.waitFor({ timeout: 30_000 });
    expect(await scarf.getByText(SCARF).count()).toBe(1);
    expect(await files(scarf)).toBe('image (image/jpeg)');
    const invoice = log.locator('article.message.in').filter({ hasText: INVOICE });
    expect(await invoice.getByText(INVOICE).count()).toBe(1);
    expect(await files(invoice)).toBe('document invoice-1042.pdf (application/pdf)');
    // The edited caption's image: neither its old caption nor its new one as the attachment's name.
    const jacket = log.locator('article.message.in').filter({ hasText: 'Black jacket, size M' }).first();
    expect(await files(jacket)).toBe('image (image/jpeg)');
  }, 90_000);

  it('says what a WhatsApp contact card and an unknown message type hold', async () => {
    const log = await open('+16505551234');
    await log.getByText(/Contact card: Barbara J\. Johnson \(/).waitFor({ timeout: 30_000 });
    expect(await log.getByText(/Contact card: .*\+1 \(650\) 555-1234, bjohnson@example\.com/).count()).toBe(
      1,
    );
    expect(await log.getByText(/^Unsupported message \(hologram\): WhatsApp did not send/).count()).toBe(1);
  }, 90_000);

  it('hides an unsent Instagram message, and names story mentions, story replies and unsupported ones', async () => {
    const log = await open('chatwoot-app-user-id-1:Sender-id-1');
    await log.getByText('This is the story reply', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await log.getByText(IG_DELETED).count()).toBe(0);
    expect(await log.locator('article.message.deleted').count()).toBe(1);
    expect(await log.getByText('Replied to your Instagram story.').count()).toBe(1);
    // The story itself: a link (https only) opened in a new tab with no referrer, never loaded here.
    const story = log.getByRole('link', { name: 'Open the story' });
    expect(await story.getAttribute('href')).toBe('https://chatwoot-assets.local/sample.png');
    expect(await story.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await story.getAttribute('target')).toBe('_blank');
    expect(await log.locator('img').count()).toBe(0);
    expect(await log.getByText('Mentioned you in their Instagram story.').count()).toBe(1);
    expect(await log.getByText(/^Unsupported message: Instagram did not send/).count()).toBe(1);
    // The story's file opens in a new tab on a click; the console itself asks nothing of Meta's CDN.
    const link = log.getByRole('link', { name: 'Open' }).first();
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(elsewhere).toEqual([]);
  }, 90_000);

  // QA: a colleague's reaction read "Unsupported message (reaction)", a message they unsent stayed
  // "Sent" beside "Unsupported message (delete)", and a heart read "Unsupported message (like heart)".
  it("shows a colleague's reaction and unsend from the Instagram app, and the customer's heart", async () => {
    const log = await open(`${IG_ACCOUNT}:IGSID-team`);
    await log.getByText(TEAM_ASKED, { exact: true }).waitFor({ timeout: 30_000 });
    expect(await log.getByText(`Your team reacted 👍 to “${TEAM_ASKED}” (from the app)`).count()).toBe(1);
    const asked = log.locator('article.message.in').filter({ hasText: TEAM_ASKED });
    expect(await asked.locator('.reaction.team').innerText()).toContain("👍 your team's reaction");
    const gone = log.locator('article.message.out.deleted');
    expect(await gone.innerText()).toContain('Unsent by your team from the app.');
    expect(await gone.locator('.status').count()).toBe(0);
    expect(await log.getByText(TEAM_UNSENT).count()).toBe(0);
    expect(await log.getByText(/Your team unsent their message of /).count()).toBe(1);
    expect(await log.getByText('Liked ❤️: not a question, nothing waits on it.').count()).toBe(1);
    // The brand's own story that mentions the customer, as Instagram echoes it: not "you" mentioned.
    expect(await log.getByText('Mentioned the customer in your Instagram story.').count()).toBe(1);
    expect(await log.getByText(/Unsupported message/).count()).toBe(0);
  }, 90_000);

  // QA: the inbox and the conversation's heading showed the raw `17841…:IGSID-…` as the name.
  it('calls an Instagram customer with no name "Instagram user", the id in the title', async () => {
    const id = `${IG_ACCOUNT}:IGSID-long`;
    await page.goto(`${runtime.url}/console`);
    const row = page.locator('.conversation-row .name').filter({ hasText: 'Instagram user' }).first();
    await row.waitFor({ timeout: 30_000 });
    expect(await page.locator(`.conversation-row .name[title="${id}"]`).innerText()).toBe('Instagram user');
    expect(await page.locator('.conversation-row .name').getByText(id).count()).toBe(0);
    const log = await open(id);
    const heading = page.locator('#conversation-title');
    await heading.filter({ hasText: 'Instagram user' }).waitFor({ timeout: 30_000 });
    expect(await heading.getAttribute('title')).toBe(id);
    // A handover event reads as the event it is, not as an unsupported message from the customer.
    await log.getByText('Instagram event (pass thread control): not a message.').waitFor({ timeout: 30_000 });
    expect(await log.getByText(/Unsupported message \(pass thread control\)/).count()).toBe(0);
  }, 90_000);

  // QA: an anonymous web-chat customer with no name showed its raw visitor id as its name.
  it('calls an unnamed web-chat visitor "Web chat visitor" in the inbox, the heading and the customer panel, the id in the title', async () => {
    const visitor = visitorClient(runtime.url);
    const { sessionToken } = (await (await visitor.session()).json()) as { sessionToken: string };
    expect((await visitor.send(sessionToken, 'Is anyone there?')).status).toBe(202);
    await runtime.idle();
    const { customerId } = (await (await visitor.history(sessionToken)).json()) as { customerId: string };
    const customer = await asAna<Customer>(runtime, `/api/customers/${customerId}`);
    const id = customer.identities.find((i) => i.kind === 'webchat_visitor')?.value as string;
    expect(id).toBeTruthy();
    await page.goto(`${runtime.url}/console`);
    const row = page.locator(`.conversation-row .name[title="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toBe('Web chat visitor');
    await row.click();
    const heading = page.locator('#conversation-title');
    await heading.filter({ hasText: 'Web chat visitor' }).waitFor({ timeout: 30_000 });
    expect(await heading.getAttribute('title')).toBe(id);
    // At this width the customer panel stands beside the conversation.
    const name = page.getByRole('complementary', { name: 'Customer' }).locator('.customer-id strong');
    await name.filter({ hasText: 'Web chat visitor' }).waitFor({ timeout: 30_000 });
    expect(await name.getAttribute('title')).toBe(id);
  }, 90_000);

  // The API refuses it (422 text_too_long); the box says so while the agent types, and Send waits.
  it('says while typing that a reply is longer than Instagram takes, and keeps Send off until it fits', async () => {
    await open(`${IG_ACCOUNT}:IGSID-long`);
    const box = page.getByRole('textbox', { name: 'Reply' });
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await box.fill('y'.repeat(1001));
    const said = page.locator('#reply-too-long');
    await said.waitFor({ timeout: 30_000 });
    expect(await said.innerText()).toContain('Instagram takes at most 1000 in one message. Shorten it by 1');
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await send.isDisabled()).toBe(true);
    await box.fill('y'.repeat(1000));
    await said.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await send.isDisabled()).toBe(false);
  }, 90_000);

  // QA: the box allowed the Cloud API's 4,096, and Twilio refused the reply at send time.
  it("says Twilio's 1,600 for a WhatsApp customer reached through Twilio", async () => {
    const phone = '+14155550941';
    const params = {
      ...twilioSms({ sid: 'SMconsoleactstwilio000000000000001', from: `whatsapp:${phone}`, text: 'Hi' }),
      To: 'whatsapp:+15005550006',
    };
    const taken = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(taken.status).toBeLessThan(300);
    await runtime.idle();
    await open(phone);
    const box = page.getByRole('textbox', { name: 'Reply' });
    await box.fill('y'.repeat(1601));
    const said = page.locator('#reply-too-long');
    await said.waitFor({ timeout: 30_000 });
    expect(await said.innerText()).toContain('WhatsApp takes at most 1600 in one message. Shorten it by 1');
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
  }, 90_000);
});
