import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { ANA, asAna, greetOnWhatsApp, useConsole } from './console-support.js';

const FRIDA = { from: '15550004001', name: 'Frida Linked', text: 'Where is parcel 88?' };
const GUS = { from: '15550004002', name: 'Gus Open', text: 'Do you sell gift cards?' };

/**
 * Holds the answer of the next customer-profile read until the address changes (Back), then gives it
 * to the page at once: the view being left gets its answer in the same moment the console turns to the
 * conversation Back went to, as a slow read on a busy machine or network does now and then.
 */
const HOLD_PROFILE_UNTIL_BACK = `(() => {
  const fetch = window.fetch;
  let armed = true;
  window.__held = 0;
  window.fetch = async (input, init) => {
    const res = await fetch(input, init);
    const path = new URL(String(input), location.href).pathname;
    const profile = path.startsWith('/api/customers/') && path.split('/').length === 4;
    if (!armed || (init?.method ?? 'GET') !== 'GET' || !profile) return res;
    const body = await res.text();
    window.__held++;
    await new Promise((go) => addEventListener('popstate', () => { armed = false; go(); }, { once: true }));
    return new Response(body, { status: res.status, headers: res.headers });
  };
})()`;

describe('the console: a pasted link to a conversation that is not on the inbox page', () => {
  const { runtime, browser } = useConsole();
  let resolvedId: string;

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'link', [FRIDA, GUS]);
    const found = await asAna<{ items: Customer[] }>(runtime, `/api/customers?q=%2B${FRIDA.from}`);
    const frida = await asAna<{ openConversation: Conversation }>(
      runtime,
      `/api/customers/${(found.items[0] as Customer).id}`,
    );
    resolvedId = frida.openConversation.id;
    // Resolved, so the open inbox the console loads first does not list it.
    const res = await fetch(`${runtime.url}/api/conversations/${resolvedId}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    expect(res.status).toBe(200);
  }, 120_000);

  /** A new tab (nothing remembered) on the link, signed in there as an agent pasting it would. */
  async function openLink(id: string): Promise<{ page: Page; paths: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const paths: string[] = [];
    page.on('request', (request) => paths.push(new URL(request.url()).pathname));
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    await page.getByLabel('Agent token').fill(ANA.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
    return { page, paths };
  }

  it('fetches the linked conversation by its id and opens it', async () => {
    const { page, paths } = await openLink(resolvedId);
    try {
      await page.getByRole('button', { name: /Gus Open/ }).waitFor({ timeout: 30_000 });
      expect(await page.getByRole('button', { name: /Frida Linked/ }).count()).toBe(0);
      await page.getByRole('heading', { name: FRIDA.name }).waitFor({ timeout: 30_000 });
      await page.getByRole('log', { name: 'Messages' }).getByText(FRIDA.text).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Reopen' }).waitFor();
      expect(paths.filter((p) => p === `/api/conversations/${resolvedId}`)).toHaveLength(1);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('shows the conversation Back goes to when the one left gets an answer in that moment', async () => {
    const { page } = await openLink(resolvedId);
    try {
      const head = page.locator('.conversation-head');
      await page.getByRole('heading', { name: FRIDA.name }).waitFor({ timeout: 30_000 });
      await head
        .locator('.meta')
        .getByText(/^Resolved/)
        .waitFor({ timeout: 30_000 });
      await page.evaluate(HOLD_PROFILE_UNTIL_BACK);
      await page.getByRole('button', { name: /Gus Open/ }).click();
      await expect.poll(() => page.evaluate<number>('window.__held'), { timeout: 30_000 }).toBe(1);
      await head.locator('.meta').getByText(/^Open/).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: FRIDA.name }).waitFor({ timeout: 30_000 });
      await head
        .locator('.meta')
        .getByText(/^Resolved/)
        .waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).hash).toBe(`#/conversations/${resolvedId}`);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('says "Conversation not found" for a link to no conversation, and the inbox still opens one', async () => {
    const { page } = await openLink('cv_nosuchconversation');
    try {
      const view = page.getByRole('main', { name: 'Conversation' });
      await view
        .getByRole('alert')
        .filter({ hasText: 'Conversation not found' })
        .waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: /Gus Open/ }).click();
      await page.getByRole('heading', { name: GUS.name }).waitFor({ timeout: 30_000 });
      expect(await page.getByText('Conversation not found').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 60_000);
});
