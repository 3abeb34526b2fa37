import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asAna,
  greetOnWhatsApp,
  minutesAgo,
  openInboxRow,
  signedInPage,
  useConsole,
} from './console-support.js';

const FILA = { from: '15550009101', name: 'Fila Files' };
const PICK = { from: '15550009102', name: 'Pia Picked' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/**
 * An agent attaches a file from their computer to a reply: picked with the button (or dropped on the
 * box), listed with its name and size, removable, uploaded as the reply is sent, and the provider is
 * sent a link that serves the file.
 */
describe('the console: a reply with a file from the agent’s computer', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'files', [
      { ...FILA, at: minutesAgo(5) },
      { ...PICK, at: minutesAgo(4) },
    ]);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const composer = () => page.getByRole('form', { name: 'Reply or note' });
  const files = () => composer().getByRole('list', { name: 'Files to send' });

  it('lists a picked or dropped file with its size, removes one, and sends the other with the reply', async () => {
    await openInboxRow(page, FILA.name);
    // Dropped on the box: listed, then removed.
    const dropped = await page.evaluateHandle(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['a note'], 'notes.txt', { type: 'text/plain' }));
      return data;
    })()`);
    await composer().dispatchEvent('drop', { dataTransfer: dropped });
    await files().getByText('notes.txt').waitFor();
    await composer().getByRole('button', { name: 'Remove notes.txt' }).click();
    await files().waitFor({ state: 'detached' });

    await composer()
      .getByLabel('Attach file')
      .setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    expect(await files().textContent()).toContain('receipt.png');
    expect(await files().textContent()).toContain('1 KB');
    await composer().getByLabel('Reply', { exact: true }).fill('Here is your receipt');
    await composer().getByRole('button', { name: 'Send' }).click();
    await composer().getByText('Reply sent').waitFor({ timeout: 30_000 });
    await files().waitFor({ state: 'detached' });

    await runtime.idle();
    type Sent = { message: { text?: string; attachments?: Array<{ url: string; mimeType?: string }> } };
    const outbox = await asAna<{ items: Sent[] }>(runtime, '/api/outbox');
    const sent = outbox.items.find((o) => o.message.text === 'Here is your receipt');
    const [file] = sent?.message.attachments ?? [];
    expect(file?.url).toMatch(/\/files\/[^/]+\/f_[A-Za-z0-9_-]{22}\/receipt\.png$/);
    const served = await fetch(file?.url as string);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
  }, 120_000);

  // QA (WCAG 2.4.3): Remove dropped the focus to the page; a pick of 12 listed 10 and said nothing.
  it('says how many of a pick were left out, and a Remove keeps the focus among the files', async () => {
    await openInboxRow(page, PICK.name);
    const picked = Array.from({ length: 12 }, (_, i) => ({
      name: `file-${i + 1}.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(`file ${i + 1}\n`),
    }));
    await composer().getByLabel('Attach file').setInputFiles(picked);
    await files().getByText('file-10.txt').waitFor();
    expect(await files().getByRole('listitem').count()).toBe(10);
    const said = composer().getByRole('status').filter({ hasText: 'not added' });
    expect(await said.textContent()).toBe('2 files not added: up to 10 per reply');
    const focusedName = () =>
      page.evaluate('document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.type');
    const remove = async (name: string) => {
      await composer()
        .getByRole('button', { name: `Remove ${name}` })
        .focus();
      await page.keyboard.press('Enter');
    };
    await remove('file-3.txt');
    expect(await focusedName()).toBe('Remove file-4.txt');
    await remove('file-10.txt');
    expect(await focusedName()).toBe('Remove file-9.txt');
    for (const name of [
      'file-1.txt',
      'file-2.txt',
      'file-4.txt',
      'file-5.txt',
      'file-6.txt',
      'file-7.txt',
      'file-8.txt',
    ])
      await remove(name);
    expect(await focusedName()).toBe('Remove file-9.txt');
    await remove('file-9.txt');
    await files().waitFor({ state: 'detached' });
    expect(await focusedName()).toBe('file');
    // A pick within the limit says nothing more.
    await composer().getByLabel('Attach file').setInputFiles(picked.slice(0, 2));
    await files().getByText('file-2.txt').waitFor();
    expect(await said.count()).toBe(0);
  }, 120_000);
});
