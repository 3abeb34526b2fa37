import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { ANA, asAna, DESKTOP, greetOnWhatsApp, minutesAgo, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('lead-bob-token') } as const;
/** Wrote two hours ago: her ten-minute first-response target breached, which raised her priority. */
const OLD = { from: '15550007001', name: 'Olive Overdue' };
/** Writes now: his target is ten minutes ahead. */
const NEW = { from: '15550007002', name: 'Ned New' };
/** Taken by Bob while Ana's view still shows her unassigned. */
const RACE = { from: '15550007003', name: 'Rae Raced' };
/** Ticked together in the inbox and assigned at once; Bob takes the second meanwhile. */
const BATCH = [
  { from: '15550007011', name: 'Bea Batch' },
  { from: '15550007012', name: 'Bo Batch' },
  { from: '15550007013', name: 'Bud Batch' },
];

/**
 * A team lead's Monday in the console: the inbox marks a breached target as overdue (and the priority
 * its breach raised) rather than a bare past time, the Assigned filter offers every registered agent
 * (an absent one too), and "Assign to me" on a view gone stale is refused with who has it, instead of
 * silently taking the conversation from the colleague who took it first.
 */
describe('the console for a team lead: overdue rows, any agent’s conversations, no silent take-over', () => {
  const { runtime, browser } = useConsole(() => ({
    routing: true,
    conversationClock: true,
    env: {
      AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}`,
      ROUTING_POLICY_FILE: slaPolicyFile({ onBreach: [{ type: 'priority', priority: 'high' }] }),
    },
  }));

  beforeAll(async () => {
    const people = [
      { ...OLD, at: minutesAgo(120) },
      { ...NEW, at: minutesAgo(0) },
      { ...RACE, at: minutesAgo(1) },
      ...BATCH.map((p) => ({ ...p, at: minutesAgo(2) })),
    ];
    const text = 'I want a refund, please: talk to a person';
    await greetOnWhatsApp(
      runtime,
      'lead',
      people.map((p) => ({ from: p.from, name: p.name, at: p.at, text })),
    );
    await as(BOB.token, 'PUT', '/api/agents/me', { presence: 'away', queues: ['billing'] });
  }, 240_000);

  const as = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json() as Promise<Conversation>;
  };
  const rowOf = async (name: string) => {
    const rows = await asAna<{ items: Array<Conversation & { customer?: { name?: string } }> }>(
      runtime,
      '/api/conversations?limit=200',
    );
    const row = rows.items.find((r) => r.customer?.name === name);
    if (!row) throw new Error(`no conversation of ${name}`);
    return row;
  };
  const open = async (opts: { live: boolean; hash?: string }): Promise<Page> => {
    const page = await browser.newPage({ viewport: DESKTOP });
    if (!opts.live) await page.routeWebSocket(/\/api\/live/, () => undefined);
    await signIn(page, runtime);
    if (opts.hash) await page.goto(`${runtime.url}/console#${opts.hash}`);
    return page;
  };

  it('marks a breached target overdue, with the priority its breach raised, and a target ahead as due', async () => {
    await expect.poll(async () => (await rowOf(OLD.name)).priority, { timeout: 30_000 }).toBe('high');
    const page = await open({ live: true });
    const old = page.locator('.conversation-row').filter({ hasText: OLD.name });
    await old.locator('.overdue').waitFor({ timeout: 30_000 });
    expect(await old.locator('.overdue').textContent()).toMatch(/^first response overdue 1 h$/);
    expect(await old.locator('.badge.priority-high').textContent()).toBe('High');
    const fresh = page.locator('.conversation-row').filter({ hasText: NEW.name });
    expect(await fresh.locator('.meta').textContent()).toMatch(/ · first response due \d/);
    expect(await fresh.locator('.overdue, .priority-high').count()).toBe(0);
    await page.close();
  }, 90_000);

  it('says in the timeline which target was missed and when it was due, not a bare "sla breached"', async () => {
    const { id } = await rowOf(OLD.name);
    const page = await open({ live: true, hash: `/conversations/${id}` });
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText(/First response target missed \(it was due [^)]+\)/).waitFor({ timeout: 30_000 });
    expect(await log.getByText(/sla breached/).count()).toBe(0);
    await page.close();
  }, 90_000);

  it('lists any registered agent in the Assigned filter, with presence and load, and filters by them', async () => {
    const { id } = await rowOf(NEW.name);
    await as(ANA.token, 'POST', `/api/conversations/${id}/assign`, { agentId: BOB.id });
    const page = await open({ live: true });
    const assigned = page.getByLabel('Assigned');
    await expect
      .poll(() => assigned.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain('bob (away, 1 open)');
    await assigned.selectOption(BOB.id);
    const rows = page.locator('.conversation-row');
    await page.getByText('1 in all').waitFor({ timeout: 30_000 });
    expect(await rows.locator('.name').allTextContents()).toEqual([NEW.name]);
    await page.close();
  }, 90_000);

  it('refuses "Assign to me" on a view that still shows the conversation unassigned, and shows who took it', async () => {
    const { id, customerId } = await rowOf(RACE.name);
    const page = await open({ live: false });
    // The view is drawn from the inbox's row first, then from the customer's profile read: Bob takes the
    // conversation only once that read has landed, so the view Ana acts on is stale for good.
    const profileRead = page.waitForResponse(
      (r) => r.request().method() === 'GET' && r.url().endsWith(`/api/customers/${customerId}`),
    );
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    await profileRead;
    const head = page.locator('.conversation-head .meta');
    await expect.poll(() => head.textContent(), { timeout: 30_000 }).toContain('unassigned');
    await as(BOB.token, 'POST', `/api/conversations/${id}/assign`, { agentId: 'me' });

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => head.textContent(), { timeout: 30_000 }).toContain('assigned to bob');
    expect(await page.locator('.conversation-head').getByRole('alert').textContent()).toContain('bob has it');
    expect((await as(ANA.token, 'GET', `/api/conversations/${id}`)).assignee).toBe(BOB.id);
    // Above the reply box: a reply of hers goes out only if she chooses to.
    const held = page.locator('.held-by');
    expect(await held.textContent()).toMatch(/^bob has this conversation: a reply of yours is sent only if/);

    // Seen now: a second press is a deliberate take-over, and goes through.
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => head.textContent(), { timeout: 30_000 }).toContain(`assigned to ${ANA.id}`);
    expect(await held.count()).toBe(0);
    await page.close();
  }, 90_000);

  it('assigns the ticked rows at once, leaves the one a colleague took meanwhile with them, and lists what is left', async () => {
    // Away already (the console registered her at sign-in): an Away again would hand back the conversation
    // she took over above, waiting on an answer, to its queue, and it would be listed unassigned too.
    await as(ANA.token, 'PUT', '/api/agents/me', { queues: ['billing'] });
    const page = await open({ live: false });
    await page.getByLabel('Assigned').selectOption('unassigned');
    const rows = page.locator('.conversation-row');
    await expect
      .poll(async () => (await rows.locator('.name').allTextContents()).sort(), { timeout: 30_000 })
      .toEqual([...BATCH.map((p) => p.name), OLD.name]);
    for (const p of BATCH) await page.getByLabel(`Select ${p.name}`).check();
    expect(await page.getByText('3 selected').count()).toBe(1);
    const taken = await rowOf(BATCH[1]?.name as string);
    await as(BOB.token, 'POST', `/api/conversations/${taken.id}/assign`, { agentId: 'me' });

    await page.getByLabel('Selected to agent').selectOption(ANA.id);
    await page.getByRole('button', { name: 'Assign 3' }).click();
    const outcome = page.locator('.bulk-outcome');
    await expect
      .poll(() => outcome.textContent(), { timeout: 30_000 })
      .toBe(`2 assigned, 1 left as they were (taken meanwhile: ${BATCH[1]?.name}).`);
    // The rows it assigned leave the Unassigned list at once (read again, never kept as last seen).
    await expect.poll(() => rows.locator('.name').allTextContents(), { timeout: 30_000 }).toEqual([OLD.name]);
    const holders = await Promise.all(BATCH.map(async (p) => (await rowOf(p.name)).assignee));
    expect(holders).toEqual([ANA.id, BOB.id, ANA.id]);
    await page.close();
  }, 90_000);
});
