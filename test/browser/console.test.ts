import type { Page, Response } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IG_ACCOUNT, instagramText, waitUntil, whatsappStatus, whatsappText } from '../support/webhooks.js';
import {
  ANA,
  answerConfirm,
  type CuttableLive,
  cuttableLive,
  postMeta,
  signIn,
  useConsole,
} from './console-support.js';

const DANA = { from: '15550003001', name: 'Dana Live' };
const now = () => new Date().toISOString();

describe('the console in a real browser: an agent answers a WhatsApp customer live', () => {
  const { runtime, browser } = useConsole();
  let page: Page;
  let network: CuttableLive;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    network = await cuttableLive(page);
  }, 120_000);
  // A step that failed with the network down does not take the next one with it.
  afterEach(() => {
    network?.restore();
  });

  const live = () => page.getByRole('status').filter({ hasText: /^Live$/ });
  const timeline = () => page.getByRole('log', { name: 'Messages' });

  it('signs in with the development token and goes live', async () => {
    await signIn(page, runtime);
    await live().waitFor({ timeout: 30_000 });
    // Who is signed in, in the header (the agent's id is also in lists now that signing in registers them).
    expect(await page.locator('.me').filter({ hasText: ANA.id }).isVisible()).toBe(true);
  }, 60_000);

  it('shows a WhatsApp message in the inbox as it arrives, without a reload', async () => {
    const text = 'Hi, is the blue one in stock?';
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({ ...DANA, messages: [{ id: 'wamid.live.1', at: now(), text }] }),
    );
    await page.getByRole('button', { name: /Dana Live/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /Dana Live/ }).click();
    await timeline().getByText(text).waitFor({ timeout: 30_000 });
    await page.locator('[data-channel-reason="whatsapp"]', { hasText: '(open)' }).waitFor();
  }, 60_000);

  it('names the inbox rows from the inbox answer, no read per customer, and shows a new name live', async () => {
    const eve = { from: '15550003009' };
    const paths: string[] = [];
    const onRequest = (request: { url(): string }) => paths.push(new URL(request.url()).pathname);
    page.on('request', onRequest);
    try {
      const first = { id: 'wamid.live.eve1', at: now(), text: 'Do you ship to Oslo?' };
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({ ...eve, name: 'Eve Later', messages: [first] }),
      );
      await page.getByRole('button', { name: /Eve Later/ }).waitFor({ timeout: 30_000 });
      // A message written earlier, delivered late, names her as she was first known: the profile changes.
      const earlier = {
        id: 'wamid.live.eve0',
        at: new Date(Date.now() - 60_000).toISOString(),
        text: 'Hello?',
      };
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({ ...eve, name: 'Eve Earlier', messages: [earlier] }),
      );
      await page.getByRole('button', { name: /Eve Earlier/ }).waitFor({ timeout: 30_000 });
    } finally {
      page.off('request', onRequest);
    }
    const eveId = await runtime.store.customers.findCustomerId({ kind: 'phone', value: `+${eve.from}` });
    expect(eveId).toBeDefined();
    expect(paths.filter((path) => path.startsWith('/api/conversations'))).not.toEqual([]);
    expect(paths.filter((path) => path.startsWith(`/api/customers/${eveId}`))).toEqual([]);
  }, 90_000);

  it('sends a reply that moves queued → sent → delivered → read on screen as statuses arrive', async () => {
    const text = 'Yes: it ships today.';
    const reply = timeline().locator('article.message.out', { hasText: text });
    // The send's answer (queued) is held until the live socket has shown the reply sent, the order a
    // busy network can give them: the answer coming second must not take the status back.
    const replies = '**/api/conversations/*/replies';
    await page.route(replies, async (route) => {
      const answer = await route.fetch();
      await reply.locator('[data-status="sent"]').waitFor({ timeout: 30_000 });
      await route.fulfill({ response: answer });
    });
    const box = page.getByLabel('Reply', { exact: true });
    await box.fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    // The field empties once the answer is in the timeline.
    await expect.poll(() => box.inputValue(), { timeout: 30_000 }).toBe('');
    await page.unroute(replies);
    expect(await reply.locator('[data-status]').getAttribute('data-status')).toBe('sent');
    let providerId = '';
    let callbackData: string | undefined;
    await waitUntil(() => {
      const entry = runtime.outbox.entries().find((e) => e.message.text === text);
      providerId = entry?.providerMessageId ?? '';
      // WhatsApp hands back the key the send carried (biz_opaque_callback_data) on every status.
      callbackData = entry?.replyKey;
      return providerId !== '';
    }, 'the reply reaches the outbox');
    for (const status of ['sent', 'delivered', 'read'] as const) {
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappStatus({ id: providerId, status, at: now(), recipient: DANA.from, callbackData }),
      );
      await reply.locator(`[data-status="${status}"]`).waitFor({ timeout: 30_000 });
    }
    expect(await reply.locator('.status').textContent()).toBe('Read');
    expect(runtime.outbox.entries().filter((e) => e.message.text === text)).toHaveLength(1);
  }, 90_000);

  it('adds a note', async () => {
    await page.getByRole('button', { name: 'Note', exact: true }).click();
    await page.getByLabel('Note (only agents see it)').fill('Customer prefers WhatsApp.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await timeline()
      .locator('article.note', { hasText: 'Customer prefers WhatsApp.' })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
  }, 60_000);

  it('accepts a merge suggestion raised by a number written on Instagram, and shows both channels on one timeline', async () => {
    await postMeta(
      runtime,
      '/webhooks/meta',
      instagramText({
        sender: '9913001',
        mid: 'm_console_1',
        at: now(),
        text: 'It is Dana, my WhatsApp is +15550003001',
      }),
    );
    const accept = page.getByRole('button', { name: 'Accept (merge)' });
    await accept.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('list', { name: 'Evidence' }).textContent()).toContain('+15550003001');
    // The merge's live events show it long before its answer under load (seconds), and the answer reads
    // the timeline again: both are in before the step ends, or that read would come while a later step
    // has the socket down and show what arrived meanwhile without the reconnect. (Both waits are set
    // before the click: the answer's events and the read's can come in one batch.)
    let answered = false;
    const isAnswer = (r: Response) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/accept')) answered = true;
      return answered;
    };
    const answer = page.waitForResponse(isAnswer, { timeout: 30_000 });
    const reread = page.waitForRequest((r) => answered && r.url().includes('/timeline?order=newest'), {
      timeout: 30_000,
    });
    await accept.click();
    expect((await answer).status()).toBe(200);
    expect((await (await reread).response())?.status()).toBe(200);
    await timeline().getByText('It is Dana, my WhatsApp is +15550003001').waitFor({ timeout: 30_000 });
    await timeline().getByText('Switched from WhatsApp to Instagram').waitFor();
    expect(await accept.count()).toBe(0);
    await expect
      .poll(() => page.locator('.identities').textContent(), { timeout: 30_000 })
      .toContain(`${IG_ACCOUNT}:9913001`);
  }, 90_000);

  it('resolves with the e shortcut', async () => {
    await page.locator('body').focus();
    // The button turns with the live event; the answer, later under load, is in before the step ends.
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/resolve'),
      { timeout: 30_000 },
    );
    await page.keyboard.press('e');
    // Asked first (a stray `e` resolves nothing), answered with the question's Resolve.
    await answerConfirm(page, true);
    expect((await answered).status()).toBe(200);
    await page.getByRole('button', { name: 'Reopen' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.conversation-head .meta').textContent()).toMatch(/^Resolved/);
  }, 60_000);

  it('shows what arrived while the socket was down, once it reconnects', async () => {
    await network.cut();
    const text = 'Sorry, one more question: does it come in red?';
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({ ...DANA, messages: [{ id: 'wamid.live.2', at: now(), text }] }),
    );
    await runtime.idle();
    expect(await timeline().getByText(text).count()).toBe(0);
    network.restore();
    await live().waitFor({ timeout: 60_000 });
    await timeline().getByText(text).waitFor({ timeout: 30_000 });
    expect(await timeline().getByText(text).count()).toBe(1);
  }, 120_000);

  it('brings back a conversation resolved on a reply WhatsApp could not deliver, live', async () => {
    // The customer's last message may predate the resolve (WhatsApp's times are whole seconds), so
    // it need not have reopened the conversation: the agent reopens it to answer.
    const reopen = page.getByRole('button', { name: 'Reopen' });
    if (await reopen.isVisible()) await reopen.click();
    await page.getByRole('button', { name: 'Resolve', exact: true }).waitFor({ timeout: 30_000 });
    // What the customer's last message set off (routing, an AI answer) is done before the agent answers.
    await runtime.idle();
    const text = 'Red is in stock, yes.';
    const reply = timeline().locator('article.message.out', { hasText: text });
    await page.getByLabel('Reply', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    // Sent on screen: the sender has recorded the send and the answer it gives.
    await reply.locator('[data-status="sent"]').waitFor({ timeout: 30_000 });
    const entry = runtime.outbox.entries().find((e) => e.message.text === text);
    if (!entry?.providerMessageId) throw new Error('the reply is not in the outbox');
    // A send puts focus back in the reply's text: `e` is pressed outside it, on the heading.
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('e');
    await answerConfirm(page, true);
    await page.getByRole('button', { name: 'Reopen' }).waitFor({ timeout: 30_000 });
    // Resolved, it leaves the open inbox; the failure brings it back there, live.
    const row = page.getByRole('navigation', { name: 'Inbox' }).getByRole('button', { name: /Dana Live/ });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(0);
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappStatus({
        id: entry.providerMessageId,
        status: 'failed',
        at: now(),
        recipient: DANA.from,
        callbackData: entry.replyKey,
      }),
    );
    await runtime.idle();
    // A failure names the conversation's times (the reopen compares them with the failed reply's).
    const state = async () => {
      const res = await fetch(`${runtime.url}/api/conversations/${entry.message.conversationId}`, {
        headers: { authorization: `Bearer ${ANA.token}` },
      });
      const c = (await res.json()) as Record<string, unknown>;
      const { status, resolvedAt, answeredAt, lastInboundAt, waitingSince } = c;
      return JSON.stringify({
        reply: entry.message.at,
        status,
        resolvedAt,
        answeredAt,
        lastInboundAt,
        waitingSince,
      });
    };
    await timeline()
      .getByText('Reopened: a reply was not delivered')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nconversation: ${await state()}`);
      });
    await reply.locator('[data-status="failed"]').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Resolve', exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.conversation-head .meta').textContent()).not.toMatch(/^Resolved/);
    await row.waitFor({ timeout: 30_000 });
  }, 90_000);
});
