import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page, type Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HOURS_WAIT } from '../../functions/webchat/widget/api.js';
import { agentToken } from '../support/agent-token.js';
import { BROWSER_ARGS, ensureBrowser } from '../support/browser.js';
import { AFTER_HOURS, shopForTests } from '../support/webchat-site.js';

const AGENT = agentToken('webchat-visitor-browsers-agent');
const WAIT = { timeout: 30_000 };

/** The tag and name of the element holding the focus, inside the widget's shadow root too. */
const focused = (page: Page) =>
  page.evaluate(`(() => {
    let at = document.activeElement;
    while (at?.shadowRoot?.activeElement) at = at.shadowRoot.activeElement;
    const name = at?.getAttribute('name');
    return at ? at.tagName + (name ? '[name=' + name + ']' : '') : '';
  })()`) as Promise<string>;

/** WCAG's contrast ratio of the first `.visitor .meta` text (its opacity blended over its bubble). */
const visitorMetaContrast = (page: Page) =>
  page.evaluate(`(() => {
    const meta = document.querySelector('[data-threadline-chat]').shadowRoot.querySelector('.msg.visitor .meta');
    const rgb = (css) => (css.match(/[\\d.]+/g) ?? []).slice(0, 3).map(Number);
    const bubble = rgb(getComputedStyle(meta.parentElement).backgroundColor);
    const alpha = Number(getComputedStyle(meta).opacity);
    const text = rgb(getComputedStyle(meta).color).map((c, i) => c * alpha + bubble[i] * (1 - alpha));
    const lin = (c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    const [hi, lo] = [lum(text), lum(bubble)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  })()`) as Promise<number>;

