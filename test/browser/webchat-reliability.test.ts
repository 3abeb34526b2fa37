import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { launchBrowser } from '../support/browser.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = 'webchat-reliability-agent';
const WAIT = { timeout: 30_000 };
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A shop's page with the widget's one script tag under a CSP that allows only Threadline. */
function shopPage(threadline: string, query: URLSearchParams): string {
  const ws = threadline.replace(/^http/, 'ws');
  const token = query.get('token');
  const attrs = `${token ? ` data-identity-token="${token}"` : ''}${query.has('guest') ? ' data-allow-anonymous="true"' : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${threadline}; connect-src ${threadline} ${ws}">
</head><body><h1>The shop</h1><script src="${threadline}/webchat/widget.js"${attrs} async></script></body></html>`;
}

/** Business hours that open two hours from now (UTC), so the chat is closed while the tests run. */
function closedNowPolicy(): string {
  const hour = (offset: number) => `${String((new Date().getUTCHours() + offset) % 24).padStart(2, '0')}:00`;
  return shippedPolicyFileWith((policy) => {
    policy.businessHours = {
      timezone: 'UTC',
      hours: [{ days: DAYS, open: hour(2), close: hour(3) }],
      afterHours: { route: 'ai' },
    };
  });
}

describe('the web-chat widget when things go wrong, in a browser', { timeout: 60_000 }, () => {
  let runtime: LocalRuntime;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    site = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      res.writeHead(200, { 'content-type': 'text/html' }).end(shopPage(runtime.url, query));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    runtime = await startTestRuntime({
      routing: true,
      webchatLive: true,
      env: {
        AGENT_TOKENS: `agent-rel:${AGENT}`,
        WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
        WEBCHAT_ALLOWED_ORIGINS: siteUrl,
        ROUTING_POLICY_FILE: closedNowPolicy(),
      },
    });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  /** The shop page in a fresh profile, its clock faked (it runs until a test pauses it), the chat open. */
  const visit = async (query = '') => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const sent: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))));
    await page.clock.install();
    await page.goto(`${siteUrl}/${query}`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    return { page, errors, sent };
  };
  const start = async (page: Page) => {
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor(WAIT);
  };
  const write = async (page: Page, text: string) => {
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text, WAIT);
    await box.press('Enter');
  };
  const message = (page: Page, text: string) => page.locator('.msg.visitor', { hasText: text });
  const statusOf = (page: Page, text: string) => message(page, text).locator('.meta');
  /** Stops the page's timers: from here only `runFor` moves them. */
  const pause = async (page: Page) => {
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 10);
  };
  const session = async (page: Page) => {
    const stored = (await page.evaluate('Object.values(localStorage)[0] || "{}"')) as string;
    return (JSON.parse(stored) as { sessionToken: string }).sessionToken;
  };
  /** The visitor's messages as Threadline has them (the history route, from outside the page). */
  const stored = async (page: Page) => {
    const res = await fetch(`${runtime.url}/webchat/messages`, {
      headers: { authorization: `Bearer ${await session(page)}` },
    });
    return (await res.json()) as { customerId?: string; messages: { id: string; text: string }[] };
  };
  /** Answers the visitor's sends from `answers` in turn (then lets them through), recording each body. */
  const failSends = async (page: Page, answers: ((route: Route) => Promise<void>)[]) => {
    const bodies: { clientMessageId: string; text: string }[] = [];
    await page.route(`${runtime.url}/webchat/messages`, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      bodies.push(route.request().postDataJSON());
      const answer = answers.shift();
      return answer ? answer(route) : route.fallback();
    });
    return bodies;
  };
  const unavailable = (route: Route) =>
    route.fulfill({ status: 503, json: { error: { code: 'unavailable' } } });
  const limited = (route: Route) =>
    route.fulfill({
      status: 429,
      headers: { 'retry-after': '5' },
      json: { error: { code: 'rate_limited' } },
    });
  const down = (route: Route) => route.abort('internetdisconnected');

  it('retries a send after a 503 and a 429 (its Retry-After) under one clientMessageId, and Threadline has it once', async () => {
    const { page, errors } = await visit();
    await start(page);
    await write(page, 'first, to be sure the chat is up');
    await expect.poll(() => statusOf(page, 'first, to be sure').textContent(), WAIT).toContain('Sent');
    await pause(page);
    const bodies = await failSends(page, [unavailable, limited]);
    await write(page, 'Where is my order 1234?');
    await expect
      .poll(() => statusOf(page, 'Where is my order').textContent(), WAIT)
      .toContain('trying again');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('');
    await page.clock.runFor(1000);
    await expect.poll(() => bodies.length, WAIT).toBe(2);
    await page.clock.runFor(4000);
    expect(bodies.length).toBe(2);
    await page.clock.runFor(1000);
    await expect.poll(() => statusOf(page, 'Where is my order').textContent(), WAIT).toContain('Sent');
    expect(bodies.length).toBe(3);
    expect(new Set(bodies.map((b) => b.clientMessageId)).size).toBe(1);
    await expect
      .poll(
        async () => (await stored(page)).messages.filter((m) => m.text === 'Where is my order 1234?').length,
        WAIT,
      )
      .toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows "Not sent" after the last try, keeps the text through a reload, and sends it on Retry', async () => {
    const { page, errors } = await visit();
    await start(page);
    await pause(page);
    const bodies = await failSends(
      page,
      Array.from({ length: 100 }, () => down),
    );
    await write(page, 'Is the blue one in stock?');
    for (const wait of [1000, 2000, 4000, 8000]) {
      await expect.poll(() => statusOf(page, 'blue one').textContent(), WAIT).toContain('trying again');
      await page.clock.runFor(wait);
    }
    await expect.poll(() => bodies.length, WAIT).toBe(5);
    await page.clock.runFor(16_000);
    await message(page, 'blue one').getByRole('button', { name: 'Retry' }).waitFor(WAIT);
    expect(await statusOf(page, 'blue one').textContent()).toContain('Not sent');
    expect(bodies.length).toBe(6);
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('');
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await message(page, 'Is the blue one in stock?').waitFor(WAIT);
    const retry = message(page, 'blue one').getByRole('button', { name: 'Retry' });
    await expect
      .poll(async () => {
        await page.clock.runFor(2000);
        return retry.isVisible();
      }, WAIT)
      .toBe(true);
    expect(bodies.length).toBeGreaterThanOrEqual(12);
    await page.unroute(`${runtime.url}/webchat/messages`);
    const later = await failSends(page, []);
    await retry.click();
    await expect.poll(() => statusOf(page, 'blue one').textContent(), WAIT).toContain('Sent');
    expect(later).toHaveLength(1);
    expect(new Set([...bodies, ...later].map((b) => b.clientMessageId)).size).toBe(1);
    await expect
      .poll(
        async () =>
          (await stored(page)).messages.filter((m) => m.text === 'Is the blue one in stock?').length,
        WAIT,
      )
      .toBe(1);
    expect(errors).toEqual([]);
  });
});
