import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asAna,
  greetOnWhatsApp,
  inboxConversationOf,
  minutesAgo,
  openInboxRow,
  signedInPage,
  useConsole,
} from './console-support.js';

const RUTH = { from: '15550008001', name: 'Ruth Reload' };
const OMAR = { from: '15550008002', name: 'Omar Other' };
const NINA = { from: '15550008003', name: 'Nina Notes' };
const KAI = { from: '15550008004', name: 'Kai Keeps' };

/**
 * What an agent sends reaches the customer (or the timeline) once, however the tab goes between the
 * send and the retry, and what they type while a send is on its way stays in the box.
 */
describe('the console: a send goes once, and what is typed meanwhile stays', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    const customers = [RUTH, OMAR, NINA, KAI].map((p, i) => ({ ...p, at: minutesAgo(10 - i) }));
    await greetOnWhatsApp(runtime, 'once', customers);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const composer = () => page.getByRole('form', { name: 'Reply or note' });
  const openRow = (name: string) => openInboxRow(page, name);
  const customerOf = (name: string) => inboxConversationOf(runtime, name);
  const outboxTexts = async (start: string) =>
    (await asAna<{ items: Array<{ message: { text?: string } }> }>(runtime, '/api/outbox')).items
      .map((o) => o.message.text)
      .filter((t) => t?.startsWith(start));
  /** The API takes the next post to `pattern`, and its answer never reaches the tab (a dropped connection). */
  const loseNextAnswer = async (pattern: string) => {
    let lost = false;
    const lose = async (route: Route) => {
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('failed');
    };
    await page.route(pattern, lose);
    return () => page.unroute(pattern, lose);
  };

  it('says a reply whose answer was lost went, once the timeline has it, and it does not come back after a reload', async () => {
    await openRow(RUTH.name);
    const stop = await loseNextAnswer('**/replies');
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Your refund went out today.');
    await reply.press('Control+Enter');
    await composer().getByText('Your reply was sent after all').waitFor({ timeout: 30_000 });
    expect(await reply.inputValue()).toBe('');
    await stop();
    await page.reload();
    await page.getByRole('heading', { name: RUTH.name }).waitFor({ timeout: 30_000 });
    const again = composer().getByLabel('Reply', { exact: true });
    await page.locator('section.timeline').getByText('Your refund went out today.').waitFor();
    expect(await again.inputValue()).toBe('');
    await runtime.idle();
    expect(await outboxTexts('Your refund')).toEqual(['Your refund went out today.']);
  }, 120_000);

  it('sends a reply whose answer was lost once, and the same words written again later as a new reply', async () => {
    await openRow(OMAR.name);
    const stop = await loseNextAnswer('**/replies');
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Omar, the courier comes Monday.');
    await reply.press('Control+Enter');
    await composer().getByText('Your reply was sent after all').waitFor({ timeout: 30_000 });
    await stop();
    await openRow(RUTH.name);
    await openRow(OMAR.name);
    const again = composer().getByLabel('Reply', { exact: true });
    expect(await again.inputValue()).toBe('');
    // The same words written again later are a reply of their own.
    await again.fill('Omar, the courier comes Monday.');
    await again.press('Control+Enter');
    await expect.poll(() => again.inputValue(), { timeout: 30_000 }).toBe('');
    await runtime.idle();
    expect(await outboxTexts('Omar, the courier')).toEqual([
      'Omar, the courier comes Monday.',
      'Omar, the courier comes Monday.',
    ]);
  }, 120_000);

  it('says a note whose answer was lost was added, once the timeline has it, and stores it once', async () => {
    await openRow(NINA.name);
    await composer().getByRole('button', { name: 'Note', exact: true }).click();
    const stop = await loseNextAnswer('**/notes');
    const note = composer().getByLabel('Note (only agents see it)');
    await note.fill('Nina: refund approved by the lead');
    await note.press('Control+Enter');
    await composer().getByText('Your note was added after all').waitFor({ timeout: 30_000 });
    await stop();
    await page.reload();
    await page.getByRole('heading', { name: NINA.name }).waitFor({ timeout: 30_000 });
    const again = composer().getByLabel('Note (only agents see it)');
    await page.locator('section.timeline').getByText('Nina: refund approved by the lead').waitFor();
    expect(await again.inputValue()).toBe('');
    const { customerId } = await customerOf(NINA.name);
    const items = await asAna<{ items: Array<{ type: string; text?: string }> }>(
      runtime,
      `/api/customers/${customerId}/timeline?limit=200`,
    );
    expect(items.items.filter((i) => i.text === 'Nina: refund approved by the lead')).toHaveLength(1);
  }, 120_000);

  it('keeps what is typed while a reply is on its way, and sends only what was sent', async () => {
    await openRow(KAI.name);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let posts = 0;
    const hold = async (route: Route) => {
      posts += 1;
      await held;
      await route.continue();
    };
    await page.route('**/replies', hold);
    const reply = composer().getByLabel('Reply', { exact: true });
    await reply.fill('Kai, your order shipped.');
    await reply.press('Control+Enter');
    await expect.poll(() => posts, { timeout: 30_000 }).toBe(1);
    await reply.press('End');
    await reply.pressSequentially(' Tracking: KX12');
    release();
    await expect.poll(() => reply.inputValue(), { timeout: 30_000 }).toBe('Tracking: KX12');
    await page.unroute('**/replies', hold);
    await runtime.idle();
    expect(await outboxTexts('Kai,')).toEqual(['Kai, your order shipped.']);
    // What was kept is the draft: it comes back after another conversation.
    await openRow(RUTH.name);
    await openRow(KAI.name);
    await expect
      .poll(() => composer().getByLabel('Reply', { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe('Tracking: KX12');
  }, 120_000);
});
