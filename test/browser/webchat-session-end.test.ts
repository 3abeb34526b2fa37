import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { identityToken, visitorClient } from '../support/webchat.js';
import { shopForTests, storedSession, writeInPanel } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-session-end-admin');
const WAIT = { timeout: 30_000 };

/**
 * A session that ends under an open panel (its signed-in visitor's token expired, the site signed them
 * out with `DELETE /webchat/sessions`, or an erasure spent its start key) is replaced, not lost: the
 * panel stays open and starts a new session, with the page's current identity token or a new start key.
 */
describe('the web-chat widget when its session ends', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT, { AGENT_TOKENS: `admin-bea:${AGENT}:admin` });
  const api = agentCaller(() => shop.runtime.url, AGENT);

  it("starts a new session with the page's current identity token, the panel open and the history kept", async () => {
    const first = identityToken({ sub: 'end-user-1', email: 'end.user@example.com' });
    const page = await (await shop.browser.newContext()).newPage();
    const starts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/webchat/sessions'))
        starts.push(request.postData() ?? '');
    });
    await page.goto(`${shop.siteUrl}/?token=${first}`);
    await page.locator('.launcher').click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await writeInPanel(page, 'Before my token ran out');
    const before = (await storedSession(page, 'threadline-chat:user:end-user-1'))?.sessionToken;

    // The site puts a fresh token on the tag, then the session ends (as at the old token's exp).
    const fresh = identityToken({ sub: 'end-user-1', email: 'end.user@example.com', name: 'Fresh' });
    await page.evaluate(
      `document.querySelector('script[data-identity-token]').dataset.identityToken = ${JSON.stringify(fresh)}`,
    );
    const ended = await fetch(`${shop.runtime.url}/webchat/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${before}` },
    });
    expect(ended.status).toBe(204);

    // The new session stored (the ended one is removed first: nothing stored is not yet a new session).
    await expect
      .poll(async () => {
        const now = (await storedSession(page, 'threadline-chat:user:end-user-1'))?.sessionToken;
        return typeof now === 'string' && now !== before;
      }, WAIT)
      .toBe(true);
    expect(starts.at(-1)).toContain(fresh);
    expect(await page.locator('.panel').isVisible()).toBe(true);
    await page.locator('.msg.visitor', { hasText: 'Before my token ran out' }).waitFor(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await writeInPanel(page, 'After it');
  });

  it('makes a new start key when the stored one was spent by an erasure, and chats', async () => {
    const spent = 'S'.repeat(43);
    const visitor = visitorClient(shop.runtime.url, shop.siteUrl);
    const { sessionToken } = (await (await visitor.session({ name: 'Kim', startKey: spent })).json()) as {
      sessionToken: string;
    };
    expect((await visitor.send(sessionToken, 'Erase me')).status).toBe(202);
    await shop.runtime.idle();
    const { customerId } = (await (await visitor.history(sessionToken)).json()) as { customerId: string };
    expect(await api('DELETE', `/api/customers/${customerId}`)).toMatchObject({ complete: true });

    const page = await (await shop.browser.newContext()).newPage();
    await page.goto(`${shop.siteUrl}/`);
    await page.evaluate(`localStorage.setItem('threadline-chat:anonymous:start', '${spent}')`);
    await page.reload();
    await page.locator('.launcher').click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    expect(await page.evaluate(`localStorage.getItem('threadline-chat:anonymous:start')`)).not.toBe(spent);
    expect((await storedSession(page, 'threadline-chat:anonymous'))?.sessionToken).not.toBe(sessionToken);
    await writeInPanel(page, 'A new visitor');
  });
});
