import { describe, expect, it } from 'vitest';
import { fallbackDelayProblem, sessionTtlProblem } from '#shared/config/webchat-settings.js';

/** The two duration settings' whole messages, word for word: one bounded check serves both. */
describe('web chat duration settings', () => {
  it.each([
    ['off', undefined],
    ['PT1M', undefined],
    ['P7D', undefined],
    ['PT0S', '"PT0S" is zero: a duration must be longer than zero, such as "PT5M", or off for no email'],
    [
      'PT59S',
      '"PT59S" is under a minute: a visitor still in the chat would get each reply by email too, before reading it there; write PT1M or more (the default is PT15M), or off for no email',
    ],
    [
      'PT168H1S',
      '"PT168H1S" is over 7 days: the email would come long after the chat; write P7D or less (the default is PT15M), or off for no email',
    ],
  ])('WEBCHAT_EMAIL_FALLBACK_DELAY=%s', (value, problem) => {
    expect(fallbackDelayProblem(value)).toBe(problem);
  });

  it.each([
    ['PT15M', undefined],
    ['P30D', undefined],
    ['off', 'an ISO 8601 duration of weeks, days, hours, minutes or seconds, such as "PT5M" or "P1D"'],
    [
      'PT14M59S',
      '"PT14M59S" is under 15 minutes: a visitor waiting for an answer would lose the chat; write PT15M or more (the default is P30D)',
    ],
    ['PT720H1S', '"PT720H1S" is over 30 days: write P30D or less (the default)'],
  ])('WEBCHAT_SESSION_TTL=%s', (value, problem) => {
    expect(sessionTtlProblem(value)).toBe(problem);
  });
});
