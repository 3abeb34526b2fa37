import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { identityToken, visitorClient } from '../support/webchat.js';
import { shopForTests, storedSession, writeInPanel } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-user-change-agent');
const WAIT = { timeout: 30_000 };

/**
 * The page's user changes on a shared browser (a signed-in visitor signs out; another signs in): the
 * widget ends the session it stored for the one before (`DELETE /webchat/sessions` with its token),
 * forgets it and what it showed, and the next person starts afresh, never seeing the previous one's
 * messages. A fresh token of the same user keeps the session.
 */
describe("the web-chat widget when the page's user changes", { timeout: 120_000 }, () => {
  const shop = shopForTests(AGENT);
  const visitor = () => visitorClient(shop.runtime.url, shop.siteUrl);

  const kept = async (page: Page) => (await page.evaluate('Object.keys(localStorage).sort()')) as string[];
  /** The DELETE /webchat/sessions the page sends, by the token each names. */
  const endsOf = (page: Page) => {
    const ends: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'DELETE' && request.url().endsWith('/webchat/sessions'))
        ends.push((request.headers().authorization ?? '').replace(/^Bearer /, ''));
    });
    return ends;
  };
  /** A's chat: signed in, the panel open, one message sent; answers A's session token. */
  const chatAsA = async (page: Page, sub: string, text: string) => {
    await page.goto(`${shop.siteUrl}/?token=${identityToken({ sub, name: 'Ann' })}`);
    await page.locator('.launcher').click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await writeInPanel(page, text);
    const session = await storedSession(page, `threadline-chat:user:${sub}`);
    if (!session) throw new Error('no session stored');
    return session.sessionToken;
  };
  /** On the tab's next page the panel comes back open, as the visitor left it. */
  const shownAgain = (page: Page) => page.locator('.panel').waitFor({ state: 'visible', ...WAIT });
  const ended = async (token: string) => (await visitor().history(token)).status === 401;

  it('keeps the session for a fresh token of the same user, on a new page and on the tag', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const ends = endsOf(page);
    const token = await chatAsA(page, 'same-user', 'Still me');
    await page.goto(`${shop.siteUrl}/?token=${identityToken({ sub: 'same-user', name: 'Ann B.' })}`);
    await shownAgain(page);
    await page.locator('.msg.visitor', { hasText: 'Still me' }).waitFor(WAIT);
    const fresh = identityToken({ sub: 'same-user', name: 'Ann C.' });
    await page.evaluate(
      `document.querySelector('script[data-identity-token]').dataset.identityToken = ${JSON.stringify(fresh)}`,
    );
    await writeInPanel(page, 'Me again');
    expect((await storedSession(page, 'threadline-chat:user:same-user'))?.sessionToken).toBe(token);
    expect(ends).toEqual([]);
    expect(await ended(token)).toBe(false);
  });

  it("ends the previous user's session when another signs in on the next page, and shows them nothing of it", async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const ends = endsOf(page);
    const token = await chatAsA(page, 'first-user', 'My order number is 4411');
    await page.goto(`${shop.siteUrl}/?token=${identityToken({ sub: 'second-user', name: 'Bo' })}`);
    await expect.poll(() => ends, WAIT).toEqual([token]);
    await expect.poll(() => ended(token), WAIT).toBe(true);
    expect((await kept(page)).filter((key) => key.includes('first-user'))).toEqual([]);
    await shownAgain(page);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await writeInPanel(page, 'Hello from Bo');
    expect(await page.locator('.msg', { hasText: '4411' }).count()).toBe(0);
    expect((await storedSession(page, 'threadline-chat:user:second-user'))?.sessionToken).not.toBe(token);
  });

  it('ends the session when the user signs out (no token on the next page): the pre-chat form, nothing of theirs', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const ends = endsOf(page);
    const token = await chatAsA(page, 'leaving-user', 'My address is 9 Elm Row');
    await page.goto(`${shop.siteUrl}/`);
    await expect.poll(() => ends, WAIT).toEqual([token]);
    await expect.poll(() => ended(token), WAIT).toBe(true);
    expect((await kept(page)).filter((key) => key.includes('leaving-user'))).toEqual([]);
    await shownAgain(page);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    expect(await page.locator('.msg', { hasText: 'Elm Row' }).count()).toBe(0);
  });

  it('ends the session and clears the open panel when a single-page site changes or removes the token', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const ends = endsOf(page);
    const first = await chatAsA(page, 'spa-first', 'Card ending 7788');
    const tag = `document.querySelector('script[src$="/webchat/widget.js"]')`;
    await page.evaluate(
      `${tag}.dataset.identityToken = ${JSON.stringify(identityToken({ sub: 'spa-second' }))}`,
    );
    await expect.poll(() => ends, WAIT).toEqual([first]);
    await expect.poll(() => page.locator('.msg', { hasText: '7788' }).count(), WAIT).toBe(0);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    expect(await page.locator('.panel').isVisible()).toBe(true);
    await writeInPanel(page, 'Second user here');
    const second = (await storedSession(page, 'threadline-chat:user:spa-second'))?.sessionToken ?? '';
    expect(second).not.toBe(first);
    expect(await ended(first)).toBe(true);
    expect((await kept(page)).filter((key) => key.includes('spa-first'))).toEqual([]);

    // Signed out: the attribute goes.
    await page.evaluate(`delete ${tag}.dataset.identityToken`);
    await expect.poll(() => ends, WAIT).toEqual([first, second]);
    await expect.poll(() => page.locator('.msg', { hasText: 'Second user here' }).count(), WAIT).toBe(0);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    expect(await ended(second)).toBe(true);
  });
});
