import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { awayWhateverTheClock, shopForTests, visitorConversation } from '../support/webchat-site.js';
import { contrast, IN_PAGE, RECORD_ANNOUNCEMENTS, told } from './console-support.js';

const AGENT = agentToken('webchat-a11y-agent');
const WAIT = { timeout: 30_000 };

/** Where a widget element is (`selector` in its shadow root), and whether the panel and the window show all of it. */
const placeOf = (page: Page, selector: string) =>
  page.evaluate(`(() => {
    const root = document.querySelector('[data-threadline-chat]').shadowRoot;
    const r = root.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
    const p = root.querySelector('.panel').getBoundingClientRect();
    const inside = r.height > 0 && r.top >= Math.max(p.top, 0) - 1 && r.bottom <= Math.min(p.bottom, innerHeight) + 1;
    return { height: Math.round(r.height), inside };
  })()`) as Promise<{ height: number; inside: boolean }>;

/** Records each state the panel's connection goes through (`data-connection`), in `window.__connection`. */
const RECORD_CONNECTION = `(() => {
  window.__connection = [];
  const seen = () => {
    const panel = document.querySelector('[data-threadline-chat]')?.shadowRoot?.querySelector('.panel');
    const now = panel?.getAttribute('data-connection');
    if (now && window.__connection.at(-1) !== now) window.__connection.push(now);
  };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    new MutationObserver(seen).observe(root, { subtree: true, childList: true, attributes: true });
    return root;
  };
})()`;

