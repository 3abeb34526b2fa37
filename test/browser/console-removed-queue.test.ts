import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANA, asAna, signedInPage, signIn, useConsole } from './console-support.js';

/**
 * An agent online in a queue the routing policy no longer has (`returns`, taken out since she joined
 * it): routing hands her nothing. Before, the console said nothing (she was in a queue, so not "in no
 * queue"), and the picker showed `returns` ticked like any other; she waited for hand-offs that never came.
 */
describe('the console and a queue taken out of the routing policy', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    // Registered when the policy still had `returns` (the shipped policy has no such queue).
    await runtime.store.agents.putAgent({
      id: ANA.id,
      presence: 'online',
      queues: ['returns'],
      languages: [],
      capacity: 5,
      updatedAt: new Date().toISOString(),
    });
    page = await signedInPage(browser, runtime);
  }, 120_000);

  it('says an agent online in a removed queue only is handed nothing, marks it, and clears once she picks a queue', async () => {
    const hint = page.getByRole('status').filter({ hasText: 'Online in no queue of the routing policy' });
    await hint.waitFor({ timeout: 30_000 });
    expect(await hint.textContent()).toContain('returns is no longer in it');
    const agents = await asAna<{ items: Array<{ id: string; unknownQueues?: string[] }> }>(
      runtime,
      '/api/agents',
    );
    expect(agents.items.find((a) => a.id === ANA.id)?.unknownQueues).toEqual(['returns']);
    await page.getByText('Queues: returns').click();
    const picker = page.locator('.my-queues');
    await picker.getByLabel('returns (not in the routing policy)').waitFor({ timeout: 30_000 });
    // Untick it (a change that keeps it is refused, unknown_queue), then join a queue of the policy.
    await picker.getByLabel('returns (not in the routing policy)').click();
    await page.getByText('Queues: none').waitFor({ timeout: 30_000 });
    await picker.getByLabel('general', { exact: true }).click();
    await page.getByText('Queues: general').waitFor({ timeout: 30_000 });
    await page
      .getByRole('status')
      .filter({ hasText: 'Online in no queue' })
      .waitFor({ state: 'detached', timeout: 30_000 });
  }, 120_000);

  it('keeps a queue name being typed over a redraw; says why an inbox filtered on a queue the policy lacks reads nothing, and does not ask again and again', async () => {
    const filtered = await browser.newPage();
    await filtered.clock.install();
    const reads: string[] = [];
    filtered.on('request', (r) => r.url().includes('/api/conversations?') && reads.push(r.url()));
    await signIn(filtered, runtime);
    const queue = filtered.getByRole('combobox', { name: 'Queue' });
    await expect.poll(() => reads.length, { timeout: 30_000 }).toBeGreaterThan(0);
    // Typed, not yet applied: the inbox's redraw (its clock ticks every 15 s) leaves it in the field.
    await queue.fill('retr');
    await filtered.clock.runFor(16_000);
    expect(await queue.inputValue()).toBe('retr');
    await queue.fill('retruns');
    await queue.press('Tab');
    await filtered.getByRole('alert').filter({ hasText: 'retruns' }).waitFor({ timeout: 30_000 });
    const asked = reads.filter((u) => u.includes('queue=retruns')).length;
    expect(asked).toBe(1);
    // A refusal repeated cannot change: no read every 2 s (a busy API's 5xx is still tried again).
    await filtered.clock.runFor(10_000);
    expect(reads.filter((u) => u.includes('queue=retruns')).length).toBe(asked);
    await queue.fill('general');
    await queue.press('Tab');
    await expect.poll(() => reads.some((u) => u.includes('queue=general')), { timeout: 30_000 }).toBe(true);
    await filtered.close();
  }, 120_000);
});
