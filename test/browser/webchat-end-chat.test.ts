import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { shopForTests, storedSession, visitorConversation, writeInPanel } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-end-chat-agent');
const WAIT = { timeout: 30_000 };
const KEY = 'threadline-chat:anonymous';

/**
 * An anonymous visitor on a shared computer ends their chat: the panel's "End chat" ends the session at
 * Threadline (its token answers 401) and forgets it in the site's storage, so the next person at the
 * computer reads nothing of it; the customer's timeline keeps the messages for agents.
 */
describe('the web-chat widget when the visitor ends the chat', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);
  /** A new browser's page whose anonymous visitor started a chat and wrote `text`. */
  const chatting = async (text: string) => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.goto(`${shop.siteUrl}/`);
    await page.locator('.launcher').click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    await writeInPanel(page, text);
    return page;
  };

  it('ends the session at Threadline, forgets it in the browser, and the agents keep the messages', async () => {
    const page = await chatting('A question for the clinic');
    const conversationId = await visitorConversation(page, shop.runtime.url, AGENT);
    const token = (await storedSession(page, KEY))?.sessionToken as string;
    const startKey = () => page.evaluate(`localStorage.getItem("${KEY}:start")`);
    const spent = await startKey();

    await page.getByRole('button', { name: 'End chat', exact: true }).click(WAIT);
    // Asked once, so a stray click loses nothing.
    await page.getByRole('button', { name: 'End chat and forget it here' }).click(WAIT);
    await page.getByRole('status').filter({ hasText: 'Chat ended' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    expect(await page.locator('.msg.visitor').count()).toBe(0);
    const kept = (await page.evaluate(
      'Object.keys(localStorage).filter((k) => k.startsWith("threadline-chat:anonymous"))',
    )) as string[];
    // Only a new start key (the panel makes one for the next chat): another visitor's, never this one's.
    expect(kept).toEqual([`${KEY}:start`]);
    expect(await startKey()).not.toBe(spent);
    await expect
      .poll(async () => {
        const res = await fetch(`${shop.runtime.url}/webchat/messages`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return res.status;
      }, WAIT)
      .toBe(401);

    // The next person at the computer: a new tab of the site (the same storage) shows no chat.
    const next = await page.context().newPage();
    await next.goto(`${shop.siteUrl}/`);
    await next.locator('.launcher').click(WAIT);
    await next.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    expect(await next.locator('.msg.visitor').count()).toBe(0);

    // The agents still read it on the customer's timeline.
    const auth = { headers: { authorization: `Bearer ${AGENT}` } };
    const conversation = await fetch(`${shop.runtime.url}/api/conversations/${conversationId}`, auth);
    const { customer } = (await conversation.json()) as { customer: { id: string } };
    const timeline = await fetch(`${shop.runtime.url}/api/customers/${customer.id}/timeline`, auth);
    expect(JSON.stringify(await timeline.json())).toContain('A question for the clinic');
  });

  it('offline, shows End chat disabled and says it can be ended once back online', async () => {
    const page = await chatting('Written before the tunnel');
    const end = page.getByRole('button', { name: 'End chat', exact: true });
    await page.context().setOffline(true);
    const state = page.getByRole('status').filter({ hasText: 'You are offline' });
    await state.waitFor(WAIT);
    // Still there and in the focus order (a phone's focus trap keeps its stops), but disabled and described.
    expect(await end.getAttribute('aria-disabled')).toBe('true');
    expect(await state.textContent()).toContain('You can end the chat once you are back online.');
    expect(await end.getAttribute('aria-describedby')).toBe(await state.getAttribute('id'));
    // A keyboard visitor reaches it and presses it: nothing is asked, nothing ends.
    await end.focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('button', { name: 'End chat and forget it here' }).count()).toBe(0);
    expect(await storedSession(page, KEY)).not.toBeNull();
    await page.context().setOffline(false);
    await state.waitFor({ state: 'detached', ...WAIT });
    expect(await end.getAttribute('aria-disabled')).toBeNull();
    await end.click(WAIT);
    await page.getByRole('button', { name: 'End chat and forget it here' }).waitFor(WAIT);
  });

  // QA (WCAG 2.4.3): Keep chatting went with the question it was in, and the focus fell to the host page.
  it('keeps the chat when the visitor changes their mind, the focus back on End chat', async () => {
    const page = await chatting('Still chatting');
    const end = page.getByRole('button', { name: 'End chat', exact: true });
    const question = page.getByRole('button', { name: 'End chat and forget it here' });
    /** The focused element's text, inside the widget's shadow root; the page's tag when it is outside. */
    const focused = () =>
      page.evaluate(
        `document.querySelector('[data-threadline-chat]').shadowRoot.activeElement?.textContent ?? document.activeElement?.tagName`,
      );
    await end.focus();
    await page.keyboard.press('Enter');
    await question.waitFor(WAIT);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Keep chatting');
    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'detached', ...WAIT });
    expect(await focused()).toBe('End chat');
    // Escape while it asks closes the question only: the panel stays open, the focus on End chat.
    await page.keyboard.press('Enter');
    await question.waitFor(WAIT);
    await page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached', ...WAIT });
    expect(await page.getByRole('dialog').isVisible()).toBe(true);
    expect(await focused()).toBe('End chat');
    await page.locator('.msg.visitor', { hasText: 'Still chatting' }).waitFor(WAIT);
    expect(await storedSession(page, KEY)).not.toBeNull();
    // With no question showing, Escape closes the panel as before.
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden', ...WAIT });
  });
});
