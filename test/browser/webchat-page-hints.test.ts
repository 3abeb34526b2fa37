import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { identityToken } from '../support/webchat.js';
import {
  awayWhateverTheClock,
  shopForTests,
  visitorConversation,
  writeInPanel,
} from '../support/webchat-site.js';

const AGENT = agentToken('webchat-page-hints-agent');
const WAIT = { timeout: 30_000 };

/**
 * The away note a signed-in visitor (`claims`) reads once their chat has started by itself after hours:
 * `asServed`, the session-less availability answer keeps what the runtime says of the email fallback.
 */
async function awayNoteOf(
  shop: ReturnType<typeof shopForTests>,
  claims: Parameters<typeof identityToken>[0],
  asServed: boolean,
): Promise<string | null> {
  const page = await (await shop.browser.newContext()).newPage();
  await awayWhateverTheClock(page, asServed);
  await page.goto(`${shop.siteUrl}/?token=${identityToken(claims)}`);
  await page.locator('.launcher').click(WAIT);
  await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
  const note = page.getByRole('status').filter({ hasText: 'We are away now' });
  await note.waitFor(WAIT);
  return note.textContent();
}

/**
 * What the widget says and sends that depends on the site: a Threadline that emails no web-chat reply
 * (WEBCHAT_EMAIL_FALLBACK_DELAY=off, or a session without a verified email: the session's answer says
 * so) is not promised to a signed-in visitor after hours, the away note goes once a person answers, and
 * the host page's language (`<html lang>`) tells the conversation's language when the first message cannot ("hi").
 */
describe('the web-chat widget and the site it is on', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT, { WEBCHAT_EMAIL_FALLBACK_DELAY: 'off' });

  it('promises no email to a signed-in visitor after hours when no reply is emailed', async () => {
    // The signed-in chat starts by itself: the note speaks of replies once it has.
    const note = await awayNoteOf(shop, { sub: 'hints-user-1', email: 'hints-user-1@example.com' }, true);
    // Before, "We will also answer by email if you have left.", though no email would ever go.
    expect(note).toContain('The answer will wait for you here.');
    expect(note).not.toContain('email');
  });

  it("takes the session's word over the session-less availability answer on whether a reply is emailed", async () => {
    // The session-less answer says nothing of the email fallback (on, for anyone); the session says off.
    const note = await awayNoteOf(shop, { sub: 'hints-user-2' }, false);
    // Before, the session-less answer won: "We will also answer by email if you have left."
    expect(note).toContain('The answer will wait for you here.');
  });

  it('takes the away note down once a person answers in the chat after hours, and keeps it down', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await awayWhateverTheClock(page, true);
    await page.goto(`${shop.siteUrl}/`);
    await page.locator('.launcher').click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await writeInPanel(page, 'Do you still have rye loaves?');
    const note = page.getByRole('status').filter({ hasText: 'We are away now' });
    await note.waitFor(WAIT);
    const conversationId = await visitorConversation(page, shop.runtime.url, AGENT);
    const res = await fetch(`${shop.runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AGENT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Bea here: two left, shall I keep one?' }),
    });
    expect(res.status).toBe(202);
    await page.locator('.msg.agent', { hasText: 'Bea here' }).waitFor(WAIT);
    // Before, "We are away now. A person will answer from …" stayed above the person answering.
    await note.waitFor({ state: 'detached', ...WAIT });
    // The visitor answering back does not bring it back: the person is still there.
    await writeInPanel(page, 'Yes please, I come at nine.');
    expect(await note.count()).toBe(0);
  });

  it("sends the page's language, which a conversation started with 'hi' on a French page takes", async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const sent: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/webchat/messages'))
        sent.push(request.postDataJSON());
    });
    await page.goto(`${shop.siteUrl}/?lang=fr-CA`);
    await page.locator('.launcher').click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('hi', WAIT);
    await box.press('Enter');
    const conversationId = await visitorConversation(page, shop.runtime.url, AGENT);
    expect(sent).toEqual([expect.objectContaining({ text: 'hi', lang: 'fr-CA' })]);
    const res = await fetch(`${shop.runtime.url}/api/conversations/${conversationId}`, {
      headers: { authorization: `Bearer ${AGENT}` },
    });
    expect(await res.json()).toMatchObject({ preview: 'hi', languageHint: 'fr' });
  });
});

describe('the web-chat widget on a site whose Threadline emails replies (the fallback on)', {
  timeout: 90_000,
}, () => {
  const shop = shopForTests(AGENT);

  it('promises no email after hours to a signed-in visitor whose token has no email claim', async () => {
    const note = await awayNoteOf(shop, { sub: 'hints-user-3' }, true);
    // Before, "We will also answer by email if you have left.": the fallback emails only a verified email.
    expect(note).toContain('The answer will wait for you here.');
  });
});
