import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ANA,
  greetOnWhatsApp,
  inboxConversationOf,
  openInboxRow,
  signedInPage,
  useConsole,
} from './console-support.js';

const PETRA = { from: '15550009101', name: 'Petra Parcel' };

/**
 * The files an agent sends show on the reply's bubble: the reply's item holds them under
 * `data.attachments` (the customer's own are top-level), and a reply of a file alone is no empty bubble.
 * An outside address is a link that opens in a new tab with no referrer; the console never loads it.
 */
describe('the console: the files of a reply', () => {
  const { runtime, browser } = useConsole();
  let page: Page;
  let conversationId: string;

  const reply = async (body: unknown) => {
    const res = await fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
  };

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'files-out', [PETRA]);
    conversationId = (await inboxConversationOf(runtime, PETRA.name)).id;
    await reply({ attachments: [{ url: 'https://example.com/label.pdf' }] });
    await reply({
      text: 'Here is the photo of your parcel',
      attachments: [{ url: 'https://example.com/parcel.jpg', kind: 'image', filename: 'parcel.jpg' }],
    });
    await runtime.idle();
    page = await signedInPage(browser, runtime);
    await openInboxRow(page, PETRA.name);
  }, 240_000);

  const bubbles = () => page.getByRole('log', { name: 'Messages' }).locator('article.message.out');

  it('shows a file sent alone by its name, as a link that opens it with no referrer', async () => {
    const bubble = bubbles().filter({ hasText: 'label.pdf' });
    await bubble.waitFor({ timeout: 30_000 });
    const link = bubble.getByRole('link', { name: /Open label\.pdf/ });
    expect(await link.getAttribute('href')).toBe('https://example.com/label.pdf');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
  }, 60_000);

  it('shows the file of a reply with text beside its text, and loads no outside address', async () => {
    const bubble = bubbles().filter({ hasText: 'Here is the photo of your parcel' });
    await bubble.waitFor({ timeout: 30_000 });
    const link = bubble.getByRole('link', { name: /Open parcel\.jpg/ });
    expect(await link.getAttribute('href')).toBe('https://example.com/parcel.jpg');
    expect(await bubble.locator('img').count()).toBe(0);
  }, 60_000);
});
