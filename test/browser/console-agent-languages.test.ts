import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { ANA, asAna, greetOnWhatsApp, signedInPage, useConsole } from './console-support.js';

type Registered = { id: string; presence: string; queues: string[]; languages: string[] };

/**
 * An agent who signs in, joins a queue and goes Online as the console offers it, setting no language,
 * is handed a conversation whose language routing detected; they set their languages in the queue
 * picker, and the Agents panel shows them. Before, the console had no languages setting, and an agent it
 * registered (languages []) was handed no conversation in a detected language, English included.
 * Three-letter codes (`eng`) are saved, and shown, in the detector's two letters (`en`).
 */
describe('the console: an agent’s languages', () => {
  const { runtime, browser } = useConsole({ routing: true });
  let page: Page;
  const me = async () =>
    (await asAna<{ items: Registered[] }>(runtime, '/api/agents')).items.find((a) => a.id === ANA.id);

  beforeAll(async () => {
    page = await signedInPage(browser, runtime);
  }, 240_000);

  it('hands an English conversation to an online agent who set no language', async () => {
    await page.getByText('Queues: none').click();
    await page.locator('.my-queues').getByLabel('general', { exact: true }).click({ timeout: 30_000 });
    await page.getByText('Queues: general').waitFor({ timeout: 30_000 });
    await page.getByLabel('Your presence').selectOption('online');
    await expect.poll(async () => (await me())?.presence, { timeout: 30_000 }).toBe('online');
    expect((await me())?.languages).toEqual([]);

    await greetOnWhatsApp(runtime, 'agent-languages', [
      { from: '15550007001', name: 'Lena English', text: 'Hello, I want to speak to a person please' },
    ]);
    const inbox = await asAna<{ items: Conversation[] }>(runtime, '/api/conversations?queue=general');
    expect(inbox.items.map((c) => c.assignee)).toEqual([ANA.id]);
  }, 90_000);

  it('saves the languages typed in the picker and shows them in the Agents panel', async () => {
    const field = page.getByLabel(/^Your languages/);
    expect(await field.inputValue()).toBe('');
    await field.fill('en,  es ES');
    await page.getByRole('button', { name: 'Save languages' }).click();
    await expect.poll(async () => (await me())?.languages, { timeout: 30_000 }).toEqual(['en', 'es']);
    // The field shows the languages as saved.
    await expect.poll(() => field.inputValue(), { timeout: 30_000 }).toBe('en, es');
    await page.getByText(/^Agents \(/).click();
    await page
      .getByRole('list', { name: 'Registered agents' })
      .getByText('languages en, es')
      .waitFor({ timeout: 30_000 });
    await page.getByText(/^Agents \(/).click();
    // Three-letter codes are kept in two letters, and the field shows them so, even when nothing changed.
    await field.fill('eng, spa');
    await page.getByRole('button', { name: 'Save languages' }).click();
    await expect.poll(() => field.inputValue(), { timeout: 30_000 }).toBe('en, es');
    expect((await me())?.languages).toEqual(['en', 'es']);
    await field.fill('por');
    await page.getByRole('button', { name: 'Save languages' }).click();
    await expect.poll(() => field.inputValue(), { timeout: 30_000 }).toBe('pt');
    // Emptied: any language again.
    await field.fill('');
    await page.getByRole('button', { name: 'Save languages' }).click();
    await expect.poll(async () => (await me())?.languages, { timeout: 30_000 }).toEqual([]);
  }, 90_000);
});
