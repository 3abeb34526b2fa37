import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { answerPlaced, otherEventText, shownAt } from '../../../../functions/agent-api/console/event-text.js';
import { handoffWords } from '../../../../functions/agent-api/console/handoff-text.js';
import { routeReasonText } from '../../../../functions/agent-api/console/route-reasons.js';

const event = (
  event: string,
  data: Record<string, unknown>,
  at = '2026-03-02T06:52:00.000Z',
): TimelineItem => ({
  id: `${event}:1`,
  type: 'event',
  event,
  at,
  customerId: 'c1',
  data,
});

describe("the console's words for survey and other events", () => {
  it('shows a survey answer as its score and comment, at the time it was answered', () => {
    const answer = event('csat', {
      score: 5,
      comment: 'great bread',
      answeredAt: '2026-03-02T06:53:30.000Z',
    });
    expect(otherEventText(answer)).toBe('Rated 5/5: “great bread”');
    expect(otherEventText(event('csat', { score: 2 }))).toBe('Rated 2/5');
    expect(shownAt(answer)).toBe('2026-03-02T06:53:30.000Z');
  });

  it('says why a survey was skipped in words, never as its code', () => {
    const detail =
      'the customer last wrote on messenger more than 24 hours ago: a survey may only go out within 24 hours';
    expect(otherEventText(event('csat_skipped', { reason: 'messaging_window_closed', detail }))).toBe(
      `Survey skipped: ${detail}`,
    );
    expect(otherEventText(event('csat_skipped', { reason: 'unanswered' }))).toBe(
      'Survey skipped: nobody answered the customer',
    );
    expect(otherEventText(event('csat_skipped', { reason: 'sms_opted_out' }))).toBe(
      'Survey skipped: the customer texted STOP: no SMS until they text START',
    );
  });

  it('has words for the events that had none (no code shown)', () => {
    const shown = [
      event('merge', { customerId: 'c2', by: 'ana' }),
      event('unmerge', { customerId: 'c2', by: 'ana' }),
      event('identity_changed', { newIdentity: { kind: 'phone', value: '+14155550100' } }),
      { ...event('provider_error', {}), errors: [{ code: '131047', title: 'Re-engagement message' }] },
      event('suppressed', {}),
      event('webchat_email_fallback', { replyIds: ['r1'] }),
      event('webchat_email_fallback', { refused: 'no_address' }),
    ].map(otherEventText);
    expect(shown).toEqual([
      "Another customer's profile was merged into this one by ana",
      "A merged customer's profile was split off again by ana",
      "The customer's contact changed: now Phone +14155550100",
      'Provider error: Re-engagement message (code 131047)',
      'Address blocked: it bounced or the customer complained, so nothing more goes to it',
      'Unread chat replies emailed to the customer',
      'Unread chat replies not emailed: no address on this channel',
    ]);
    for (const line of shown) expect(line).not.toMatch(/[a-z]+_[a-z]+/);
  });

  it('moves a survey answer from the survey time to after the items before its answer', () => {
    const survey = {
      ...event('msg', {}, '2026-03-02T06:52:00.000Z'),
      type: 'message' as const,
      id: 'survey',
    };
    const said = { ...event('msg', {}, '2026-03-02T06:53:00.000Z'), type: 'message' as const, id: 'said' };
    const answer = event('csat', { score: 5, answeredAt: '2026-03-02T06:53:01.000Z' });
    const later = { ...event('msg', {}, '2026-03-02T07:00:00.000Z'), type: 'message' as const, id: 'later' };
    expect(answerPlaced([answer, survey, said, later]).map((i) => i.id)).toEqual([
      'survey',
      'said',
      'csat:1',
      'later',
    ]);
  });
});

describe('a hand-off note in words', () => {
  const words = (note: string) => handoffWords(note, routeReasonText);

  it('drops the routing code of its head and names the language', () => {
    const note = [
      'Hand-off (after_hours): outside business hours (Europe/London); the after-hours queue takes it.',
      'Bea Baker (new customer); channels: SMS.',
      'Asked: by SMS "language en." / "Do you have rye?"',
      'sentiment negative (-0.6); language en.',
    ].join('\n');
    expect(words(note)).toBe(
      [
        'Hand-off: outside business hours (Europe/London); the after-hours queue takes it.',
        'Bea Baker (new customer); channels: SMS.',
        'Asked: by SMS "language en." / "Do you have rye?"',
        'Sentiment: negative (-0.6); Language: English.',
      ].join('\n'),
    );
    expect(words('Hand-off (vip): .\nlanguage fr.')).toBe('Hand-off: a VIP customer.\nLanguage: French.');
  });
});
