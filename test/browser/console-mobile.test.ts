import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import { openInboxRow, postMeta, signIn, useConsole } from './console-support.js';

const MIA = { from: '15550009101', name: 'Mia Mobile' };

/** A WhatsApp message from `who`, now. */
const fromMia = (id: string, text: string) =>
  postMeta(
    runtime_(),
    '/webhooks/whatsapp',
    whatsappText({ ...MIA, messages: [{ id, at: new Date().toISOString(), text }] }),
  );
let runtime_: () => Parameters<typeof postMeta>[0];

/** Every API call the page makes, as `METHOD path?query`, and how many are still on their way. */
function recordCalls(page: Page) {
  const calls: string[] = [];
  let open = 0;
  const done = () => {
    open--;
  };
  page.on('request', (r: Request) => {
    const url = new URL(r.url());
    if (!url.pathname.startsWith('/api/') || url.pathname === '/api/live') return;
    calls.push(`${r.method()} ${url.pathname}${url.search}`);
    open++;
    r.response().then(done, done);
  });
  return {
    calls,
    /** Waits until no call is on its way (the answers of those already made have come). */
    settled: async () => {
      await expect.poll(() => open, { timeout: 10_000 }).toBe(0);
    },
  };
}

/** A phone: its window, a finger for a pointer. */
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } as const;

/** The header's live status. */
const liveStatus = (page: Page) =>
  page.getByRole('status').filter({ hasText: /^(Live|Offline|Reconnecting…)/ });

const count = (calls: string[], call: string) => calls.filter((c) => c === call).length;

/**
 * The console on a phone over a flaky link: what it reads at sign-in, what the header says when the
 * network goes, a send whose answer is lost, and tap targets large enough for a finger.
 */
