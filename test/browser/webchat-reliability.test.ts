import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { identityToken } from '../support/webchat.js';
import { shopForTests } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-reliability-agent');
const WAIT = { timeout: 30_000 };
const SCREENSHOTS = new URL('./screenshots/', import.meta.url);
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

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
  const shop = shopForTests(AGENT, {
    ROUTING_POLICY_FILE: closedNowPolicy(),
  });

  const api = agentCaller(() => shop.runtime.url, AGENT);
  /** The shop page in a fresh profile, its clock faked (it runs until a test pauses it), the chat open. */
  const visit = async (query = '') => {
    const page = await (await shop.browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const sent: string[] = [];
    const received: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framesent', (frame) => sent.push(String(frame.payload)));
      ws.on('framereceived', (frame) => received.push(String(frame.payload)));
    });
    await page.clock.install();
    await page.goto(`${shop.siteUrl}/${query}`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    return { page, errors, sent, received };
  };
  /** The panel's live socket is open (its effects have run): a test may pause the clock from here. */
  const connected = (page: Page) => page.locator('.panel[data-connection="live"]').waitFor(WAIT);
  const start = async (page: Page) => {
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor(WAIT);
    await connected(page);
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
    for (let tries = 0; ; tries++) {
      const now = (await page.evaluate('Date.now()')) as number;
      const paused = await page.clock.pauseAt(now + 50).then(
        () => true,
        (error: Error) => (/to the past/.test(error.message) && tries < 20 ? false : Promise.reject(error)),
      );
      if (paused) return;
    }
  };

  const session = async (page: Page) => {
    const stored = (await page.evaluate(
      'Object.values(localStorage).find((v) => v.includes("sessionToken")) || "{}"',
    )) as string;
    return (JSON.parse(stored) as { sessionToken: string }).sessionToken;
  };
  /** The visitor's messages as Threadline has them (the history route, from outside the page). */
  const stored = async (page: Page) => {
    const res = await fetch(`${shop.runtime.url}/webchat/messages`, {
      headers: { authorization: `Bearer ${await session(page)}` },
    });
    return (await res.json()) as {
      customerId?: string;
      messages: { id: string; text: string; status?: string }[];
    };
  };
  /** Answers the visitor's sends from `answers` in turn (then lets them through), recording each body. */
  const failSends = async (page: Page, answers: ((route: Route) => Promise<void>)[]) => {
    const bodies: { clientMessageId: string; text: string }[] = [];
    await page.route(`${shop.runtime.url}/webchat/messages*`, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      bodies.push(route.request().postDataJSON());
      const answer = answers.shift();
      return answer ? answer(route) : route.fallback();
    });
    return bodies;
  };
  const unavailable = (route: Route) =>
    route.fulfill({ status: 503, json: { error: { code: 'unavailable' } } });
  /** A 429 as Threadline answers it: Retry-After, exposed to the site's page (CORS). */
  const limited = (route: Route) =>
    route.fulfill({
      status: 429,
      headers: { 'retry-after': '5', 'access-control-expose-headers': 'Retry-After' },
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
    await expect
      .poll(() => message(page, 'Where is my order').getAttribute('data-status'), WAIT)
      .toBe('waiting');
    await page.clock.runFor(4000);
    expect(await message(page, 'Where is my order').getAttribute('data-status')).toBe('waiting');
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
    await expect.poll(() => bodies.length, WAIT).toBeGreaterThanOrEqual(5);
    await page.clock.runFor(16_000);
    await message(page, 'blue one').getByRole('button', { name: 'Retry' }).waitFor(WAIT);
    expect(await statusOf(page, 'blue one').textContent()).toContain('Not sent');
    expect(bodies.length).toBeGreaterThanOrEqual(6);
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('');
    await page.reload();
    // The panel comes back open by itself: the tab kept it so.
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    await message(page, 'Is the blue one in stock?').waitFor(WAIT);
    const retry = message(page, 'blue one').getByRole('button', { name: 'Retry' });
    await expect
      .poll(async () => {
        await page.clock.runFor(2000);
        return retry.isVisible();
      }, WAIT)
      .toBe(true);
    expect(bodies.length).toBeGreaterThanOrEqual(12);
    const tries = bodies.length;
    await connected(page);
    await page.clock.runFor(60_000);
    expect(await retry.isVisible()).toBe(true);
    expect(bodies.length).toBe(tries);
    await page.unroute(`${shop.runtime.url}/webchat/messages*`);
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

  it('sends the messages written while one was being refused for good (a 413), and leaves that one "Not sent"', async () => {
    const { page, errors } = await visit();
    await start(page);
    let answer!: () => void;
    const written = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const tooLarge = async (route: Route) => {
      await written;
      await route.fulfill({ status: 413, json: { error: { code: 'too_large', message: 'too large' } } });
    };
    const bodies = await failSends(page, [tooLarge]);
    await write(page, 'This one is refused');
    await write(page, 'Written after it');
    await write(page, 'And a third');
    answer();
    await expect.poll(() => statusOf(page, 'And a third').textContent(), WAIT).toContain('Sent');
    expect(await statusOf(page, 'Written after it').textContent()).toContain('Sent');
    expect(await statusOf(page, 'This one is refused').textContent()).toContain('Not sent');
    expect(bodies.map((b) => b.text)).toEqual(['This one is refused', 'Written after it', 'And a third']);
    await expect
      .poll(async () => (await stored(page)).messages.map((m) => m.text), WAIT)
      .toEqual(['Written after it', 'And a third']);
    expect(errors).toEqual([]);
  });

  /** An agent's reply to the visitor of `page`, once the pipeline has their open conversation. */
  const agentReply = async (page: Page, text: string) => {
    let conversation: string | undefined;
    await expect
      .poll(async () => {
        const { customerId } = await stored(page);
        if (!customerId) return undefined;
        conversation = (await api<{ openConversationId?: string }>('GET', `/api/customers/${customerId}`))
          .openConversationId;
        return conversation;
      }, WAIT)
      .toBeDefined();
    await api('POST', `/api/conversations/${conversation}/replies`, { text });
  };
  /** The panel's picture for the README, with WEBCHAT_SCREENSHOTS=1 (as the console's are). */
  const screenshot = async (page: Page, name: string) => {
    if (!process.env.WEBCHAT_SCREENSHOTS) return;
    await page.locator('.panel').screenshot({ path: new URL(name, SCREENSHOTS).pathname });
  };
  const readsOf = (sent: string[], id: string) => sent.filter((f) => f.includes('"read"') && f.includes(id));

  it('drops a socket that stopped answering (no pong to its 4-minute ping) and reopens it, showing the reply it missed', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const opened: string[] = [];
    let silent = false;
    // A proxy that stops forwarding without closing either side: a half-open connection.
    await page.routeWebSocket(/\/webchat\/live/, (ws) => {
      opened.push(ws.url());
      const first = opened.length === 1;
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (!(first && silent)) server.send(m);
      });
      server.onMessage((m) => {
        if (!(first && silent)) ws.send(m);
      });
    });
    await page.clock.install();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await start(page);
    await write(page, 'I want a person: my parcel never came');
    await expect.poll(async () => (await stored(page)).messages.length, WAIT).toBe(1);
    await pause(page);
    silent = true;
    await agentReply(page, 'Bea here: the parcel left today.');
    const reply = page.locator('.msg.agent', { hasText: 'Bea here' });
    await page.clock.runFor(4 * 60_000 - 1000);
    expect(await reply.count()).toBe(0);
    expect(await page.locator('.panel').getAttribute('data-connection')).toBe('live');
    await page.clock.runFor(11_000);
    await page.clock.runFor(1000);
    await expect.poll(() => opened.length, WAIT).toBe(2);
    await page.clock.runFor(1000);
    await reply.waitFor(WAIT);
    await connected(page);
  });

  it('gives up on a history read that never answers (15 s), says so, and tries again until the reply it missed shows', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const sockets: { close(): Promise<void> }[] = [];
    await page.routeWebSocket(/\/webchat\/live/, (ws) => {
      sockets.push(ws);
      ws.connectToServer();
    });
    await page.clock.install();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await start(page);
    await write(page, 'Where is parcel 12?');
    // Stored: the visitor's message is in the history (an answer may follow it at once, so not a count:
    // under CI's load the poll once read the visitor's message and the AI's answer together).
    await expect
      .poll(async () => (await stored(page)).messages.some((m) => m.text === 'Where is parcel 12?'), WAIT)
      .toBe(true);
    await pause(page);
    // A keep-alive connection gone half-open: the reads after the reconnect are sent and never answered.
    let stalled = 0;
    const reads: string[] = [];
    await page.route(`${shop.runtime.url}/webchat/messages?order=newest*`, async (route) => {
      reads.push(`${route.request().url()} at ${await page.evaluate('Date.now()')}`);
      if (stalled < 2) return void stalled++;
      return route.fallback();
    });
    await sockets[0]?.close();
    await agentReply(page, 'Cal here: parcel 12 is at the depot.');
    const reply = page.locator('.msg.agent', { hasText: 'Cal here' });
    await page.clock.runFor(1000);
    await expect.poll(() => sockets.length, WAIT).toBe(2);
    // (The reads, named in a failure: one was once seen stalled twice here, under load.)
    await expect.poll(() => stalled, { ...WAIT, message: reads.join('; ') }).toBe(1);
    await page.clock.runFor(15_000);
    await page.locator('.panel[data-connection="retrying"]').waitFor(WAIT);
    await page.getByText('Could not load the latest messages. Trying again…').waitFor(WAIT);
    await page.clock.runFor(1000);
    await expect.poll(() => stalled, WAIT).toBe(2);
    await page.clock.runFor(15_000 + 2000);
    await reply.waitFor(WAIT);
    await connected(page);
  });

  it('closes (the × and Escape), and marks a reply read only while the panel is open', async () => {
    const { page, sent } = await visit();
    await start(page);
    await write(page, 'I want to talk to a person about my invoice');
    const panel = page.getByRole('dialog', { name: 'Chat with us' });
    await page.getByRole('button', { name: 'Close chat' }).first().click();
    expect(await panel.isVisible()).toBe(false);
    await agentReply(page, 'Bea here, looking at your invoice.');
    const reply = page.locator('.msg.agent', { hasText: 'Bea here' });
    await expect.poll(() => reply.getAttribute('data-status'), WAIT).toBe('delivered');
    const id = (await reply.getAttribute('data-id')) as string;
    expect(readsOf(sent, id)).toEqual([]);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect.poll(() => readsOf(sent, id).length, WAIT).toBe(1);
    expect(await reply.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await panel.isVisible()).toBe(false);
  });

  it('scrolls to the newest message on open and on send (not again when the send is answered after the visitor scrolled up), and hints at a new one while they read back', async () => {
    const { page, sent } = await visit();
    const old = Array.from({ length: 40 }, (_, i) => ({
      id: `old-${i}`,
      at: new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString(),
      author: i % 2 ? 'agent' : 'visitor',
      text: `Earlier message #${i}.`,
    }));
    await page.route(`${shop.runtime.url}/webchat/messages*`, async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const real = (await (await route.fetch()).json()) as { messages: unknown[] };
      return route.fulfill({ json: { ...real, messages: [...old, ...real.messages], cursor: null } });
    });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route(`${shop.runtime.url}/webchat/messages*`, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const taken = await route.fetch();
      await answered;
      return route.fulfill({ response: taken });
    });
    await start(page);
    const log = page.getByRole('log', { name: 'Conversation' });
    await page.locator('.msg', { hasText: 'Earlier message #39.' }).waitFor(WAIT);
    const gap = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await expect.poll(gap, WAIT).toBeLessThan(5);
    await write(page, 'A question about my invoice, a person please');
    await expect.poll(gap, WAIT).toBeLessThan(5);
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    answer();
    await expect.poll(() => statusOf(page, 'my invoice, a person').textContent(), WAIT).toContain('Sent');
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    await agentReply(page, 'Bea here: one moment.');
    const reply = page.locator('.msg.agent', { hasText: 'Bea here: one moment.' });
    await expect.poll(() => reply.getAttribute('data-status'), WAIT).toBe('delivered');
    await page.getByRole('button', { name: 'New message' }).waitFor(WAIT);
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    const id = (await reply.getAttribute('data-id')) as string;
    expect(readsOf(sent, id)).toEqual([]);
    await page.getByRole('button', { name: 'New message' }).click();
    await expect.poll(gap, WAIT).toBeLessThan(5);
    await expect.poll(() => readsOf(sent, id).length, WAIT).toBe(1);
  });

  it('reads the history now and then when the page may not open the live socket (its CSP), says so, and keeps both sides over a reload', async () => {
    const { page, errors } = await visit('?nows');
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="polling"]').waitFor(WAIT);
    await page.getByRole('status').filter({ hasText: 'Live updates are not available' }).waitFor(WAIT);
    await write(page, 'I want to talk to a person about my plan');
    await expect.poll(() => statusOf(page, 'about my plan').textContent(), WAIT).toContain('Sent');
    await pause(page);
    const reads: string[] = [];
    page.on('request', (r) => r.url().endsWith('/webchat/read') && reads.push(r.postData() ?? ''));
    await agentReply(page, 'Bea here: which plan is it?');
    const reply = page.locator('.msg.agent', { hasText: 'which plan is it?' });
    await expect
      .poll(async () => {
        await page.clock.runFor(5000);
        return reply.count();
      }, WAIT)
      .toBe(1);
    const id = (await reply.getAttribute('data-id')) as string;
    await page.clock.resume();
    await expect.poll(() => reads.some((r) => r.includes(id)), WAIT).toBe(true);
    // Threadline has it read before the reload (the panel, open again by itself, reads the history at once).
    await expect
      .poll(async () => (await stored(page)).messages.find((m) => m.id === id)?.status, WAIT)
      .toBe('read');
    await page.reload();
    // The panel comes back open by itself: the tab kept it so.
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    await message(page, 'about my plan').waitFor(WAIT);
    await reply.waitFor(WAIT);
    expect(await reply.getAttribute('data-status')).toBe('read');
    expect(errors).toEqual([]);
  });

  it('puts the focus in the message box when "Start chat" (from the keyboard) replaces the form, so typing and Escape work', async () => {
    const { page } = await visit();
    const email = page.getByRole('textbox', { name: /Your email/ });
    /** Whether the element has the focus in its shadow root (the page's activeElement is the host). */
    const focused = (el: { getRootNode(): unknown }) =>
      (el.getRootNode() as { activeElement: unknown }).activeElement === el;
    await page.getByRole('status').filter({ hasText: 'We are away now' }).waitFor(WAIT);
    await email.focus();
    await page.keyboard.type('olga@example.com');
    await page.keyboard.press('Enter');
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.waitFor(WAIT);
    await expect.poll(() => box.evaluate(focused), WAIT).toBe(true);
    await page.keyboard.type('hello from the keyboard');
    await page.keyboard.press('Enter');
    await message(page, 'hello from the keyboard').waitFor(WAIT);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog', { name: 'Chat with us' }).isVisible()).toBe(false);
  });

  it('stays at the end of the log through a burst of sends, so the reply after it is in view and read; an unsent message goes last whatever the visitor’s clock says', async () => {
    const { page, sent } = await visit();
    const old = Array.from({ length: 30 }, (_, i) => ({
      id: `old-${i}`,
      at: new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString(),
      author: i % 2 ? 'agent' : 'visitor',
      text: `Earlier message #${i}.`,
    }));
    await page.route(`${shop.runtime.url}/webchat/messages*`, async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const real = (await (await route.fetch()).json()) as { messages: unknown[] };
      return route.fulfill({ json: { ...real, messages: [...old, ...real.messages], cursor: null } });
    });
    await start(page);
    const log = page.getByRole('log', { name: 'Conversation' });
    const gap = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    const burst = Array.from({ length: 10 }, (_, i) => `Burst line ${i}: a person please about my invoice`);
    for (const line of burst) await write(page, line);
    await expect.poll(() => statusOf(page, 'Burst line 9').textContent(), WAIT).toContain('Sent');
    await expect
      .poll(
        () => page.locator('.msg.visitor[data-status="sending"], .msg.visitor[data-status="queued"]').count(),
        WAIT,
      )
      .toBe(0);
    expect(await gap()).toBeLessThan(5);
    await agentReply(page, 'Bea here about the invoice.');
    const reply = page.locator('.msg.agent', { hasText: 'Bea here about the invoice.' });
    await reply.waitFor(WAIT);
    const id = (await reply.getAttribute('data-id')) as string;
    await expect.poll(() => readsOf(sent, id).length, WAIT).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'New message' }).count()).toBe(0);
    await failSends(page, [() => new Promise(() => {})]);
    await page.clock.setSystemTime(Date.now() - 3_600_000);
    await write(page, 'Written with a slow clock');
    await message(page, 'slow clock').waitFor(WAIT);
    expect(await page.locator('.msg').last().textContent()).toContain('Written with a slow clock');
  });

  it('tells a signed-in visitor whose token expired to sign in again, with no blank panel and no error', async () => {
    const expired = identityToken({ sub: 'lee-1', exp: Math.floor(Date.now() / 1000) - 60 });
    const { page, errors } = await visit(`?token=${expired}`);
    await page.getByRole('alert').filter({ hasText: 'Please sign in again' }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Start chat' }).count()).toBe(0);
    expect(errors).toEqual([]);
    const guest = await visit(`?token=${expired}&guest`);
    await guest.page.getByRole('alert').filter({ hasText: 'chat with us as a guest' }).waitFor(WAIT);
    await start(guest.page);
    await write(guest.page, 'Hello as a guest');
    await expect.poll(() => statusOf(guest.page, 'Hello as a guest').textContent(), WAIT).toContain('Sent');
    expect(guest.errors).toEqual([]);
  });

  it('drops a stored session Threadline no longer knows, and offers the pre-chat form again', async () => {
    const { page, errors } = await visit();
    // Open before the reload (the click only asks for the panel; a loaded machine draws it later).
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    const gone = { sessionToken: 'wcs_gone', expiresAt: '2099-01-01T00:00:00.000Z', verified: false };
    await page.evaluate(
      `localStorage.setItem('threadline-chat:anonymous', ${JSON.stringify(JSON.stringify(gone))})`,
    );
    await page.reload();
    // The panel comes back open by itself: the tab kept it so.
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    expect(await page.evaluate("localStorage.getItem('threadline-chat:anonymous')")).toBeNull();
    expect(errors).toEqual([]);
  });

  it('shows an email the server would refuse as an error beside the field, and the server’s own error there too', async () => {
    const { page, errors } = await visit();
    const sessions: string[] = [];
    page.on('request', (r) => r.url().endsWith('/webchat/sessions') && sessions.push(r.method()));
    const email = page.getByRole('textbox', { name: /Your email/ });
    await email.fill('ian@localhost');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.locator('#tl-email-error').waitFor(WAIT);
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await email.getAttribute('aria-describedby')).toContain('tl-email-error');
    expect(sessions).toEqual([]);
    await page.route(`${shop.runtime.url}/webchat/sessions`, (route) =>
      route.fulfill({
        status: 400,
        json: { error: { code: 'validation', message: 'email: Invalid email address' } },
      }),
    );
    await email.fill('ian@example.com');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.locator('#tl-email-error', { hasText: 'Invalid email address' }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Start chat' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('knows after hours before the chat starts: says when a person answers and puts the email first', async () => {
    const { page } = await visit();
    const note = page.getByRole('status').filter({ hasText: 'We are away now' });
    await note.waitFor(WAIT);
    // Before, "Leave your email below so we can reply by email": no reply is emailed to a typed address.
    expect(await note.textContent()).toContain('Leave your email below so our team can reach you.');
    expect(await note.textContent()).not.toContain('reply by email');
    const fields = await page
      .locator('form.pre input')
      .evaluateAll((els) => els.map((e) => e.getAttribute('name')));
    expect(fields).toEqual(['email', 'name']);
    await page
      .getByRole('textbox', { name: 'Your email (optional), so our team can reach you' })
      .waitFor(WAIT);
    await screenshot(page, 'webchat-after-hours.png');
    await page.getByRole('textbox', { name: /Your email/ }).fill('mia@example.com');
    await start(page);
    // Before, "We can reply to mia@example.com if you have left.": the fallback emails no typed address.
    expect(await note.textContent()).toContain('The answer will wait for you here.');
    expect(await note.textContent()).not.toContain('mia@example.com');
  });

  it('tells the visitor a person is being fetched on Threadline’s hand-off (after hours: from when; over a reload, after an earlier AI answer), until the person answers', async () => {
    const { page, received } = await visit();
    const handoffFrames = () => received.filter((f) => f.includes('"type":"handoff"'));
    await start(page);
    await write(page, 'How long does shipping take?');
    await page.locator('.msg.ai[data-id^="reply:"]').waitFor(WAIT);
    const status = page.getByRole('status').filter({ hasText: 'Connecting you to someone' });
    expect(await status.count()).toBe(0);
    await write(page, 'I want to talk to a person about a refund');
    await status.waitFor(WAIT);
    expect(await status.textContent()).toContain('A person will reply here from ');
    expect(handoffFrames()).toHaveLength(1);
    await page.reload();
    // The panel comes back open by itself: the tab kept it so.
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    await status.waitFor(WAIT);
    expect(handoffFrames()).toHaveLength(1);
    await agentReply(page, 'Bea here about your refund.');
    await page.locator('.msg.agent', { hasText: 'Bea here about your refund.' }).waitFor(WAIT);
    await status.waitFor({ state: 'detached', ...WAIT });
  });

  it('shows nobody typing while the visitor is offline, though a typing frame still gets through', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const sockets: Array<{ send(message: string): void }> = [];
    await page.routeWebSocket(/\/webchat\/live/, (ws) => {
      sockets.push(ws);
      ws.connectToServer();
    });
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await start(page);
    const typing = page.locator('.typing');
    const frame = (value: object) => sockets.at(-1)?.send(JSON.stringify(value));
    frame({ type: 'typing', by: 'ai', on: true });
    await expect.poll(() => typing.textContent(), WAIT).toBe('The assistant is typing…');
    await page.context().setOffline(true);
    await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor(WAIT);
    expect(await typing.textContent()).toBe('');
    // The emulated network (as a proxy or a half-dead link may) keeps the socket: frames still arrive.
    frame({ type: 'typing', by: 'ai', on: true });
    frame({ type: 'handoff', handoff: { conversationId: 'cv_offline', at: new Date().toISOString() } });
    await page.getByRole('status').filter({ hasText: 'Connecting you to someone' }).waitFor(WAIT);
    expect(await typing.textContent()).toBe('');
  });

  it('says when the visitor is offline, and sends what they wrote once they are back', async () => {
    const { page, errors } = await visit();
    await start(page);
    await write(page, 'hello');
    await expect.poll(() => statusOf(page, 'hello').textContent(), WAIT).toContain('Sent');
    await page.context().setOffline(true);
    const offline = page.getByRole('status').filter({ hasText: 'You are offline' });
    await offline.waitFor(WAIT);
    await write(page, 'written on the train');
    await expect
      .poll(() => statusOf(page, 'on the train').textContent(), WAIT)
      .toContain('Waiting for connection');
    await screenshot(page, 'webchat-offline.png');
    await page.context().setOffline(false);
    await expect.poll(() => statusOf(page, 'on the train').textContent(), WAIT).toContain('Sent');
    await offline.waitFor({ state: 'detached', ...WAIT });
    expect(errors).toEqual([]);
  });
});