describe('the web-chat widget in the browsers visitors really have', { timeout: 60_000 }, () => {
  const shop = shopForTests(AGENT);

  const box = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const open = async (page: Page) => {
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
  };
  const start = async (page: Page) => {
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
    await box(page).waitFor(WAIT);
  };
  const write = async (page: Page, text: string) => {
    await box(page).fill(text, WAIT);
    await box(page).press('Enter');
  };
  const sessionOf = async (page: Page) =>
    JSON.parse(((await page.evaluate("localStorage.getItem('threadline-chat:anonymous')")) as string) ?? '{}')
      .sessionToken as string | undefined;

  it('chats in a browser that blocks site data (cookies and storage), and says the chat is kept only while the page is', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'tl-blocked-'));
    mkdirSync(join(profile, 'Default'));
    // Chromium's "Block all cookies": the page's localStorage and sessionStorage throw SecurityError.
    writeFileSync(
      join(profile, 'Default', 'Preferences'),
      JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }),
    );
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: ensureBrowser(() => {}),
      headless: true,
      args: BROWSER_ARGS,
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await open(page);
      expect(await page.evaluate('localStorage.length').catch((e: Error) => e.message)).toMatch(
        /denied|Security/i,
      );
      await start(page);
      await page.getByText('kept only until you leave this page', { exact: false }).waitFor(WAIT);
      await write(page, 'Hello from a locked-down browser');
      await expect
        .poll(() => page.locator('.msg.visitor .meta').first().textContent(), WAIT)
        .toContain('Sent');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('says so in words on the page when the panel cannot load', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await page.route('**/webchat/assets/**', (route: Route) => route.abort('connectionrefused'));
    await open(page);
    await page.getByText('Chat unavailable, try again').waitFor({ state: 'visible', ...WAIT });
  });

  it('keeps one visitor in two tabs: the second tab takes the first tab\'s session, by its storage event or at "Start chat"', async () => {
    const context = await shop.browser.newContext();
    const [a, b, c] = [await context.newPage(), await context.newPage(), await context.newPage()];
    // Tab C misses the other tabs' storage events (as a page may, one busy or asleep): it hears none.
    await c.addInitScript(`{
      const add = window.addEventListener.bind(window);
      window.addEventListener = (type, ...rest) => (type === 'storage' ? undefined : add(type, ...rest));
    }`);
    for (const page of [a, b, c]) {
      await open(page);
      await page.getByRole('button', { name: 'Start chat' }).waitFor(WAIT);
    }
    const starts: string[] = [];
    for (const page of [b, c])
      page.on('request', (r) => r.url().endsWith('/webchat/sessions') && starts.push(r.url()));
    await start(a);
    await write(a, 'written in tab A');
    await expect.poll(() => a.locator('.msg.visitor .meta').first().textContent(), WAIT).toContain('Sent');
    // Tab B heard tab A store the session: its form gives way to the conversation, A's message in it.
    await box(b).waitFor(WAIT);
    await b.locator('.msg.visitor', { hasText: 'written in tab A' }).waitFor(WAIT);
    // Tab C missed the event: its "Start chat" finds the stored session and starts none.
    expect(await c.getByRole('button', { name: 'Start chat' }).count()).toBe(1);
    await start(c);
    await c.locator('.msg.visitor', { hasText: 'written in tab A' }).waitFor(WAIT);
    expect(starts).toEqual([]);
    expect(await sessionOf(b)).toBe(await sessionOf(a));
    expect(await sessionOf(c)).toBe(await sessionOf(a));
  });

  /** A page whose first availability read is held until `answer()`; `asked` settles when the read is made. */
  const heldHours = async (clock = false) => {
    const page = await (await shop.browser.newContext()).newPage();
    if (clock) await page.clock.install();
    let answer: (() => void) | undefined;
    let ask = () => {};
    const asked = new Promise<void>((resolve) => {
      ask = resolve;
    });
    // In place before the page opens: the widget's first availability read is the one held.
    await page.route('**/webchat/availability', async (route: Route) => {
      await new Promise<void>((release) => {
        answer = release;
        ask();
      });
      await route.fulfill({ json: AFTER_HOURS });
    });
    await page.goto(`${shop.siteUrl}/`);
    await page.getByRole('button', { name: 'Open chat' }).focus(WAIT);
    await page.keyboard.press('Enter');
    await asked;
    return { page, answer: () => answer?.() };
  };
  const fields = (page: Page) =>
    page.locator('form.pre input').evaluateAll((els) => els.map((e) => e.getAttribute('name')));

  it('shows the pre-chat form once the hours are known: after hours the email first, with the keyboard focus, and Escape still closes', async () => {
    const { page, answer } = await heldHours();
    // While the answer is awaited the dialog holds the focus and no field can be typed into and then moved.
    await expect.poll(() => focused(page), WAIT).toBe('SECTION');
    expect(await page.locator('.panel').getAttribute('data-hours')).toBe('asking');
    expect(await fields(page)).toEqual([]);
    answer();
    await page.getByLabel('Your email (optional), so our team can reach you').waitFor(WAIT);
    expect(await fields(page)).toEqual(['email', 'name']);
    expect(await page.locator('.panel').getAttribute('data-hours')).toBe('closed');
    await expect.poll(() => focused(page), WAIT).toBe('INPUT[name=email]');
    await page.keyboard.press('Escape');
    await page.locator('.panel').waitFor({ state: 'hidden', ...WAIT });
  });

  it('shows the form anyway when the hours are slow to come, and moves the focus to the email the late answer puts first', async () => {
    const { page, answer } = await heldHours(true);
    await expect.poll(() => focused(page), WAIT).toBe('SECTION');
    await page.clock.fastForward(HOURS_WAIT);
    await page.getByLabel('Your email (optional)').waitFor(WAIT);
    expect(await fields(page)).toEqual(['name', 'email']);
    expect(await page.locator('.panel').getAttribute('data-hours')).toBe('unknown');
    await expect.poll(() => focused(page), WAIT).toBe('INPUT[name=name]');
    answer();
    await page.getByLabel('Your email (optional), so our team can reach you').waitFor(WAIT);
    // The first field now, the one the after-hours note asks for (it stayed on the name before).
    expect(await focused(page)).toBe('INPUT[name=email]');
  });

  it("shows the time and status in the visitor's own bubbles at a contrast of at least 4.5:1", async () => {
    const page = await (await shop.browser.newContext()).newPage();
    await open(page);
    await start(page);
    await write(page, 'how readable is my own bubble?');
    await page.locator('.msg.visitor .meta').first().waitFor(WAIT);
    expect(await visitorMetaContrast(page)).toBeGreaterThanOrEqual(4.5);
  });

  it('counts down near the 4,000-character limit, and refuses a longer paste with a reason instead of cutting it', async () => {
    const page = await (await shop.browser.newContext()).newPage();
    const sends: string[] = [];
    page.on(
      'request',
      (r) => r.method() === 'POST' && r.url().endsWith('/webchat/messages') && sends.push(r.url()),
    );
    await open(page);
    await start(page);
    await box(page).fill('a'.repeat(3900), WAIT);
    await page.getByText('3,900 / 4,000').waitFor(WAIT);
    const pasted = `${'b'.repeat(4100)}`;
    await box(page).fill(pasted, WAIT);
    expect((await box(page).inputValue()).length).toBe(4100);
    await page.getByRole('alert').filter({ hasText: '4,100 characters: the limit is 4,000' }).waitFor(WAIT);
    expect(await box(page).getAttribute('aria-invalid')).toBe('true');
    await box(page).press('Enter');
    expect((await box(page).inputValue()).length).toBe(4100);
    expect(await page.locator('.msg.visitor').count()).toBe(0);
    await box(page).fill('c'.repeat(4000), WAIT);
    await box(page).press('Enter');
    await expect.poll(() => page.locator('.msg.visitor .meta').first().textContent(), WAIT).toContain('Sent');
    expect(sends.length).toBe(1);
  });
});
