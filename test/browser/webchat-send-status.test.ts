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
  it('counts no try while offline: "Waiting for connection" however long, then each message sent once', async () => {
    const page = await visit();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/webchat/messages')) posts.push(r.postDataJSON().text);
    });
    await page.context().setOffline(true);
    await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor(WAIT);
    await pause(page);
    await write(page, 'In the tunnel');
    await write(page, 'Still in it');
    // Before: six tries of the first (1, 2, 4, 8, 16 s apart), each failing at once, then "Not sent".
    await page.clock.runFor(120_000);
    expect(await statusOf(page, 'In the tunnel')).toContain('Waiting for connection');
    expect(await statusOf(page, 'Still in it')).toContain('Waiting for connection');
    expect(await page.locator('div.sr[aria-live]').textContent()).not.toContain('Not sent');
    expect(posts).toEqual([]);
    await page.context().setOffline(false);
    await page.clock.runFor(5000);
    await expect.poll(() => statusOf(page, 'Still in it'), WAIT).toContain('Sent');
    expect(posts).toEqual(['In the tunnel', 'Still in it']);
  });

  it('takes the screen reader\'s "Not sent" line away once the message is sent, and says it was', async () => {
    const page = await visit();
    await pause(page);
    const route = `${shop.runtime.url}/webchat/messages*`;
    await page.route(route, (r) =>
      r.request().method() === 'POST' ? r.abort('internetdisconnected') : r.fallback(),
    );
    await write(page, 'Lost on the way');
    // A second at a time: the region lets what it told go 5 s after, so it is read as it is told.
    const region = page.locator('div.sr[aria-live]');
    for (let s = 0; s < 150 && !(await region.textContent())?.includes('Not sent'); s++)
      await page.clock.runFor(1_000);
    expect(await region.textContent()).toContain('Not sent: Lost on the way');
    await page.unroute(route);
    await page
      .locator('.msg.visitor', { hasText: 'Lost on the way' })
      .getByRole('button', { name: /Retry/ })
      .click();
    await page.clock.runFor(1000);
    await expect.poll(() => statusOf(page, 'Lost on the way'), WAIT).toContain('Sent');
    // Before: "Not sent: Lost on the way" stayed, beside the message shown sent.
    await expect
      .poll(() => page.locator('div.sr[aria-live]').textContent(), WAIT)
      .toContain('Sent: Lost on the way');
    expect(await page.locator('div.sr[aria-live]').textContent()).not.toContain('Not sent');
  });
});
