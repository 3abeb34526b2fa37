import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { AFTER_HOURS, shopForTests } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-dates-agent');
const WAIT = { timeout: 30_000 };
const DAY = 86_400_000;
/** Noon (UTC) of today: the page's clock, fixed there; sessions Threadline makes now are valid at it. */
const NOON = Date.parse(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`);
const BROWSER = { locale: 'en-US', timezoneId: 'UTC' };

/**
 * The days in the log and the date of the next opening, with the page's clock fixed: a message shows
 * its time only, so each day of the log gets a line ("Today", "Yesterday", a date), and an opening more
 * than 6 days away its date. Before, a reply of three days ago read as one of today, and "A person will
 * answer from Mon 09:00 AM" named a Monday years ahead.
 */
describe('the web-chat widget’s days and dates', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);

  const visit = async (page: Page) => {
    await page.clock.setFixedTime(NOON);
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
  };
  const reply = (id: string, at: number, text: string) => ({
    id: `reply:${id}`,
    at: new Date(at).toISOString(),
    author: 'agent',
    text,
    status: 'read',
  });

  it('puts a line naming the day above each day of the log', async () => {
    const page = await (await shop.browser.newContext(BROWSER)).newPage();
    await visit(page);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    // The history as it would be with replies from days before: three days ago, yesterday, and today.
    const earlier = [
      reply('d3', NOON - 3 * DAY - 3_600_000, 'Your parcel left the depot.'),
      reply('d1', NOON - DAY + 3_600_000, 'It is out for delivery.'),
      reply('d0', NOON - 3_600_000, 'Delivered this morning.'),
    ];
    await page.route(`${shop.runtime.url}/webchat/messages*`, async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const real = (await (await route.fetch()).json()) as { messages: unknown[] };
      await route.fulfill({ json: { ...real, messages: [...earlier, ...real.messages] } });
    });
    await page.reload();
    await page.locator('.msg.agent', { hasText: 'Delivered this morning.' }).waitFor(WAIT);
    const days = await page.locator('.divider.day').allTextContents();
    const threeAgo = new Date(NOON - 3 * DAY).toLocaleDateString('en-US', {
      weekday: 'long',
      month: 'long',
      day: 'numeric',
      timeZone: 'UTC',
    });
    expect(days).toEqual([threeAgo, 'Yesterday', 'Today']);
    const lines = await page.locator('.log > li').evaluateAll((items) => items.map((li) => li.className));
    // Each line above its own day's message.
    expect(lines.slice(1, 7)).toEqual([
      'divider day',
      'msg agent',
      'divider day',
      'msg agent',
      'divider day',
      'msg agent',
    ]);
  });

  it('gives the next opening its date when it is more than 6 days away, and a weekday alone within them', async () => {
    const page = await (await shop.browser.newContext(BROWSER)).newPage();
    const soon = { ...AFTER_HOURS, nextOpenAt: new Date(NOON + 2 * DAY).toISOString() };
    let answer = AFTER_HOURS;
    await page.context().route('**/webchat/availability', (route) => route.fulfill({ json: answer }));
    await visit(page);
    const note = page.getByRole('status').filter({ hasText: 'We are away now' });
    // 2030-01-07 is a Monday, years from the page's clock.
    await expect
      .poll(() => note.textContent(), WAIT)
      .toContain('A person will answer from Mon, Jan 7, 09:00 AM.');
    answer = soon;
    const page2 = await page.context().newPage();
    await visit(page2);
    const weekday = new Date(NOON + 2 * DAY).toLocaleString('en-US', {
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
    });
    const note2 = page2.getByRole('status').filter({ hasText: 'We are away now' });
    await expect.poll(() => note2.textContent(), WAIT).toContain(`A person will answer from ${weekday}.`);
  });
});
