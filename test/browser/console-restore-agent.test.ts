import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { ANA, asAna, DESKTOP, signIn, useConsole } from './console-support.js';

const LEAD = { id: 'lead', token: agentToken('lead-restore-token-1234') } as const;
const CARL = { id: 'carl', token: agentToken('carl-restore-token-1234') } as const;
const DORA = { id: 'dora', token: agentToken('dora-restore-token-1234') } as const;

/**
 * An admin's Agents view lists every removed agent (a removed admin holding nothing too), each with
 * Restore: restored, they leave the list and sign in again.
 */
describe('the console lets an admin restore a removed agent', () => {
  const { runtime, browser } = useConsole({
    env: {
      AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${LEAD.id}:${LEAD.token}:admin,${CARL.id}:${CARL.token},${DORA.id}:${DORA.token}`,
    },
  });

  const call = async (method: string, path: string, token: string = ANA.token, body?: unknown) =>
    (
      await fetch(`${runtime.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
    ).status;

  it('shows each registered agent’s role, load of capacity and queues', async () => {
    expect(await call('PUT', '/api/agents/me', DORA.token, { queues: ['general'], capacity: 3 })).toBe(200);
    const ana = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(ana, runtime);
    await ana.getByText(/^Agents \(/).click({ timeout: 30_000 });
    const list = ana.getByRole('list', { name: 'Registered agents' });
    await list
      .getByText('dora, agent: away, 0 of 3 open; queues general; any language')
      .waitFor({ timeout: 30_000 });
    await list
      .getByText(/^ana \(you\), admin: .*, 0 of 5 open; no queue; any language$/)
      .waitFor({ timeout: 30_000 });
    await ana.close();
  }, 120_000);

  it('lists removed Lead (holding nothing) and Carl; Restore brings Lead back', async () => {
    expect(await call('DELETE', '/api/agents/lead')).toBe(204);
    expect(await call('DELETE', '/api/agents/carl')).toBe(204);
    expect(await call('GET', '/api/me', LEAD.token)).toBe(403);

    const ana = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(ana, runtime);
    await ana.getByText(/^Agents \(/).click({ timeout: 30_000 });
    const removed = ana.getByRole('list', { name: 'Removed agents', exact: true });
    await removed.getByText('lead: 0 open').waitFor({ timeout: 30_000 });
    await removed.getByText('carl: 0 open').waitFor({ timeout: 30_000 });
    // Nothing held: no Show, only Restore.
    expect(await removed.getByRole('button', { name: 'Show lead’s conversations' }).count()).toBe(0);

    await removed.getByRole('button', { name: 'Restore lead' }).click();
    await removed.getByText('lead: 0 open').waitFor({ state: 'detached', timeout: 30_000 });
    await removed.getByText('carl: 0 open').waitFor({ timeout: 30_000 });
    expect(await call('GET', '/api/me', LEAD.token)).toBe(200);
    const still = await asAna<{ items: Array<{ id: string }> }>(runtime, '/api/agents/removed');
    expect(still.items.map((a) => a.id)).toEqual(['carl']);
    await ana.close();
  }, 120_000);
});