describe('the web-chat widget with a screen reader and zoom', { timeout: 90_000 }, () => {
  const shop = shopForTests(AGENT);
  const api = agentCaller(() => shop.runtime.url, AGENT);
  const box = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const write = async (page: Page, text: string) => {
    await box(page).fill(text, WAIT);
    await box(page).press('Enter');
    await page.locator('.msg.visitor', { hasText: text }).locator('.meta', { hasText: 'Sent' }).waitFor(WAIT);
  };

  it('reads out neither the history (on each page of the shop) nor the visitor’s own messages, and a reply once', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.addInitScript(RECORD_ANNOUNCEMENTS);
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    for (const n of [1, 2, 3]) await write(page, `Question number ${n}`);
    // Before, each was read back: "You: Question number 1 … · Sending…", then "· Sent".
    expect((await told(page)).filter((t) => /Question|Sending|Sent/.test(t))).toEqual([]);

    // The next page of the shop: the panel comes back open, its history read again.
    await page.reload();
    await page.locator('.msg.visitor', { hasText: 'Question number 3' }).waitFor(WAIT);
    // Before, the whole history (up to 100 messages) was read out on every page.
    expect((await told(page)).filter((t) => t.includes('Question'))).toEqual([]);

    const conversation = await visitorConversation(page, shop.runtime.url, AGENT);
    await api('POST', `/api/conversations/${conversation}/replies`, { text: 'Bea here: it ships today.' });
    await page.locator('.msg.agent', { hasText: 'Bea here' }).waitFor(WAIT);
    await expect
      .poll(async () => (await told(page)).filter((t) => t.includes('Bea here')), WAIT)
      .toEqual(['Agent: Bea here: it ships today.']);
  });

  it('says "Reconnecting…" when a live connection drops, not while the first one is being made', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.addInitScript(RECORD_ANNOUNCEMENTS);
    await page.addInitScript(RECORD_CONNECTION);
    // The first socket the panel opens never connects (the network refused it); the next ones do.
    const live: Array<{ close(): Promise<void> }> = [];
    let tries = 0;
    await page.routeWebSocket(/\/webchat\/live/, async (socket) => {
      if (++tries === 1) return socket.close({ code: 1006 });
      socket.connectToServer();
      live.push(socket);
    });
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
    // Before, a first try that failed was announced (and shown) as "Reconnecting…".
    expect(tries).toBeGreaterThanOrEqual(2);
    // The status line is there, empty and of no height, while all is well.
    const line = page.locator('.state[role="status"]');
    expect([await line.textContent(), (await line.boundingBox())?.height]).toEqual(['', 0]);
    expect(await page.evaluate('window.__connection')).not.toContain('reconnecting');
    expect((await told(page)).filter((t) => t.includes('Reconnecting'))).toEqual([]);
    await live.at(-1)?.close();
    await expect
      .poll(async () => (await told(page)).filter((t) => t.includes('Reconnecting')), WAIT)
      .toEqual(['Reconnecting…']);
    await page.locator('.panel[data-connection="live"]').waitFor(WAIT);
  });

  it('says its own words in English and what people write in the page’s language', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.goto(
      `${shop.siteUrl}/?lang=de&welcome=${encodeURIComponent('Hallo! Wie können wir helfen?')}`,
    );
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await write(page, 'Wo ist meine Bestellung?');
    // The language a screen reader reads each in (CSS :lang() follows the same inheritance, shadow root included).
    const langs = await page.evaluate(`(() => {
      const root = document.querySelector('[data-threadline-chat]').shadowRoot;
      const of = (s) => ['en', 'de'].find((l) => root.querySelector(s).matches(':lang(' + l + ')')) ?? 'none';
      const parts = ['.launcher', '.close', 'h2', '.typing', '.welcome', 'textarea', '.msg.visitor .text'];
      return Object.fromEntries(parts.map((s) => [s, of(s)]));
    })()`);
    // Before, all of it took the page's German: "Close chat" and "An agent is typing…" read with German sounds.
    expect(langs).toEqual({
      '.launcher': 'en',
      '.close': 'en',
      h2: 'en',
      '.typing': 'en',
      '.welcome': 'de',
      textarea: 'de',
      '.msg.visitor .text': 'de',
    });
  });

  // QA: the hidden live region kept the last three replies for good: reading the panel met each twice.
  it('takes what it told out of the live region 5 s after, the reply kept in the log', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.clock.install();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await write(page, 'A question about my order');
    const conversation = await visitorConversation(page, shop.runtime.url, AGENT);
    await page.clock.pauseAt(((await page.evaluate('Date.now()')) as number) + 1_000);
    await api('POST', `/api/conversations/${conversation}/replies`, { text: 'Sam here: which order is it?' });
    // The page's timers move only by `runFor` (paused above): a quarter second at a time until it is told.
    const region = page.locator('div.sr[aria-live]');
    await expect
      .poll(async () => {
        await page.clock.runFor(250);
        return region.textContent();
      }, WAIT)
      .toBe('Agent: Sam here: which order is it?');
    await page.clock.runFor(4_000);
    expect(await region.textContent()).toBe('Agent: Sam here: which order is it?');
    await page.clock.runFor(1_000);
    expect(await region.locator('p').count()).toBe(0);
    expect(
      await page.getByRole('log', { name: 'Conversation' }).getByText('which order is it?').count(),
    ).toBe(1);
  });

  it('tells a reply with its own words in English and the reply in the page’s language', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.addInitScript(RECORD_ANNOUNCEMENTS);
    await page.goto(`${shop.siteUrl}/?lang=de`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await write(page, 'Wo ist mein Paket?');
    const conversation = await visitorConversation(page, shop.runtime.url, AGENT);
    await api('POST', `/api/conversations/${conversation}/replies`, { text: 'Ihr Paket ist unterwegs.' });
    await expect
      .poll(async () => (await told(page)).filter((t) => t.includes('Paket ist')), WAIT)
      .toEqual(['Agent: Ihr Paket ist unterwegs.']);
    // Each part of what the live region was given, with the language a screen reader reads it in.
    const parts = await page.evaluate(`(() => {
      const root = document.querySelector('[data-threadline-chat]').shadowRoot;
      const said = [...root.querySelectorAll('[aria-live="polite"] p')].find((p) => p.textContent.includes('Paket ist'));
      const of = (e) => ['en', 'de'].find((l) => e.matches(':lang(' + l + ')')) ?? 'none';
      return [...said.childNodes].map((n) => [n.textContent, n.nodeType === 1 ? of(n) : of(said)]);
    })()`);
    // Before, one string under the widget's English: "Agent: Ihr Paket ist unterwegs." read with English sounds.
    expect(parts).toEqual([
      ['Agent: ', 'en'],
      ['Ihr Paket ist unterwegs.', 'de'],
    ]);
  });

  it('draws the focus ring at 3:1 against what it sits on, in the pre-chat form and in the chat', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    const weak: Array<{ ring: string; bg: string; what: string }> = [];
    const walk = async () => {
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        const stop = (await page.evaluate(IN_PAGE.focusRing)) as
          | { ring: string; bg: string; what: string }
          | undefined;
        if (stop && (stop.ring === 'none' || contrast(stop.ring, stop.bg) < 3)) weak.push(stop);
      }
    };
    await walk();
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await box(page).waitFor(WAIT);
    await walk();
    // Before, the amber ring (#ffbf47) was 1.6:1 on the panel's white.
    expect(weak).toEqual([]);
  });

  it('keeps the title, the close button, the messages and Start chat on screen at 200 % zoom of a 1280×720 window', async () => {
    // 200 % zoom of a 1280×720 window is a 640×360 CSS-pixel viewport; the panel is 240 px high there.
    const page = await (await shop.browser.newContext({ viewport: { width: 640, height: 360 } })).newPage();
    // After hours, whatever the wall clock says: the away note sits above the messages.
    await awayWhateverTheClock(page);
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    // Before, the panel cut off what did not fit: the title bar shrank to a sliver and Start chat was below its edge.
    expect((await placeOf(page, '.head')).height).toBeGreaterThanOrEqual(40);
    expect((await placeOf(page, '.close')).inside).toBe(true);
    await page.getByRole('button', { name: 'Start chat' }).focus();
    expect(await placeOf(page, 'button.send')).toMatchObject({ inside: true });
    await page.keyboard.press('Enter');
    await box(page).waitFor(WAIT);
    await write(page, 'Can you read me at this zoom?');
    expect((await placeOf(page, '.log')).height).toBeGreaterThanOrEqual(60);
    expect((await placeOf(page, 'textarea')).inside).toBe(true);
    // The hand-off note comes under the messages. Before, it pushed the message box below the panel's
    // edge, out of sight while the visitor was typing in it (CI, a Sunday morning, under load).
    await page.getByText('Connecting you to someone').waitFor(WAIT);
    expect((await placeOf(page, 'textarea')).inside).toBe(true);
    expect((await placeOf(page, 'button.send')).inside).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth - innerWidth')).toBeLessThanOrEqual(0);
  });
  it('fits a 375×667 phone at 200 % zoom: the whole width, no sideways scroll, Send not under the launcher', async () => {
    // 200 % zoom of a 375×667 phone is a 187×333 CSS-pixel viewport.
    const context = await shop.browser.newContext({ viewport: { width: 187, height: 333 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    const panel = `(() => {
      const root = document.querySelector('[data-threadline-chat]').shadowRoot;
      const p = root.querySelector('.panel');
      // Scrolling down to it is allowed (reflow at 200 % zoom scrolls one way: down); being covered is not.
      root.querySelector('button.send').scrollIntoView({ block: 'nearest' });
      const send = root.querySelector('button.send').getBoundingClientRect();
      const on = root.elementFromPoint(send.x + send.width / 2, send.y + send.height / 2);
      const close = root.querySelector('.close').getBoundingClientRect();
      return { width: Math.round(p.getBoundingClientRect().width), sideways: p.scrollWidth - p.clientWidth,
        sendOnTop: on?.classList.contains('send') ?? false, closeAtLeast44: close.width >= 44 && close.height >= 44 };
    })()`;
    // Before, the panel was 147 px wide in its corner, the name field 188 px: it scrolled sideways.
    expect(await page.evaluate(panel)).toEqual({
      width: 187,
      sideways: 0,
      sendOnTop: true,
      closeAtLeast44: true,
    });
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await box(page).waitFor(WAIT);
    await box(page).fill('Zoomed in', WAIT);
    expect(await page.evaluate(panel)).toEqual({
      width: 187,
      sideways: 0,
      sendOnTop: true,
      closeAtLeast44: true,
    });
    expect((await placeOf(page, 'textarea')).inside).toBe(true);
    // The panel's own close puts the focus back on the launcher, shown again.
    await page.getByRole('button', { name: 'Close chat' }).first().click(WAIT);
    await expect
      .poll(
        () =>
          page.evaluate(
            `document.querySelector('[data-threadline-chat]').shadowRoot.activeElement?.className`,
          ),
        WAIT,
      )
      .toBe('launcher');
    expect(await page.getByRole('button', { name: 'Open chat' }).isVisible()).toBe(true);
    await context.close();
  });

  it('puts the focus on a pre-chat field refused, which says why', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    // Its label says "(optional)" in opening hours and asks for it after them: the shop keeps real time.
    await page.getByLabel(/^Your email/).fill('not-an-email', WAIT);
    await page.getByRole('button', { name: 'Start chat' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Enter an email like name@example.com').waitFor(WAIT);
    // Before, the focus stayed on Start chat and a screen reader heard nothing of the refusal.
    const focused = `(() => {
      const a = document.querySelector('[data-threadline-chat]').shadowRoot.activeElement;
      const root = a?.getRootNode();
      return { name: a?.getAttribute('name'), invalid: a?.getAttribute('aria-invalid'),
        said: (a?.getAttribute('aria-describedby') ?? '').split(' ').map((id) => root.getElementById(id)?.textContent) };
    })()`;
    await expect
      .poll(() => page.evaluate(focused), WAIT)
      .toEqual({
        name: 'email',
        invalid: 'true',
        // First the refusal; after hours the note that asks for the email describes the field too.
        said: expect.arrayContaining(['Enter an email like name@example.com']),
      });
  });
});
