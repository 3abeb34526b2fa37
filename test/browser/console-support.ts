import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { launchBrowser } from '../support/browser.js';
import { madeInBeforeAll } from '../support/made-in-before-all.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

/** The admin agent the console tests sign in as. */
export const ANA = { id: 'ana', token: agentToken('ana-console-token') } as const;

/** Posts a signed WhatsApp or Meta webhook to the runtime, and checks it was taken. */
export async function postMeta(runtime: LocalRuntime, path: string, payload: unknown): Promise<void> {
  const answer = await deliver(signedMeta(runtime.url, path, payload, SECRETS.meta));
  if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
}

/** A customer who writes one WhatsApp message: `text` (`Hello from <name>` unless given) at `at` (now unless given). */
export interface WhatsAppGreeting {
  from: string;
  name: string;
  text?: string;
  at?: string;
}

/** The time `minutes` before `now`, in ISO 8601: when a seeded customer wrote. */
export const minutesAgo = (minutes: number, now = Date.now()): string =>
  new Date(now - minutes * 60_000).toISOString();

/**
 * The customers write on WhatsApp, one message each and in order (message ids `wamid.<tag>.<i>`, unique
 * to the test file by its tag); answers once the runtime has handled every one.
 */
export async function greetOnWhatsApp(
  runtime: LocalRuntime,
  tag: string,
  customers: readonly WhatsAppGreeting[],
): Promise<void> {
  for (const [i, { from, name, text, at }] of customers.entries()) {
    const message = {
      id: `wamid.${tag}.${i}`,
      at: at ?? new Date().toISOString(),
      text: text ?? `Hello from ${name}`,
    };
    await postMeta(runtime, '/webhooks/whatsapp', whatsappText({ from, name, messages: [message] }));
  }
  await runtime.idle();
}

/**
 * A call to the agent API as Ana. A 503 (the local table too busy a moment: the inbox asks every shard at
 * once, and a loaded machine may fail one) is asked again, as the console does.
 */
export async function asAna<T>(runtime: LocalRuntime, path: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${ANA.token}` } });
    if (res.status === 503 && attempt < 5) {
      await res.text();
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return (await res.json()) as T;
  }
}

/**
 * Opens the open conversation of the customer a search for `q` finds first, by its link, as an agent
 * following one would; answers the timeline's message log once it has read.
 */
export async function openCustomerConversation(page: Page, runtime: LocalRuntime, q: string) {
  const found = await asAna<{ items: Array<{ openConversationId?: string }> }>(
    runtime,
    `/api/customers?q=${encodeURIComponent(q)}`,
  );
  const id = found.items[0]?.openConversationId;
  if (!id) throw new Error(`no open conversation for ${q}`);
  await page.goto(`${runtime.url}/console#/conversations/${id}`);
  // This conversation's timeline, read: after a move from another one (the hash alone changes), the
  // previous conversation's timeline and reply box stay until the new one is drawn.
  await page
    .locator(`section.timeline[data-conversation="${id}"][aria-busy="false"]`)
    .waitFor({ timeout: 60_000 });
  return page.getByRole('log', { name: 'Messages' });
}

/** Opens the inbox row of the customer named `name` by a click, as an agent does; waits for its heading. */
export async function openInboxRow(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Inbox' })
    .getByRole('button', { name: new RegExp(name) })
    .click();
  await page.getByRole('heading', { name }).waitFor({ timeout: 30_000 });
}

/** The first conversation the inbox lists (open, by default) of the customer named `name`. */
export async function inboxConversationOf(
  runtime: LocalRuntime,
  name: string,
): Promise<{ id: string; customerId: string }> {
  const rows = await asAna<{
    items: Array<{ id: string; customerId: string; customer?: { id?: string; name?: string } }>;
  }>(runtime, '/api/conversations');
  // A conversation of a customer merged away shows the kept customer (name and id) until the merge
  // resolves it: the customer's own conversation is the row whose customer is its own.
  const own = (r: (typeof rows.items)[number]) =>
    r.customer?.id === undefined || r.customer.id === r.customerId;
  const row = rows.items.find((r) => r.customer?.name === name && own(r));
  if (!row) throw new Error(`no conversation of ${name}`);
  return row;
}

/** Opens the console and signs in with an agent token (Ana's unless another is given), as an agent would. */
export async function signIn(page: Page, runtime: LocalRuntime, token: string = ANA.token): Promise<void> {
  await page.goto(`${runtime.url}/console`);
  await page.getByLabel('Agent token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
}

/**
 * Answers the console's in-page question (its `alertdialog`): the confirm button, or Cancel; answers the
 * question's text once the dialog has gone.
 */
export async function answerConfirm(page: Page, yes: boolean): Promise<string> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  const text = (await dialog.locator('#confirm-text').textContent()) ?? '';
  await (yes ? dialog.locator('button.danger') : dialog.getByRole('button', { name: 'Cancel' })).click();
  await dialog.waitFor({ state: 'detached' });
  return text;
}

