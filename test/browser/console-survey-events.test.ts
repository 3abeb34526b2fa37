import { describe, expect, it } from 'vitest';
import { csatItem } from '#shared/domain/csat/survey.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import {
  greetOnWhatsApp,
  inboxConversationOf,
  minutesAgo,
  openCustomerConversation,
  signedInPage,
  useConsole,
} from './console-support.js';

const BEA = { from: '15550008801', name: 'Bea Baker' };

/**
 * What a bakery owner sees on a first run: an empty inbox that says what it lists and what to do next,
 * then a conversation whose survey was answered (its score and comment, the comment as text), one
 * skipped (why, in words) and a hand-off note in words, not routing's codes.
 */
describe('the console on a first run: the empty inbox, survey answers and events in words', () => {
  const { runtime, browser } = useConsole();

  it('says what an empty inbox lists and the next step', async () => {
    const page = await signedInPage(browser, runtime);
    try {
      const inbox = page.getByRole('navigation', { name: 'Inbox' });
      await inbox.getByText(/^No open conversations\./).waitFor({ timeout: 30_000 });
      expect(await inbox.textContent()).toContain(
        'Connect a channel: see “Try it locally” and “Webhook routes”',
      );
      expect(await inbox.textContent()).not.toContain('Nothing here.');
    } finally {
      await page.close();
    }
  }, 120_000);

  it("shows a survey's answer, a skipped survey and a hand-off note in words", async () => {
    await greetOnWhatsApp(runtime, 'survey', [{ ...BEA, at: minutesAgo(30) }]);
    const { id, customerId } = await inboxConversationOf(runtime, BEA.name);
    const surveyAt = minutesAgo(20);
    const answer = csatItem({
      customerId,
      conversationId: id,
      surveyId: 'survey-1',
      sentAt: surveyAt,
      channel: 'whatsapp',
      score: 5,
      comment: 'great <b>bread</b>',
      answeredAt: minutesAgo(10),
      source: 'wamid.survey.answer',
    });
    const skipped: TimelineItem = {
      id: 'csat_skipped:survey-0',
      type: 'event',
      event: 'csat_skipped',
      at: minutesAgo(25),
      customerId,
      conversationId: id,
      data: { conversationId: id, surveyId: 'survey-0', reason: 'unanswered' },
    };
    const note: TimelineItem = {
      id: 'handoff-note-1',
      type: 'note',
      at: minutesAgo(29),
      customerId,
      conversationId: id,
      text: 'Hand-off (after_hours): outside business hours (UTC); the after-hours queue takes it.\nlanguage en.',
      data: { author: { kind: 'ai', id: 'responder' } },
    };
    await writeTimelineItems(runtime, [answer, skipped, note]);
    const page = await signedInPage(browser, runtime);
    try {
      const log = await openCustomerConversation(page, runtime, `+${BEA.from}`);
      await log.getByText('Rated 5/5: “great <b>bread</b>”').waitFor({ timeout: 30_000 });
      expect(await log.locator('b').count()).toBe(0);
      await log.getByText('Survey skipped: nobody answered the customer').waitFor();
      const summary = log.getByRole('article', { name: 'Hand-off summary' });
      expect(await summary.textContent()).toContain(
        'Hand-off: outside business hours (UTC); the after-hours queue takes it.',
      );
      expect(await summary.textContent()).toContain('Language: English.');
      expect(await log.textContent()).not.toMatch(/after_hours|language en|\bcsat\b/);
    } finally {
      await page.close();
    }
  }, 120_000);
});
