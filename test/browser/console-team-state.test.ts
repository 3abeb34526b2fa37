import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import {
  ANA,
  answerConfirm,
  asAna,
  DESKTOP,
  greetOnWhatsApp,
  openInboxRow,
  signIn,
  useConsole,
} from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-team-state-token') } as const;
const CAT = { id: 'cat', token: agentToken('cat-team-state-token') } as const;
const DAN = { id: 'dan', token: agentToken('dan-team-state-token') } as const;
const ONLINE = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 5 };

/**
 * What the console says of the team: an agent online whose console lease lapsed reads "offline" (as the
 * server counts them) in the Assigned filter and Transfer; an admin's Agents view lists the removed
 * agents still holding conversations, with a way to see them, and Remove says what happens to the
 * answered ones; "Assign to me" is not offered on a conversation the agent has already.
 */
describe('the console shows who is at the console and what removed agents hold', () => {
  const { runtime, browser } = useConsole({
    env: {
      AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token},${CAT.id}:${CAT.token},${DAN.id}:${DAN.token}`,
    },
  });
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
  };
  const openOf = async (phone: string) =>
    (
      await asAna<{ items: Array<{ openConversationId?: string }> }>(
        runtime,
        `/api/customers?q=${encodeURIComponent(phone)}`,
      )
    ).items[0]?.openConversationId as string;

  beforeAll(async () => {
    for (const token of [ANA.token, BOB.token, CAT.token, DAN.token]) {
      await call(token, 'PUT', '/api/agents/me', token === DAN.token ? { presence: 'away' } : ONLINE);
    }
    // Cat's console closed a while ago: online as she left it, but her lease ran out.
    await runtime.store.consoleLeases.seen('cat', 'console-cat', Date.now() - 60_000);
    await greetOnWhatsApp(runtime, 'teamstate', [
      { from: '447700900811', name: 'Bob Customer' },
      { from: '447700900812', name: 'Ana Customer' },
      { from: '447700900813', name: 'Nobody Customer' },
    ]);
    const bobs = await openOf('+447700900811');
    await call(ANA.token, 'POST', `/api/conversations/${bobs}/assign`, { agentId: 'bob', queue: 'general' });
    await call(BOB.token, 'POST', `/api/conversations/${bobs}/replies`, { text: 'Sorted, I think.' });
    await runtime.idle();
    // Answered, so it stays Bob's when he is removed.
    await call(ANA.token, 'DELETE', '/api/agents/bob');
    const anas = await openOf('+447700900812');
    await call(ANA.token, 'POST', `/api/conversations/${anas}/assign`, { agentId: 'ana', queue: 'general' });
    expect((await asAna<Conversation>(runtime, `/api/conversations/${bobs}`)).assignee).toBe('bob');
  }, 120_000);

  it('labels an agent whose console lease lapsed offline in the Assigned filter and Transfer', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(page, runtime);
    const assigned = page.getByRole('form', { name: 'Inbox filters' }).getByLabel('Assigned');
    await assigned.locator('option[value="cat"]').waitFor({ state: 'attached', timeout: 30_000 });
    expect(await assigned.locator('option[value="cat"]').textContent()).toBe('cat (offline, 0 open)');
    expect(await assigned.locator('option[value="dan"]').textContent()).toBe('dan (away, 0 open)');
    await openInboxRow(page, 'Nobody Customer');
    const agent = page.getByRole('form', { name: 'Transfer' }).getByLabel('Agent');
    expect(await agent.locator('option[value="cat"]').textContent()).toBe('cat (offline, 0/5)');
    // Ana's own console lease is written when her socket opens; the list is read again a second after
    // its hello (one read for a sign-in's burst of presences), so she reads online from then.
    await expect
      .poll(() => agent.locator('option[value="ana"]').textContent(), { timeout: 15_000 })
      .toMatch(/^ana \(online, /);
    await page.close();
  }, 120_000);

  it('offers Assign to me only on a conversation that is not the agent’s already', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(page, runtime);
    await openInboxRow(page, 'Nobody Customer');
    await page.getByRole('button', { name: 'Assign to me' }).waitFor({ timeout: 30_000 });
    await openInboxRow(page, 'Ana Customer');
    await page.getByText(/assigned to ana/).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Assign to me' }).count()).toBe(0);
    await page.close();
  }, 120_000);

  it('lists the removed agents still holding conversations, and says what Remove does with answered ones', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(page, runtime);
    await page.getByText(/^Agents \(/).click({ timeout: 30_000 });
    const held = page.getByRole('list', { name: 'Removed agents', exact: true });
    await held.getByText('bob: 1 open').waitFor({ timeout: 30_000 });
    await held.getByRole('button', { name: 'Show bob’s conversations' }).click();
    const assigned = page.getByRole('form', { name: 'Inbox filters' }).getByLabel('Assigned');
    expect(await assigned.inputValue()).toBe('bob');
    const inbox = page.getByRole('navigation', { name: 'Inbox' });
    await inbox.getByRole('button', { name: /Bob Customer/ }).waitFor({ timeout: 30_000 });
    await inbox
      .getByRole('button', { name: /Nobody Customer/ })
      .waitFor({ state: 'detached', timeout: 30_000 });

    await page
      .getByRole('list', { name: 'Registered agents' })
      .getByRole('button', { name: 'Remove dan' })
      .click();
    expect(await answerConfirm(page, false)).toMatch(/answered stay theirs/);
    await page.close();
  }, 120_000);
});