describe('the console on a phone', () => {
  const { runtime, browser } = useConsole();
  runtime_ = () => runtime;

  beforeAll(async () => {
    await fromMia('wamid.mobile.1', 'Hello from the bus');
    await runtime.idle();
  });

  it('reads the agents, the removed agents and who it is once each at sign-in, not once per redraw', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.clock.install();
      const { calls, settled } = recordCalls(page);
      await signIn(page, runtime);
      await page
        .getByRole('status')
        .filter({ hasText: /^Live$/ })
        .waitFor();
      // The console's own debounces (a presence burst's read of the agents a second after) run their course.
      for (let i = 0; i < 5; i++) {
        await settled();
        await page.clock.runFor(1_000);
      }
      await settled();
      expect(count(calls, 'GET /api/agents/removed?limit=200')).toBe(1);
      expect(count(calls, 'GET /api/me')).toBeLessThanOrEqual(1);
      // The first read, the one after this first sign-in registered Ana (for her role), the socket's hello's.
      expect(count(calls, 'GET /api/agents')).toBeLessThanOrEqual(3);
    } finally {
      await page.close();
    }
  });

  it('says Offline at once when the network goes, and once back shows what came meanwhile, once, reading the customer once', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    try {
      await page.clock.install();
      await signIn(page, runtime);
      const header = liveStatus(page);
      await expect.poll(() => header.textContent()).toBe('Live');
      await openInboxRow(page, MIA.name);
      await context.setOffline(true);
      // At once: no timer of the page's has run (its clock stands still).
      await expect.poll(() => header.textContent()).toBe('Offline');
      await fromMia('wamid.mobile.2', 'Are you still there?');
      await runtime.idle();
      const { calls, settled } = recordCalls(page);
      await context.setOffline(false);
      const said = page.locator('section.timeline').getByText('Are you still there?', { exact: true });
      await said.waitFor();
      await expect.poll(() => header.textContent()).toBe('Live');
      for (let i = 0; i < 3; i++) {
        await settled();
        await page.clock.runFor(1_000);
      }
      await settled();
      expect(await said.count()).toBe(1);
      const customer = calls.filter((c) => /^GET \/api\/customers\/[^/?]+$/.test(c));
      const channels = calls.filter((c) => /^GET \/api\/customers\/[^/]+\/channels\?/.test(c));
      expect({ customer: customer.length, channels: channels.length }).toEqual({ customer: 1, channels: 1 });
    } finally {
      await context.close();
    }
  });

  it('gives a finger targets of 44 px at least on a phone, and leaves the desktop’s as they were', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    try {
      await signIn(page, runtime);
      const inbox = await page.evaluate(SMALL_TARGETS);
      await openInboxRow(page, MIA.name);
      await page.getByRole('button', { name: 'Send' }).waitFor();
      const conversation = await page.evaluate(SMALL_TARGETS);
      const named = await page.evaluate(
        `(${boxesOf})(['Resolve', 'Transfer', 'Snooze', 'Customer', 'Back to inbox', 'Reply', 'Note', 'Send'])`,
      );
      // The ones QA measured 27 to 29 px high: each is on screen here, and is in the list below if small.
      expect(named).toHaveLength(8);
      expect({ inbox, conversation }).toEqual({ inbox: [], conversation: [] });
    } finally {
      await context.close();
    }
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await signIn(desktop, runtime);
      await openInboxRow(desktop, MIA.name);
      const [send] = (await desktop.evaluate(`(${boxesOf})(['Send'])`)) as Array<{ height: number }>;
      expect(send?.height).toBeLessThan(40);
    } finally {
      await desktop.close();
    }
  });

  it('says a reply whose answer was lost went once the timeline has it, and takes it out of the box; keeps the warning over a reconnect until then', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await signIn(page, runtime);
      await openInboxRow(page, MIA.name);
      const box = page.getByRole('textbox', { name: 'Reply', exact: true });
      const warning = page.getByText(/may or may not have gone/);
      const replies = page.locator('section.timeline').getByText(/^LOST-/);
      // The API takes the reply, and its answer is lost on the way back (a one-way link).
      await page.route(/\/replies$/, async (route) => {
        await route.fetch();
        await route.abort('failed');
      });
      await box.fill('LOST-EDIT');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByText('Your reply was sent after all').waitFor();
      expect(await box.inputValue()).toBe('');
      expect(await warning.count()).toBe(0);
      expect(await replies.allTextContents()).toEqual(['LOST-EDIT']);
      // A reply that never reached the API: the warning and the text stay through a reconnect.
      await page.unroute(/\/replies$/);
      await page.route(/\/replies$/, (route) => route.abort('failed'));
      await box.fill('LOST-NEVER');
      await page.getByRole('button', { name: 'Send' }).click();
      await warning.waitFor();
      const header = liveStatus(page);
      await page.evaluate('window.threadlineLive.drop()');
      await expect.poll(() => header.textContent()).not.toBe('Live');
      await expect.poll(() => header.textContent(), { timeout: 30_000 }).toBe('Live');
      expect(await warning.count()).toBe(1);
      expect(await box.inputValue()).toBe('LOST-NEVER');
      await page.unroute(/\/replies$/);
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => box.inputValue()).toBe('');
      await expect.poll(() => replies.allTextContents()).toEqual(['LOST-EDIT', 'LOST-NEVER']);
    } finally {
      await page.close();
    }
  });
});

/** Every control on screen smaller than 44 CSS px either way: its tag, its name and size (source text). */
const SMALL_TARGETS = `(() => [...document.querySelectorAll('button, select, input, textarea, summary')]
  .filter((el) => el.checkVisibility() && !el.closest('.visually-hidden'))
  .map((el) => ({ el, r: el.getBoundingClientRect() }))
  .filter(({ r }) => r.width > 0 && (r.width < 44 || r.height < 44))
  .map(({ el, r }) => \`\${el.tagName} \${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''} \${Math.round(r.width)}x\${Math.round(r.height)}\`))()`;

/** The boxes of the buttons (and disclosures) named, on screen, as source text's function. */
const boxesOf = `(names) => names.flatMap((name) => {
  const el = [...document.querySelectorAll('button, summary')].find((b) => b.checkVisibility() && b.textContent.trim() === name);
  if (!el) return [];
  const r = el.getBoundingClientRect();
  return [{ name, width: r.width, height: r.height }];
})`;
