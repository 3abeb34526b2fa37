import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { greetOnWhatsApp, minutesAgo, signedInPage, useConsole } from './console-support.js';

/**
 * The inbox says "waiting" only for customers whose message no answer followed, and "answered" for
 * open conversations the AI or an agent answered, listed after the waiting ones.
 */
describe('the console: waiting and answered conversations', () => {
  const { runtime, browser } = useConsole({ routing: true });
  let page: Page;

  beforeAll(async () => {
    const now = Date.now();
    const people = [
      // Wrote first, and the AI answered: no longer waiting, whatever its age.
      { from: '15550009001', name: 'Ada Answered', text: 'How long does shipping take?' },
      { from: '15550009002', name: 'Wendy Waiting', text: 'I want to speak to a person, please.' },
    ];
    await greetOnWhatsApp(
      runtime,
      'waiting',
      people.map((p, i) => ({ ...p, at: minutesAgo(20 - i * 8, now) })),
    );
    page = await signedInPage(browser, runtime);
  }, 240_000);

  it('shows how long the waiting customer waits, "answered" for the other, and the waiting first', async () => {
    const rows = page.locator('.conversation-row');
    const waiting = rows.filter({ hasText: 'Wendy Waiting' });
    const answered = rows.filter({ hasText: 'Ada Answered' });
    await expect
      .poll(() => waiting.locator('.meta').textContent(), { timeout: 30_000 })
      .toMatch(/^waiting \d+ min/);
    expect(await answered.locator('.meta').textContent()).toMatch(/^answered · /);
    const names = await rows.locator('.name').allTextContents();
    expect(names.indexOf('Wendy Waiting')).toBeLessThan(names.indexOf('Ada Answered'));
  }, 60_000);
});
