import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { instagramText } from '../support/webhooks.js';
import { postMeta, signedInPage, useConsole } from './console-support.js';

const LONG =
  'My order 4471 arrived with the wrong size and the box was open, can I swap it for a medium please';
const ARABIC = 'مرحبا، أين طلبي؟';

/**
 * The inbox row says what the customer wrote: two nameless Instagram customers ("Instagram user" both)
 * are told apart by the first words of their message, on one line cut with an ellipsis, a
 * right-to-left message set in its own direction. Before, a row showed name, channel and state only.
 */
describe('the inbox row shows the first words of the conversation', () => {
  const { runtime, browser } = useConsole();
  let page: Page;

  beforeAll(async () => {
    const texts = [LONG, ARABIC];
    for (const [i, text] of texts.entries())
      await postMeta(
        runtime,
        '/webhooks/meta',
        instagramText({
          sender: `178414000000${i}`,
          mid: `m_preview_${i}`,
          at: new Date().toISOString(),
          text,
        }),
      );
    await runtime.idle();
    page = await signedInPage(browser, runtime);
  }, 120_000);

  it('tells two Instagram users apart by their message, one line each, cut with an ellipsis', async () => {
    const rows = page.locator('.conversation-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect(await rows.locator('.name').allTextContents()).toEqual(['Instagram user', 'Instagram user']);
    const previews = rows.locator('.preview');
    await expect
      .poll(() => previews.allTextContents())
      .toEqual(expect.arrayContaining([ARABIC, expect.stringMatching(/^My order 4471 arrived .*…$/)]));
    const long = rows.filter({ hasText: 'My order 4471' }).locator('.preview');
    const shape = await long.evaluate((el) => {
      const style = el.ownerDocument.defaultView.getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return {
        overflow: style.textOverflow,
        oneLine: box.height < 2 * Number.parseFloat(style.fontSize),
        cut: el.scrollWidth > el.clientWidth,
        inside: box.right <= el.closest('li')?.getBoundingClientRect().right,
      };
    });
    expect(shape).toEqual({ overflow: 'ellipsis', oneLine: true, cut: true, inside: true });
    // The whole preview is in the row's name a screen reader reads, and in the title.
    await page.getByRole('button', { name: /Instagram user My order 4471 arrived/ }).waitFor();
    expect(await long.getAttribute('title')).toMatch(/^My order 4471/);
    const arabic = rows.filter({ hasText: ARABIC }).locator('.preview');
    expect(await arabic.evaluate((el) => el.ownerDocument.defaultView.getComputedStyle(el).direction)).toBe(
      'rtl',
    );
  }, 120_000);
});
