import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from './browser.js';
import { startTestRuntime } from './runtime.js';
import { WEBCHAT_SECRET } from './webchat.js';

/**
 * The availability answer of a team away until a Monday years ahead. The runtime's answer follows the
 * wall clock (the shipped policy's New York hours): a test that shows or measures the away note, or
 * counts on its absence, routes this answer (or its own) instead of running differently by the hour.
 */
export const AFTER_HOURS = { open: false, nextOpenAt: '2030-01-07T09:00:00.000Z', timezone: 'UTC' };

/**
 * The widget in `page` reads the team as away ({@link AFTER_HOURS}) whatever the time: call before it
 * opens. `asServed`: the rest of the runtime's answer is kept (its `emailFallback`), asked of it each time.
 */
export async function awayWhateverTheClock(page: Page, asServed = false): Promise<void> {
  await page.route('**/webchat/availability', async (route) => {
    const served = asServed ? ((await (await route.fetch()).json()) as object) : {};
    await route.fulfill({ json: { ...served, ...AFTER_HOURS } });
  });
}

/**
 * A shop's page on its own origin: the widget's one script tag under a CSP that allows only Threadline.
 * `?token=` becomes `data-identity-token`, `?guest` `data-allow-anonymous="true"`; `?nows` leaves
 * Threadline's `ws:` origin out of the CSP (a site that forgot it: the live socket may not open);
 * `?lang=` is the page's language (`en` without it), `?dir=rtl` its direction, `?welcome=` the tag's
 * `data-welcome`; `?tt` requires Trusted Types for scripts (the policy names allowed: `?tt=` lists
 * them, `threadline` when empty), `?nonce` allows scripts by a nonce and 'strict-dynamic' instead of by origin; `?link` puts a link in the page.
 */
export function shopPage(threadline: string, query: URLSearchParams): string {
  const ws = query.has('nows') ? '' : threadline.replace(/^http/, 'ws');
  const token = query.get('token');
  const welcome = query.get('welcome')?.replace(/[^\p{L}\p{N} !?.,]/gu, '');
  const attrs = `${token ? ` data-identity-token="${token}"` : ''}${query.has('guest') ? ' data-allow-anonymous="true"' : ''}${welcome ? ` data-welcome="${welcome}"` : ''}`;
  const lang = /^[a-z]{2}(-[A-Z]{2})?$/.test(query.get('lang') ?? '') ? query.get('lang') : 'en';
  const dir = query.get('dir') === 'rtl' ? ' dir="rtl"' : '';
  const scripts = query.has('nonce') ? `'nonce-shop1' 'strict-dynamic'` : threadline;
  const names = query.get('tt')?.replace(/[^a-z -]/g, '') || 'threadline';
  const types = query.has('tt') ? `; require-trusted-types-for 'script'; trusted-types ${names}` : '';
  const nonce = query.has('nonce') ? ' nonce="shop1"' : '';
  return `<!doctype html><html lang="${lang}"${dir}><head><meta charset="utf-8"><title>Shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scripts}; connect-src ${threadline} ${ws}${types}">
</head><body><h1>The shop</h1>${query.has('link') ? '<a href="#top">Top of the page</a>' : ''}<script src="${threadline}/webchat/widget.js"${attrs}${nonce} async></script></body></html>`;
}

/**
 * The shop's site and a runtime with routing and the visitors' live socket that allows the site's
 * origin, signs with WEBCHAT_SECRET and knows the agent token `agent`.
 */
export async function startShopAndRuntime(agent: string, env: Record<string, string> = {}) {
  let runtime: LocalRuntime | undefined;
  const site = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    res.writeHead(200, { 'content-type': 'text/html' }).end(shopPage(runtime?.url ?? '', query));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  runtime = await startTestRuntime({
    routing: true,
    webchatLive: true,
    env: {
      AGENT_TOKENS: `agent-bea:${agent}`,
      WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
      WEBCHAT_ALLOWED_ORIGINS: siteUrl,
      ...env,
    },
  });
  const close = async () => {
    await runtime?.close();
    await new Promise((resolve) => site.close(resolve));
  };
  return { runtime, siteUrl, close };
}

/** The shop, its runtime and a browser for the tests of one file: started before them, closed after. */
export function shopForTests(agent: string, env: Record<string, string> = {}) {
  const shop = {} as { runtime: LocalRuntime; siteUrl: string; browser: Browser };
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await startShopAndRuntime(agent, env);
    close = started.close;
    Object.assign(shop, {
      runtime: started.runtime,
      siteUrl: started.siteUrl,
      browser: await launchBrowser(),
    });
  }, 120_000);
  // A test's windows close once it ends: a page left open polls, reconnects and reads on at the runtime
  // the file shares, beside the tests after it (load, and requests no test of theirs made).
  afterEach(async () => {
    for (const context of shop.browser?.contexts() ?? []) await context.close();
  });
  afterAll(async () => {
    await shop.browser?.close();
    await close?.();
  });
  return shop;
}

/**
 * The conversation of the chat the visitor started in `page` (found with its stored session), once an
 * agent can answer in it: the message's item is written before its conversation.
 */
export async function visitorConversation(page: Page, runtimeUrl: string, agent: string): Promise<string> {
  const stored = (await page.evaluate('localStorage.getItem("threadline-chat:anonymous")')) as string;
  const { sessionToken } = JSON.parse(stored) as { sessionToken: string };
  const wait = { timeout: 30_000 };
  // The visitor is shown an opaque conversation id: the agent API names it, by the visitor's customer.
  let customerId: string | undefined;
  await expect
    .poll(async () => {
      const res = await fetch(`${runtimeUrl}/webchat/messages`, {
        headers: { authorization: `Bearer ${sessionToken}` },
      });
      const history = (await res.json()) as { customerId?: string; messages: unknown[] };
      customerId = history.messages.length > 0 ? history.customerId : undefined;
      return customerId;
    }, wait)
    .toBeDefined();
  let conversationId: string | undefined;
  await expect
    .poll(async () => {
      const res = await fetch(`${runtimeUrl}/api/customers/${customerId}`, {
        headers: { authorization: `Bearer ${agent}` },
      });
      conversationId = res.ok
        ? ((await res.json()) as { openConversationId?: string }).openConversationId
        : undefined;
      return conversationId;
    }, wait)
    .toBeDefined();
  await expect
    .poll(async () => {
      const res = await fetch(`${runtimeUrl}/api/conversations/${conversationId}`, {
        headers: { authorization: `Bearer ${agent}` },
      });
      return res.status;
    }, wait)
    .toBe(200);
  return conversationId as string;
}

/** Sends `text` from the panel's message box and waits for Threadline to take it (its status set). */
export async function writeInPanel(page: Page, text: string): Promise<void> {
  const wait = { timeout: 30_000 };
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text, wait);
  await box.press('Enter');
  await page.locator('.msg.visitor[data-status=""]', { hasText: text }).waitFor(wait);
}

/** The session the widget keeps in the site's storage under `key`, or null. */
export async function storedSession(page: Page, key: string): Promise<{ sessionToken: string } | null> {
  const raw = (await page.evaluate(`localStorage.getItem(${JSON.stringify(key)})`)) as string | null;
  return JSON.parse(raw ?? 'null') as { sessionToken: string } | null;
}
