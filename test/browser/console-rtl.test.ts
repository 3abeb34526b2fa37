import { beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import { whatsappText } from '../support/webhooks.js';
import { asAna, DESKTOP, postMeta, signIn, useConsole } from './console-support.js';

const WAIT = { timeout: 30_000 };

/** An element's computed `direction`, run in the page (the tests' types have no DOM). */
const computedDirection = (element: unknown): string =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { direction: string } }).getComputedStyle(element)
    .direction;

/**
 * Omar answers Lucía's Gulf customers in Arabic, his browser in Arabic (`ar`). QA: his reply box took
 * the page's left-to-right direction, and the times in his locale (with their right-to-left marks)
 * reordered the English lines around them ("first response due 7.2026/12/ م 1:15").
 */
describe('the console for an agent who writes Arabic, in a browser', () => {
  const { runtime, browser } = useConsole();
  /** When the customer's first message was sent: the day the page is on when it reads its time. */
  const sentAt = new Date();

  beforeAll(async () => {
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        from: '971501234567',
        name: 'محمد العلي',
        messages: [{ id: 'wamid.rtl.1', at: sentAt.toISOString(), text: 'مرحبا، أين طلبي؟' }],
      }),
    );
    await runtime.idle();
  }, 240_000);

  it('writes a reply in its own direction and keeps each time in its locale apart from the line', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'ar', timezoneId: 'Asia/Dubai' });
    try {
      const page = await context.newPage();
      await signIn(page, runtime);
      await page.locator('.conversation-row', { hasText: 'محمد العلي' }).click(WAIT);
      const box = page.getByRole('textbox', { name: 'Reply' });
      await box.fill('شكراً! سنتحقق من طلبك.', WAIT);
      expect(await box.evaluate(computedDirection)).toBe('rtl');
      await box.fill('Thanks! We will check.', WAIT);
      expect(await box.evaluate(computedDirection)).toBe('ltr');
      const time = page.getByRole('log', { name: 'Messages' }).locator('time').first();
      await time.waitFor(WAIT);
      // Isolated (FSI … PDI): the Arabic time is laid out on its own, not mixed into the English line.
      expect(await time.textContent()).toMatch(/^\u2068.*[\u0600-\u06ff].*\u2069$/u);
    } finally {
      await context.close();
    }
  }, 120_000);

  /**
   * QA (security): a customer whose WhatsApp name and file name carry U+202E (right-to-left override)
   * had `invoice<RLO>fdp.exe` shown as `invoiceexe.pdf`, and their name turned the rest of its line
   * round: the hand-off summary's own words read backwards, "(deifirev)".
   */
  it('shows a name, message and file name with bidi overrides in the order they were written', async () => {
    const rlo = '\u202e';
    await postMeta(
      runtime,
      '/webhooks/whatsapp',
      whatsappText({
        from: '15550009901',
        name: `Acme Support${rlo} (verified)`,
        messages: [
          {
            id: 'wamid.rtl.override',
            at: new Date().toISOString(),
            text: '',
            extra: {
              type: 'document',
              document: { id: '7001', filename: `invoice${rlo}fdp.exe`, mime_type: 'application/pdf' },
            },
          },
          { id: 'wamid.rtl.override.2', at: new Date().toISOString(), text: `Pay to ${rlo}9876 5432` },
        ],
      }),
    );
    await runtime.idle();
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await signIn(page, runtime);
      await page.locator('.conversation-row', { hasText: 'Acme Support' }).click(WAIT);
      const log = page.getByRole('log', { name: 'Messages' });
      await log.getByText('Pay to 9876 5432').waitFor(WAIT);
      await expect(log.locator('.attachments li').first().textContent()).resolves.toContain('invoicefdp.exe');
      await page.getByRole('heading', { name: 'Acme Support (verified)' }).first().waitFor(WAIT);
      const shown = await page.locator('body').textContent();
      expect(shown).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
    } finally {
      await context.close();
    }
  }, 120_000);

  /**
   * QA: the hand-off summary is one paragraph that reads left to right ("Hand-off…"); an Arabic quote
   * with Latin words and digits in it was laid out as part of the English line, its words in the wrong
   * order. Each quote and the name are isolated now (<bdi>), in their own direction; the text is as stored.
   */
  it('lays out each quote and the name of a hand-off summary in their own direction', async () => {
    const found = await asAna<{ items: Array<{ id: string; openConversationId?: string }> }>(
      runtime,
      '/api/customers?q=971501234567',
    );
    const customer = found.items[0];
    const quote = 'وصلني الطلب رقم 4521 ناقص، أين iPhone case؟';
    const text = [
      'Hand-off (keyword): the message names "refund".',
      'محمد العلي (first contact); channels: WhatsApp.',
      `Asked on WhatsApp: "${quote}" / "Where is it?"`,
      'The AI\'s answer, not sent: "مرحبا،\nسنتحقق من الطلب 4521."',
    ].join('\n');
    const note: TimelineItem = {
      id: 'note:handoff-rtl',
      type: 'note',
      text,
      at: new Date().toISOString(),
      customerId: customer?.id ?? '',
      conversationId: customer?.openConversationId ?? '',
      data: { author: { kind: 'ai', id: 'responder' } },
    };
    await writeTimelineItems(runtime, [note]);
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await signIn(page, runtime);
      await page.locator('.conversation-row', { hasText: 'محمد العلي' }).click(WAIT);
      const shown = page.locator('article.note.handoff p.text', { hasText: 'the message names' });
      await shown.waitFor(WAIT);
      expect(await shown.evaluate(computedDirection)).toBe('ltr');
      // Shown in words (handoffWords): the routing reason's code goes from the head.
      expect(await shown.textContent()).toBe(text.replace('Hand-off (keyword):', 'Hand-off:'));
      const isolated = shown.locator('bdi');
      expect(await isolated.allTextContents()).toEqual([
        '"refund"',
        'محمد العلي',
        `"${quote}"`,
        '"Where is it?"',
        '"مرحبا،\nسنتحقق من الطلب 4521."',
      ]);
      const directions = await isolated.evaluateAll((elements) =>
        elements.map((e) => {
          const style = (
            globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }
          ).getComputedStyle(e);
          return `${style.direction} ${style.unicodeBidi}`;
        }),
      );
      expect(directions).toEqual(['ltr isolate', 'rtl isolate', 'rtl isolate', 'ltr isolate', 'rtl isolate']);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('leaves the times of a left-to-right locale as they were', async () => {
    const context = await browser.newContext({
      viewport: DESKTOP,
      locale: 'pt-PT',
      timezoneId: 'Europe/Lisbon',
    });
    try {
      const page = await context.newPage();
      // Still the message's day for the page, whatever the wall clock: a time of another day shows its
      // date, and a run just before midnight in Lisbon read the time after it.
      await page.clock.setFixedTime(sentAt);
      await signIn(page, runtime);
      await page.locator('.conversation-row', { hasText: 'محمد العلي' }).click(WAIT);
      const time = page.getByRole('log', { name: 'Messages' }).locator('time').first();
      await time.waitFor(WAIT);
      expect(await time.textContent()).toMatch(/^\d\d:\d\d$/);
    } finally {
      await context.close();
    }
  }, 120_000);
});
