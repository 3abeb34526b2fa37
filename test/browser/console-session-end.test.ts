import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { ANA, DESKTOP, greetOnWhatsApp, openInboxRow, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-session-end-1234') } as const;
const ADA = { from: '15550009301', name: 'Ada Expiry' };
const EVE = { from: '15550009302', name: 'Eve Expiry' };

/** The API refusing the token, as API Gateway does once a Cognito access token's hour is up. */
const expired = (route: Route) =>
  route.fulfill({ status: 401, json: { error: { code: 'unauthorized', message: 'Unauthorized' } } });

/** The drafts the tab keeps, by conversation id. */
const drafts = (page: Page) =>
  page.evaluate<Record<string, string>>(
    `Object.fromEntries(Object.keys(sessionStorage).filter((k) => k.startsWith('threadline.draft.'))
      .map((k) => [k.slice('threadline.draft.'.length), JSON.parse(sessionStorage.getItem(k)).text]))`,
  );

/** What the focused element is: its tag and name attribute. */
const focused = (page: Page) =>
  page.evaluate<string>(
    `(() => { const a = document.activeElement; return a ? a.tagName + ' ' + (a.getAttribute('name') ?? '') : 'none'; })()`,
  );

/**
 * A session that ends under the agent (the API answers 401: the token's hour is up, and the console keeps
 * no refresh token) says so on the sign-in form, with the focus in it, and keeps the agent's drafts and
 * open conversation for them: the same agent signing in again finds them; another agent finds none.
 */
describe('the console when the session ends', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'session-end', [ADA, EVE]);
  }, 240_000);

  const reply = (page: Page) =>
    page.getByRole('form', { name: 'Reply or note' }).getByLabel('Reply', { exact: true });

  /** Ana writes to Ada, then to Eve, and sends Eve's as her session ends: back on the sign-in form. */
  const endWhileWriting = async (): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(page, runtime);
    await openInboxRow(page, ADA.name);
    await reply(page).fill('Half a reply to Ada');
    await openInboxRow(page, EVE.name);
    await reply(page).fill('The reply to Eve that could not go');
    // The token's hour ends with the send: reads of Eve's conversation still under way when the route is
    // set (on a loaded machine the channels read comes late) get through; the send and all after it do not.
    let ended = false;
    const endsAtSend = (route: Route) => {
      if (route.request().method() === 'POST' && route.request().url().endsWith('/replies')) ended = true;
      return ended ? expired(route) : route.continue();
    };
    await page.route('**/api/**', endsAtSend);
    await reply(page).press('Control+Enter');
    await page.getByLabel('Agent token').waitFor({ timeout: 30_000 });
    expect(ended).toBe(true);
    await page.unroute('**/api/**', endsAtSend);
    return page;
  };

  it('says the session ended, focus in the token field, and gives the same agent back their drafts and conversation', async () => {
    const page = await endWhileWriting();
    const said = page.getByRole('alert');
    await said.waitFor();
    expect(await said.textContent()).toMatch(/session ended/i);
    await expect.poll(() => focused(page)).toBe('INPUT token');
    expect(Object.values(await drafts(page)).sort()).toEqual([
      'Half a reply to Ada',
      'The reply to Eve that could not go',
    ]);

    await page.getByLabel('Agent token').fill(ANA.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: EVE.name }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => reply(page).inputValue(), { timeout: 30_000 })
      .toBe('The reply to Eve that could not go');
    await openInboxRow(page, ADA.name);
    expect(await reply(page).inputValue()).toBe('Half a reply to Ada');
    await page.context().close();
  }, 120_000);

  it('keeps nothing of it for another agent signing in on that tab', async () => {
    const page = await endWhileWriting();
    await page.getByLabel('Agent token').fill(BOB.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
    await page.getByText('Pick a conversation from the inbox').waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await drafts(page)).toEqual({});
    await openInboxRow(page, EVE.name);
    expect(await reply(page).inputValue()).toBe('');
    await page.context().close();
  }, 120_000);
});