/** The desktop window most console tests work in. */
export const DESKTOP = { width: 1280, height: 800 } as const;

/** What a console test file's runtime is started with: `startTestRuntime`'s options. */
export type ConsoleRuntimeOptions = NonNullable<Parameters<typeof startTestRuntime>[0]>;

/** The runtime and the browser of a console test's describe block, from its `beforeAll` on. */
export interface ConsoleUnderTest {
  readonly runtime: LocalRuntime;
  readonly browser: Browser;
}

/**
 * Starts the runtime a console test file runs against and launches the browser before the describe
 * block's tests; closes both after them, after the block's own `afterAll`s. The runtime has the change
 * feed on (the console's live updates and the webhooks run on it) and Ana an admin, with the file's own
 * `options` over these (its AGENT_TOKENS in place of Ana's alone, when it has more agents). `options`
 * may be a function, called when the block starts, for what is made then (a policy file, a clock read
 * at the start). As with `useTestRuntime`, what it answers stands for what that `beforeAll` made: a test
 * reads `runtime.url` and calls `browser.newPage()` inside a test or hook, each describe block with a
 * runtime and a browser of its own.
 */
export function useConsole(
  options: ConsoleRuntimeOptions | (() => ConsoleRuntimeOptions) = {},
): ConsoleUnderTest {
  let runtime: LocalRuntime | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const own = typeof options === 'function' ? options() : options;
    runtime = await startTestRuntime({
      events: true,
      ...own,
      env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin`, ...own.env },
    });
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    // The browser first: its pages hold sockets to the runtime.
    await browser?.close();
    await runtime?.close();
  });
  return {
    runtime: madeInBeforeAll('the runtime', () => runtime),
    browser: madeInBeforeAll('the browser', () => browser),
  };
}

/** A page's live socket the test cuts and brings back, as a network failure would. */
export interface CuttableLive {
  /** Refuses the socket from now on, drops it, and waits for the header to say so. */
  cut(): Promise<void>;
  /** Lets the socket connect again (the console reconnects by itself). */
  restore(): void;
}

/** Routes `page`'s live socket through a switch (before the console opens it). */
export async function cuttableLive(page: Page): Promise<CuttableLive> {
  let up = true;
  await page.routeWebSocket(/\/api\/live/, (socket) => {
    if (!up) return socket.close();
    socket.connectToServer();
  });
  return {
    async cut() {
      up = false;
      await page.evaluate('window.threadlineLive.drop()');
      await page
        .getByRole('status')
        .filter({ hasText: /Reconnecting|Offline/ })
        .waitFor({ timeout: 30_000 });
    },
    restore() {
      up = true;
    },
  };
}

/** A new page of the desktop window's size with the console open and Ana signed in. */
export async function signedInPage(browser: Browser, runtime: LocalRuntime): Promise<Page> {
  const page = await browser.newPage({ viewport: DESKTOP });
  await signIn(page, runtime);
  return page;
}

/**
 * Writes `count` timeline items for a customer straight into the local table, past the change feed (as
 * a long history already stored would be): messages both ways on two channels, a note every 50th.
 */
export async function seedTimeline(runtime: LocalRuntime, customerId: string, count: number): Promise<void> {
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  const item = (i: number): TimelineItem => {
    const at = new Date(start + i * 60_000).toISOString();
    if (i % 50 === 49)
      return { id: `seed-note-${i}`, type: 'note', text: `Seeded note ${i}`, at, customerId };
    return {
      id: `seed-${i}`,
      type: 'message',
      channel: i % 7 === 0 ? 'sms' : 'whatsapp',
      direction: i % 2 ? 'outbound' : 'inbound',
      text: `Seeded message ${i}`,
      at,
      customerId,
      ...(i % 2 ? { status: 'read' as const, statusAt: at } : {}),
    };
  };
  await writeTimelineItems(
    runtime,
    Array.from({ length: count }, (_, i) => item(i)),
  );
}

/**
 * Sets the browser's default font size (Chrome's Settings › Appearance › Font size) for the page, as an
 * agent or a visitor who reads large text does: `medium`, and so `rem` and `em`, start from `px`.
 */
export async function setDefaultFontSize(page: Page, px: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: px, fixed: Math.round((px * 13) / 16) } });
}

/** A window at 200 % zoom: half the CSS px each way, each drawn with two device pixels. */
export const ZOOMED = { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 } as const;

/** WCAG's contrast ratio of two `rgb()` colours. */
export function contrast(foreground: string, background: string): number {
  const lum = (color: string) => {
    const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(foreground), lum(background)].sort((a, b) => b - a) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * What a screen reader is told: the text each change adds inside a live region (`aria-live` other than
 * `off`, or a role that implies one), in the page and in any shadow root (the web-chat widget's),
 * recorded from the page's start. For `page.addInitScript` (source text: the tests are compiled without
 * the DOM's types); `told` reads it.
 */
export const RECORD_ANNOUNCEMENTS = `(() => {
  window.__told = [];
  const live = (node) => {
    for (let e = node.nodeType === 1 ? node : node.parentElement; e; e = e.parentElement) {
      const value = e.getAttribute('aria-live');
      if (value) return value !== 'off';
      if (['log', 'status', 'alert'].includes(e.getAttribute('role'))) return true;
    }
    return false;
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (!live(r.target)) continue;
      const added = r.type === 'characterData' ? [r.target] : [...r.addedNodes];
      for (const n of added) if ((n.textContent ?? '').trim()) window.__told.push(n.textContent.trim());
    }
  });
  const watch = (root) => observer.observe(root, { subtree: true, childList: true, characterData: true });
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    watch(root);
    return root;
  };
  document.addEventListener('DOMContentLoaded', () => watch(document.body));
})()`;

/** What screen readers were told since the last call (the page recorded it with `RECORD_ANNOUNCEMENTS`). */
export const told = (page: Page) =>
  page.evaluate('(() => { const t = window.__told; window.__told = []; return t; })()') as Promise<string[]>;

/** Whether `el` is the element focused, for `locator.evaluate` (it runs in the page: no DOM types here). */
export const isFocused = (el: unknown): boolean =>
  el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement;

/** Checks run inside the page (as source text: the tests are compiled without the DOM's types). */
export const IN_PAGE = {
  /**
   * The focused element's focus ring: its colour, and the colour it is drawn against (the first
   * opaque background from the element's parent up, through a shadow root's host), to check WCAG
   * 1.4.11's 3:1; undefined when nothing or the page is focused, or it came round again.
   */
  focusRing: `(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body || el.dataset.ringSeen) return undefined;
    el.dataset.ringSeen = '1';
    let bg = 'rgb(255, 255, 255)';
    for (let e = el.parentElement ?? el.getRootNode().host; e; e = e.parentElement ?? e.getRootNode().host) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    }
    const style = getComputedStyle(el);
    return { ring: style.outlineStyle === 'none' ? 'none' : style.outlineColor, bg, what: el.outerHTML.slice(0, 60) };
  })()`,
  /** Controls with no accessible name: no label, aria-label(ledby) or, for a button, text. */
  unlabelled: `[...document.querySelectorAll('input, select, textarea, button')]
    .filter((c) => c.type === 'radio' ? !c.labels?.length
      : !(c.getAttribute('aria-label') || c.getAttribute('aria-labelledby') || c.labels?.length || (c.tagName === 'BUTTON' && c.textContent.trim())))
    .map((c) => c.outerHTML.slice(0, 80))`,
  /** The region of the element focused now, marking it; undefined when focus left the page or came round again. */
  tabStop: `(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el.dataset.tabSeen) return undefined;
    el.dataset.tabSeen = '1';
    const region = el.closest('header.top, nav.inbox, header.conversation-head, .scroller, form.composer, aside.customer');
    return region ? region.className : 'none';
  })()`,
  /**
   * Controls (in `root`: the page, or a shadow root) smaller than WCAG 2.5.8's 24×24 CSS px, as
   * "what width×height": a tick box or radio button is measured with the label that holds it (the label
   * takes the click too); a link or button inside a line of text (`.retry`) is left out, as 2.5.8 does.
   */
  smallTargets: (root = 'document') => `(() => {
    const root = ${root};
    return [...root.querySelectorAll('button, input:not([type=hidden]), select, textarea, summary')]
      .filter((c) => !c.closest('.visually-hidden, .sr') && !c.matches('.retry'))
      .map((c) => {
        const box = (/^(checkbox|radio)$/.test(c.type) && c.closest('label')) || c;
        const r = box.getBoundingClientRect();
        return { r, what: (c.getAttribute('aria-label') || c.textContent || c.name || c.type).trim().slice(0, 30) };
      })
      .filter(({ r }) => r.width > 0 && r.height > 0 && (r.width < 23.5 || r.height < 23.5))
      .map(({ r, what }) => what + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  })()`,
  /** Text colour and effective background of every visible piece of text that carries meaning. */
  colours: `(() => {
    const bg = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = getComputedStyle(e).backgroundColor;
        if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
      }
      return 'rgb(255, 255, 255)';
    };
    return [...document.querySelectorAll('.meta, .muted, .badge, .why, .status, label, button, .event, h2')]
      .filter((el) => el.offsetParent !== null && !el.disabled)
      .map((el) => ({ fg: getComputedStyle(el).color, bg: bg(el), text: el.textContent.slice(0, 30) }));
  })()`,
};
