import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { shopForTests } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-trusted-types-agent');
const WAIT = { timeout: 30_000 };

/**
 * A shop whose CSP requires Trusted Types for scripts (`require-trusted-types-for 'script'`): the
 * loader puts the panel's script in through its own policy, `threadline`. Before, the browser refused
 * the plain string ("This document requires 'TrustedScriptURL' assignment") and the launcher said
 * "Chat unavailable".
 */
describe('the web-chat widget on a page that requires Trusted Types', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);

  const opens = async (query: string) => {
    const page = await (await shop.browser.newContext()).newPage();
    const refused: string[] = [];
    page.on('console', (m) => m.type() === 'error' && refused.push(m.text()));
    await page.goto(`${shop.siteUrl}/?${query}`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    return { page, refused };
  };
  const unavailable = (page: Page) => page.getByText('Chat unavailable, try again').count();

  it('opens the chat under a CSP that allows scripts by origin', async () => {
    const { page, refused } = await opens('tt');
    expect(await unavailable(page)).toBe(0);
    expect(refused.filter((line) => line.includes('Trusted'))).toEqual([]);
  });

  it("opens the chat under a nonce and 'strict-dynamic' CSP, and the chat starts", async () => {
    const { page } = await opens('tt&nonce');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    expect(await unavailable(page)).toBe(0);
  });
});
