import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { ANA, DESKTOP, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-removed-access-1234') } as const;
const CARL = { id: 'carl', token: agentToken('carl-removed-access-1234') } as const;

/**
 * An agent whose console is open when an admin removes them: the console stops (no reconnects, no
 * polling) and says so over the whole page, whether the socket's close says why (locally, 1008
 * `agent_removed`) or not (on AWS the socket just goes, and the reconnect is refused).
 */
describe('the console of an agent an admin removes', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token},${CARL.id}:${CARL.token}` },
  });

  const remove = async (agentId: string) => {
    const res = await fetch(`${runtime.url}/api/agents/${agentId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    expect(res.status).toBe(204);
  };

  /** Counts the sockets the page opens and the agent API calls it makes, from now on. */
  const watch = (page: Page) => {
    const seen = { sockets: 0, calls: 0 };
    page.on('websocket', () => seen.sockets++);
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) seen.calls++;
    });
    return seen;
  };

  /** Waits for the removed state, then runs the page's clock on: nothing more is asked of the server. */
  const expectStopped = async (page: Page, seen: { sockets: number; calls: number }) => {
    const shown = page.getByRole('alert').getByText('Your access was removed by an admin');
    await shown.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('navigation', { name: 'Inbox' }).count()).toBe(0);
    const before = { ...seen };
    await page.clock.runFor(5 * 60_000);
    // A round trip to the page: a request the timers made would have been told by now.
    await page.evaluate('document.title');
    expect(seen).toEqual(before);
    expect(await shown.count()).toBe(1);
  };

  it('stops reconnecting and polling, and says the access was removed, when the socket closes 1008', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.clock.install();
    await signIn(page, runtime, BOB.token);
    await page.getByRole('status').getByText('Live').waitFor({ timeout: 30_000 });
    const seen = watch(page);
    await remove(BOB.id);
    await expectStopped(page, seen);
    await page.context().close();
  }, 120_000);

  it('stops and says so when the socket goes without saying why and the reconnect is refused (as on AWS)', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.clock.install();
    // As on AWS: the server's close reaches the page without a code or reason.
    await page.routeWebSocket(/\/api\/live/, (ws) => {
      const server = ws.connectToServer();
      server.onClose(() => ws.close({ code: 1001 }));
    });
    await signIn(page, runtime, CARL.token);
    await page.getByRole('status').getByText('Live').waitFor({ timeout: 30_000 });
    const seen = watch(page);
    await remove(CARL.id);
    await expectStopped(page, seen);
    await page.context().close();
  }, 120_000);
});
