import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { shopForTests } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-send-status-agent');
const WAIT = { timeout: 30_000 };

/**
 * What a message waiting to go says on a bad network, the page's clock faked: once a try failed,
 * "Not sent yet, trying again…" until it goes (the messages behind it too), and offline "Waiting for
 * connection" on every one. Before, a hung network flickered between "Sending…" (each 15 s try) and
 * "Not sent yet…" (the waits between them) for two minutes, and offline the messages behind the first
 * said "Sending…" under "You are offline".
 */
describe('the web-chat widget’s send status on a bad network', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);

  const visit = async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.clock.install();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    return page;
  };
  const write = async (page: Page, text: string) => {
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text, WAIT);
    await box.press('Enter');
  };
  const statusOf = (page: Page, text: string) =>
    page.locator('.msg.visitor', { hasText: text }).locator('.meta').textContent();
  /** The page's timers stop: from here only `runFor` moves them. */
  const pause = async (page: Page) =>
    page.clock.pauseAt(((await page.evaluate('Date.now()')) as number) + 1000);

  it('says "Not sent yet, trying again…" through a hung try after the first failed, on the message behind too', async () => {
    const page = await visit();
    await pause(page);
    const tries: string[] = [];
    const held: Route[] = [];
    await page.route(`${shop.runtime.url}/webchat/messages*`, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      tries.push(route.request().postDataJSON().text);
      // The first try fails at once; the next hang, as a network that takes the request and never answers.
      if (tries.length === 1) return route.abort('internetdisconnected');
      held.push(route);
    });
    await write(page, 'First of two');
    await write(page, 'Second of two');
    await expect.poll(() => statusOf(page, 'First of two'), WAIT).toContain('Not sent yet, trying again…');
    await page.clock.runFor(1000);
    await expect.poll(() => tries.length, WAIT).toBe(2);
    // The second try is under way (hung): before, "Sending…" until its 15 s ran out.
    await page.clock.runFor(5000);
    expect(await statusOf(page, 'First of two')).toContain('Not sent yet, trying again…');
    expect(await statusOf(page, 'Second of two')).toContain('Not sent yet, trying again…');
    await page.unroute(`${shop.runtime.url}/webchat/messages*`);
    await page.clock.runFor(60_000);
    await expect.poll(() => statusOf(page, 'Second of two'), WAIT).toContain('Sent');
    expect(await statusOf(page, 'First of two')).toContain('Sent');
  });

  it('says "Waiting for connection" on every message written offline, and sends them once back', async () => {
    const page = await visit();
    await page.context().setOffline(true);
    await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor(WAIT);
    await pause(page);
    await write(page, 'Offline one');
    await write(page, 'Offline two');
    await write(page, 'Offline three');
    await page.clock.runFor(3000);
    const said = [];
    for (const text of ['Offline one', 'Offline two', 'Offline three']) said.push(await statusOf(page, text));
    // Before: "Not sent yet, trying again…" on the first, "Sending…" on the two behind it.
    for (const status of said) expect(status).toContain('Waiting for connection');
    await page.context().setOffline(false);
    await page.clock.runFor(5000);
    await expect.poll(() => statusOf(page, 'Offline three'), WAIT).toContain('Sent');
    expect(await statusOf(page, 'Offline one')).toContain('Sent');
  });
});
