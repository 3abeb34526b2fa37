import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { whatsappText } from '../support/webhooks.js';
import { ANA, asAna, DESKTOP, postMeta, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-signin-token-1234') } as const;
/** Works through the API only: never opens the console, so never registered. */
const CARL = { id: 'carl', token: agentToken('carl-signin-token-1234') } as const;

interface Listed {
  id: string;
  presence: string;
  openConversations: number;
}

/**
 * Agents who sign in to the console and work, never having set their presence: each is registered at
 * sign-in (away, so no hand-off comes to them unasked), so Transfer, the Assigned filter and the admin's
 * Agents list name them, and the load a transfer moves shows in the list without a reload. Before,
 * `GET /api/agents` answered nobody until someone chose Online, and the lists were empty.
 */
describe('the console registers the agents who sign in to it', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token},${CARL.id}:${CARL.token}` },
  });

  const listed = async () => (await asAna<{ items: Listed[] }>(runtime, '/api/agents')).items;

  /** A window of its own signed in with `token`, its clock the test's (it flows until paused). */
  async function windowOf(token: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.clock.install();
    await signIn(page, runtime, token);
    return page;
  }

  it('lists Ana and Bob away once they sign in; Bob transfers to Ana and his list shows her load move', async () => {
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        from: '15550007001',
        name: 'Signin Customer',
        messages: [{ id: 'wamid.signin.1', at: new Date().toISOString(), text: 'Hello there' }],
      }),
    );
    await runtime.idle();
    expect(await listed()).toEqual([]);

    const ana = await windowOf(ANA.token);
    const bob = await windowOf(BOB.token);
    await expect
      .poll(async () => (await listed()).map((a) => `${a.id} ${a.presence}`))
      .toEqual(['ana away', 'bob away']);
    const id = (await asAna<{ items: Array<{ id: string }> }>(runtime, '/api/conversations')).items[0]?.id;
    await bob.goto(`${runtime.url}/console#/conversations/${id}`);
    await bob.locator('#conversation-title').waitFor();
    await bob.getByRole('status').getByText('Live').waitFor();
    await bob.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(async () => (await listed()).find((a) => a.id === 'bob')?.openConversations).toBe(1);

    const head = bob.locator('header.conversation-head');
    const agent = head.getByRole('combobox', { name: 'Agent' });
    await expect.poll(() => agent.locator('option').allTextContents()).toContain('ana (away, 0/5)');
    await agent.selectOption('ana');
    // Both windows' clocks stand still from here: no timer of theirs (a read of the list later) runs.
    for (const page of [ana, bob]) await page.clock.pauseAt(Date.now() + 2_000);
    await head.getByRole('button', { name: 'Transfer', exact: true }).click();
    // The loads' own live events (agent.load) say it: Ana holds it now, Bob nothing.
    await expect
      .poll(() => agent.locator('option').allTextContents(), { timeout: 30_000 })
      .toEqual(expect.arrayContaining(['ana (away, 1/5)', 'bob (away, 0/5)']));

    // The admin sees Bob (with Remove) and can filter the inbox on him.
    await ana.getByText('Agents (2)').click({ timeout: 30_000 });
    const team = ana.getByRole('list', { name: 'Registered agents' });
    await team.getByRole('button', { name: 'Remove bob' }).waitFor();
    const assigned = ana.getByRole('combobox', { name: 'Assigned' });
    // The filter's list follows the same events, with Ana's clock standing still too.
    await expect
      .poll(() => assigned.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain('bob (away, 0 open)');
    // Nobody was set online by signing in.
    expect((await listed()).map((a) => a.presence)).toEqual(['away', 'away']);
    await ana.context().close();
    await bob.context().close();
  }, 120_000);

  it('offers in the Assigned filter an agent who holds a conversation in view without being registered', async () => {
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        from: '15550007002',
        name: 'Carl Customer',
        messages: [{ id: 'wamid.signin.2', at: new Date().toISOString(), text: 'Anyone there?' }],
      }),
    );
    await runtime.idle();
    const rows = await asAna<{ items: Array<{ id: string; customer?: { name?: string } }> }>(
      runtime,
      '/api/conversations',
    );
    const id = rows.items.find((r) => r.customer?.name === 'Carl Customer')?.id;
    const res = await fetch(`${runtime.url}/api/conversations/${id}/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CARL.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: 'me' }),
    });
    expect(res.status).toBe(200);
    expect((await listed()).map((a) => a.id)).not.toContain(CARL.id);

    const ana = await windowOf(ANA.token);
    const assigned = ana.getByRole('combobox', { name: 'Assigned' });
    await expect
      .poll(() => assigned.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain('carl (not registered)');
    await assigned.selectOption(CARL.id);
    await ana.getByText('1 in all').waitFor({ timeout: 30_000 });
    expect(await ana.locator('.conversation-row .name').allTextContents()).toEqual(['Carl Customer']);
    await ana.context().close();
  }, 120_000);

  it("counts the admin's own sign-in under Agents while the list read after her registration still lacks her", async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.clock.install();
    // The list as a lagging index answers it (on AWS the agents list reads one): without her, every read.
    const reads: string[] = [];
    await page.route('**/api/agents', (route) => {
      reads.push(route.request().method());
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ items: [], cursor: null }) });
    });
    await signIn(page, runtime);
    await page.getByText('Agents (1)').waitFor({ timeout: 30_000 });
    // The read after her registration and the socket's hello's, a second after: she stays counted.
    await expect.poll(() => reads.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    await page.clock.runFor(2_000);
    await expect.poll(() => reads.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await page.getByText('Agents (1)').click();
    await page.getByRole('list', { name: 'Registered agents' }).getByText('ana (you), admin').waitFor();
    await page.context().close();
  }, 120_000);

  it('says why the lists are empty when nobody is registered', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    // A list read before anyone signed in, and a registration that did not get through.
    await page.route('**/api/agents', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ items: [], cursor: null }) }),
    );
    await page.route('**/api/agents/me', (route) => route.abort());
    await signIn(page, runtime);
    await page.getByText('Agents (0)').click({ timeout: 30_000 });
    await page.locator('.team-panel').getByText('No agents have signed in yet').waitFor();
    const rows = await asAna<{ items: Array<{ id: string }> }>(runtime, '/api/conversations');
    await page.goto(`${runtime.url}/console#/conversations/${rows.items[0]?.id}`);
    const agent = page.locator('header.conversation-head').getByRole('combobox', { name: 'Agent' });
    await expect
      .poll(() => agent.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain('No agents have signed in yet');
    expect(await agent.locator('option', { hasText: 'No agents have signed in yet' }).isDisabled()).toBe(
      true,
    );
    await page.context().close();
  }, 120_000);
});
