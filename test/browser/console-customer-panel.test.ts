import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { whatsappText } from '../support/webhooks.js';
import { ANA, asAna, postMeta, signedInPage, useConsole } from './console-support.js';

const GRACE = { from: '15550009001', name: 'Grace Panel' };
const FIRST =
  'My order #1042 has not arrived yet, and the tracking page has said nothing at all since Monday morning.';
const SECOND = 'Can I change the delivery address?';

interface Row {
  id: string;
  customerId: string;
  customer?: { name?: string };
}

/** The customer panel's list of conversations: what an agent reads to tell them apart. */
describe("the console's customer panel: the customer's conversations", () => {
  // A message a few seconds after a resolve starts a new conversation.
  const { runtime, browser } = useConsole({ env: { REOPEN_WINDOW_HOURS: '0.0002' } });
  let page: Page;
  let resolved: Conversation;
  let open: Conversation;

  /** The first message's own time: a minute before the resolver wrote its conversation. */
  let firstAt: string;

  beforeAll(async () => {
    const send = (id: string, at: number, text: string) =>
      postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({ ...GRACE, messages: [{ id, at: new Date(at).toISOString(), text }] }),
      );
    // WhatsApp times a message to the second.
    firstAt = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000).toISOString();
    await send('wamid.panel.1', Date.parse(firstAt), FIRST);
    await send('wamid.panel.2', Date.now() - 50_000, 'Hello? Anyone there?');
    await runtime.idle();
    const first = await openRowOf(GRACE.name);
    await fetch(`${runtime.url}/api/conversations/${first.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    await send('wamid.panel.3', Date.now() + 5_000, SECOND);
    await runtime.idle();
    const second = await openRowOf(GRACE.name);
    expect(second.id).not.toBe(first.id);
    resolved = await asAna<Conversation>(runtime, `/api/conversations/${first.id}`);
    open = await asAna<Conversation>(runtime, `/api/conversations/${second.id}`);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  async function openRowOf(name: string): Promise<Row> {
    const rows = await asAna<{ items: Row[] }>(runtime, '/api/conversations?status=open');
    const row = rows.items.find((r) => r.customer?.name === name);
    if (!row) throw new Error(`no open conversation of ${name}`);
    return row;
  }

  it('names each conversation by its start, channel, status and first words, with the id for copying only', async () => {
    expect(resolved.preview).toBe('My order #1042 has not arrived yet, and the tracking page…');
    expect(open.preview).toBe(SECOND);
    // The page on the first message's day, whatever the wall clock: in the minute after midnight the
    // message (timed a minute back) was yesterday's, shown with its date.
    await page.clock.setFixedTime(firstAt);
    await page.getByRole('button', { name: new RegExp(GRACE.name) }).click();
    const list = page.locator('aside.customer').getByRole('region', { name: 'Conversations' });
    const links = list.getByRole('button');
    await expect.poll(() => links.count(), { timeout: 30_000 }).toBe(2);
    const [newer, older] = [links.nth(0), links.nth(1)];
    await older
      .getByText('My order #1042 has not arrived yet', { exact: false })
      .waitFor({ timeout: 30_000 });
    await newer.getByText(SECOND).waitFor();
    // Each starts at the earlier of its record's creation and its first message: the older one's message
    // is timed a minute before the resolver wrote it; the newer one's message is timed after.
    for (const [link, conversation, status, start] of [
      [older, resolved, 'Resolved', firstAt],
      [newer, open, 'Open', open.createdAt],
    ] as const) {
      const text = (await link.textContent()) ?? '';
      expect(text).not.toContain('cv_');
      expect(text).toContain('WhatsApp');
      expect(text).toContain(status);
      expect(await link.locator('time').getAttribute('datetime')).toBe(start);
      expect(await link.getAttribute('title')).toContain(conversation.id);
    }
    // The agent's locale's time (today's conversations read as a time of day), as the timeline's.
    const shown = await older.locator('time').textContent();
    const local = await page.evaluate<string>(
      `new Date(${JSON.stringify(firstAt)}).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })`,
    );
    expect(shown).toBe(local);
    // The one shown is marked; the other opens from its button.
    expect(await newer.getAttribute('aria-current')).toBe('true');
    await older.click();
    await page
      .locator('.conversation-head .meta')
      .getByText(/^Resolved/)
      .waitFor({ timeout: 30_000 });
  }, 90_000);
});
