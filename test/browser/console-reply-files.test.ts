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
    await greetOnWhatsApp(runtime, 'files', [{ ...FILA, at: minutesAgo(5) }]);
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
});
