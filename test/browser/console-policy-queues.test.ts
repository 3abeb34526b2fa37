import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { ANA, asAna, signedInPage, useConsole } from './console-support.js';

/**
 * An admin adds a queue to the routing policy and restarts: the console offers it to join, though no
 * agent is in it yet and no conversation is. Before, the queue picker listed only the queues agents had
 * joined and those of conversations in view, so a new queue was shown to nobody: each agent had to
 * type its exact name under "Join another queue".
 */
describe('the console offers the routing policy’s queues', () => {
  const { runtime, browser } = useConsole(() => ({
    env: {
      ROUTING_POLICY_FILE: shippedPolicyFileWith((p) => {
        p.queues.splice(1, 0, { name: 'returns', keywords: ['return*', 'exchange*'] });
      }),
    },
  }));
  let page: Page;

  beforeAll(async () => {
    page = await signedInPage(browser, runtime);
  }, 120_000);

  it('lists a queue nobody has joined in the picker, and joins it with a tick', async () => {
    await page.getByText('Queues: none').click();
    const picker = page.locator('.my-queues');
    // The box follows the saved registration, so it shows ticked once the PUT is answered.
    await picker.getByLabel('returns', { exact: true }).click({ timeout: 30_000 });
    await page.getByText('Queues: returns').waitFor({ timeout: 30_000 });
    const agents = await asAna<{ items: Array<{ id: string; queues: string[] }> }>(runtime, '/api/agents');
    expect(agents.items.find((a) => a.id === ANA.id)?.queues).toEqual(['returns']);
    for (const queue of ['billing', 'spanish', 'voice', 'general']) {
      expect(await picker.getByLabel(queue, { exact: true }).count()).toBe(1);
    }
  }, 60_000);
});
