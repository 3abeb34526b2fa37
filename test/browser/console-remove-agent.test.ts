import { beforeAll, describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { ANA, answerConfirm, asAna, DESKTOP, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-remove-token-1234') } as const;
const CARL = { id: 'carl', token: agentToken('carl-remove-token-1234') } as const;

/**
 * An admin removes an agent from the console: the header's Agents list shows every registered agent
 * to admins only, each with Remove, asked in the page first; Cancel removes nobody.
 */
describe('the console lets an admin remove an agent', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token},${CARL.id}:${CARL.token}` },
  });

  beforeAll(async () => {
    for (const token of [BOB.token, CARL.token]) {
      const res = await fetch(`${runtime.url}/api/agents/me`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ presence: 'away' }),
      });
      expect(res.status).toBe(200);
    }
  }, 120_000);

  const registered = async () =>
    (await asAna<{ items: Array<{ id: string }> }>(runtime, '/api/agents')).items.map((a) => a.id).sort();

  it('shows an agent no Remove; an admin removes Carl after a confirm, and Carl’s sign-in says he was removed', async () => {
    const bob = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(bob, runtime, BOB.token);
    await bob.getByRole('combobox', { name: 'Your presence' }).waitFor({ timeout: 30_000 });
    expect(await bob.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    expect(await bob.getByText(/^Agents \(/).count()).toBe(0);
    await bob.close();

    const ana = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(ana, runtime);
    await ana.getByText('Agents (3)').click({ timeout: 30_000 });
    const list = ana.getByRole('list', { name: 'Registered agents' });
    const remove = list.getByRole('button', { name: 'Remove carl' });
    await remove.waitFor({ timeout: 30_000 });

    await remove.click();
    expect(await answerConfirm(ana, false)).toMatch(/Remove carl\?/);
    expect(await registered()).toEqual(['ana', 'bob', 'carl']);

    await remove.click();
    expect(await answerConfirm(ana, true)).toMatch(/can no longer sign in/);
    await remove.waitFor({ state: 'detached', timeout: 30_000 });
    await list.getByRole('button', { name: 'Remove bob' }).waitFor({ timeout: 30_000 });
    expect(await registered()).toEqual(['ana', 'bob']);
    await ana.close();

    // Carl's token no longer signs in, and the form says why.
    const carl = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await carl.goto(`${runtime.url}/console`);
    await carl.getByLabel('Agent token').fill(CARL.token);
    await carl.getByRole('button', { name: 'Sign in' }).click();
    await carl.getByRole('alert').getByText('An admin removed you').waitFor({ timeout: 30_000 });
    expect(await carl.getByRole('navigation', { name: 'Inbox' }).count()).toBe(0);
    await carl.close();
  }, 120_000);
});
