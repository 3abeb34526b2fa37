import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { whatsappText } from '../support/webhooks.js';
import { ANA, DESKTOP, postMeta, signedInPage, signIn, useConsole } from './console-support.js';

/** Pages of the inbox the test serves in place of the API's (50 rows each; the cursor `pN` names page N). */
const PAGES = 4;
const row = (page: number, i: number, label: string) => ({
  id: `cv_fake_${page}_${i}`,
  customerId: `cu_fake_${page}_${i}`,
  status: 'open',
  channel: 'sms',
  channels: ['sms'],
  startedAt: '2026-06-01T09:00:00.000Z',
  updatedAt: '2026-06-01T09:00:00.000Z',
  waiting: false,
  customer: { id: `cu_fake_${page}_${i}`, name: `${label} ${page}.${i}` },
});

/**
 * A live event does not read every page of the inbox shown again: after three "Load more" presses
 * (four pages), an event for a conversation none of them shows reads a bounded few pages (the first,
 * and the last, where a new conversation may go), not all four; and "Load more" reads one page.
 */
describe('the console inbox: live events read a bounded number of pages', () => {
  const { runtime, browser } = useConsole();

  it('after four pages, one event reads at most two of them, and the first page shows its news', async () => {
    // The routes are in place before the console's first read: every read counted is this page's.
    const page = await browser.newPage({ viewport: DESKTOP });
    try {
      let reads = 0;
      let fresh = false;
      await page.route(/\/api\/conversations\?/, (route: Route) => {
        reads += 1;
        const cursor = new URL(route.request().url()).searchParams.get('cursor');
        const n = cursor ? Number(cursor.slice(1)) : 1;
        const label = fresh && n === 1 ? 'Fresh' : 'Row';
        const items = Array.from({ length: 50 }, (_, i) => row(n, i, label));
        return route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ items, cursor: n < PAGES ? `p${n + 1}` : null }),
        });
      });
      // One webhook makes several events (its message, its conversation...). A quick machine sends them
      // within the inbox's 300 ms, to one read; a loaded one may space them further. The socket holds what
      // the server sends from the webhook on and hands it over at once, as the quick machine does.
      let held: string[] | undefined;
      let toPage = (_frame: string) => {};
      await page.routeWebSocket(/\/api\/live/, (ws) => {
        const server = ws.connectToServer();
        toPage = (frame) => ws.send(frame);
        server.onMessage((frame) => {
          if (held) held.push(String(frame));
          else ws.send(frame);
        });
      });
      await signIn(page, runtime);
      const more = page.locator('.more-rows');
      // "Load more" (pressed here, or by itself as it scrolls into view) reads the next page alone.
      while (!(await more.getByText(`${PAGES * 50} in all`).count())) {
        await page
          .getByRole('button', { name: 'Load more' })
          .click({ timeout: 30_000 })
          .catch(() => {});
      }
      expect(reads).toBe(PAGES);
      reads = 0;
      fresh = true;
      held = [];
      await postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({
          from: '15550007001',
          name: 'Live Lee',
          messages: [{ id: 'wamid.livereads.1', at: new Date().toISOString(), text: 'Hello?' }],
        }),
      );
      await runtime.idle();
      const burst = held;
      const sent = (type: string) => burst.some((frame) => frame.includes(`"type":"${type}"`));
      await expect
        .poll(() => sent('timeline.item') && sent('conversation.updated'), { timeout: 30_000 })
        .toBe(true);
      // What comes later stays held: a read it made would be another event's.
      held = [];
      for (const frame of burst) toPage(frame);
      await page.getByText('Fresh 1.0', { exact: true }).waitFor({ timeout: 30_000 });
      expect(reads).toBeGreaterThan(0);
      expect(reads).toBeLessThanOrEqual(2);
      expect(await page.locator('.conversation-row').count()).toBe(PAGES * 50);
      expect(await page.getByText('Row 4.49', { exact: true }).count()).toBe(1);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('keeps a row an event moved to a page not loaded in its place, marked, until its page is read', async () => {
    const MO = { from: '15550007002', name: 'Mo Moved' };
    const say = (id: string, text: string) =>
      postMeta(
        runtime,
        '/webhooks/whatsapp',
        whatsappText({ ...MO, messages: [{ id, at: new Date().toISOString(), text }] }),
      );
    await say('wamid.moved.1', 'First');
    await runtime.idle();
    const real = await fetch(`${runtime.url}/api/conversations?limit=50`, {
      headers: { authorization: `Bearer ${ANA.token}` },
    }).then((r) => r.json() as Promise<{ items: Array<{ customer?: { name?: string } }> }>);
    const mo = real.items.find((c) => c.customer?.name === MO.name);
    const page = await signedInPage(browser, runtime);
    try {
      // Two pages: Mo on the first, until an event moves Mo to the second (the agent has not loaded it).
      let moved = false;
      await page.route(/\/api\/conversations\?/, (route: Route) => {
        const second = new URL(route.request().url()).searchParams.get('cursor') === 'p2';
        const fakes = Array.from({ length: 49 }, (_, i) => row(second ? 2 : 1, i, 'Row'));
        const withMo = second === moved ? [mo, ...fakes] : fakes;
        return route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ items: withMo, cursor: second ? null : 'p2' }),
        });
      });
      await page.reload();
      const list = page.getByRole('list', { name: 'Conversations' });
      await list.getByRole('button', { name: /Mo Moved/ }).waitFor();
      moved = true;
      await say('wamid.moved.2', 'Second');
      await runtime.idle();
      // Still in its place, marked, though the first page read again no longer lists it.
      const kept = list.getByRole('button', { name: /Mo Moved.*moved down to a page not loaded/ });
      await kept.waitFor({ timeout: 30_000 });
      await kept.click();
      await page.getByRole('heading', { name: MO.name }).waitFor();
      // Its page read ("Load more", pressed here or by itself in view): listed there, the mark gone.
      const more = page.getByRole('button', { name: 'Load more' });
      if (await more.count()) await more.click().catch(() => {});
      await page.getByText('99 in all').waitFor();
      expect(await list.getByRole('button', { name: /Mo Moved/ }).count()).toBe(1);
      expect(await kept.count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 120_000);
});
