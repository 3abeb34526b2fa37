import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { identityToken, visitorClient } from '../support/webchat.js';
import { awayWhateverTheClock, shopForTests, storedSession, writeInPanel } from '../support/webchat-site.js';

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

  it("keeps a signed-in visitor's message written as their sign-in expired, says why it waits, and sends it once the site signs them in again", async () => {
    const user = { sub: 'expiring-user', email: 'expiring.user@example.com' };
    const page = await (await shop.browser.newContext()).newPage();
    await awayWhateverTheClock(page);
    await page.goto(`${shop.siteUrl}/?token=${identityToken(user)}`);
    await page.locator('.launcher').click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await writeInPanel(page, 'Before my sign-in ran out');
    const before = (await storedSession(page, 'threadline-chat:user:expiring-user'))?.sessionToken;

    // In a tunnel the message waits; meanwhile the sign-in expires: the session ends at Threadline, and
    // the only token the page has is past its exp.
    await page.context().setOffline(true);
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('Written as it ran out');
    await box.press('Enter');
    const held = page.locator('.msg.visitor', { hasText: 'Written as it ran out' });
    await held.locator('.meta', { hasText: 'Waiting for connection' }).waitFor(WAIT);
    const expired = identityToken({ ...user, exp: Math.floor(Date.now() / 1000) - 60 });
    await page.evaluate(
      `document.querySelector('script[data-identity-token]').dataset.identityToken = ${JSON.stringify(expired)}`,
    );
    const ended = await fetch(`${shop.runtime.url}/webchat/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${before}` },
    });
    expect(ended.status).toBe(204);
    await page.context().setOffline(false);

    // Back online: its send and the new start are refused. It says why it waits, not "Sending…", and the
    // away note asks for no email (no form is shown to leave one in).
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has expired' }).waitFor(WAIT);
    await expect
      .poll(() => held.locator('.meta').textContent(), WAIT)
      .toContain('Not sent: your sign-in has expired. It will be sent when you sign in again');
    expect(await page.getByRole('alert').textContent()).toContain('Your unsent messages are kept');
    await page.locator('#tl-hours').waitFor(WAIT);
    expect(await page.locator('#tl-hours').textContent()).not.toContain('email');

    // The site signs them in again: the next page has a fresh token of the same user. The kept message goes.
    await page.goto(`${shop.siteUrl}/?token=${identityToken(user)}`);
    await expect
      .poll(async () => (await storedSession(page, 'threadline-chat:user:expiring-user'))?.sessionToken, WAIT)
      .toBeDefined();
    const after = (await storedSession(page, 'threadline-chat:user:expiring-user'))?.sessionToken as string;
    expect(after).not.toBe(before);
    const visitor = visitorClient(shop.runtime.url, shop.siteUrl);
    await expect
      .poll(async () => {
        const { messages } = (await (await visitor.history(after)).json()) as {
          messages: { text: string }[];
        };
        return messages.filter((m) => m.text === 'Written as it ran out').length;
      }, WAIT)
      .toBe(1);
    expect(
      await page.evaluate(`localStorage.getItem('threadline-chat:user:expiring-user:outbox')`),
    ).toBeNull();
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
