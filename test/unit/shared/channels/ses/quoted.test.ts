import { describe, expect, it } from 'vitest';
import { splitQuoted } from '#shared/channels/ses/quoted.js';

describe('splitQuoted', () => {
  it.each([
    [
      'no quote',
      'Hello,\n\nmy order has not arrived.\n\nJane',
      'Hello,\n\nmy order has not arrived.\n\nJane',
      false,
    ],
    ['a top-posted reply over > lines', 'Thanks!\n\n> Your order shipped.\n> Tracking: 123', 'Thanks!', true],
    [
      'an Outlook "Original Message" block',
      'See below.\n\n-----Original Message-----\nFrom: Support <care@example.com>\nSent: Monday\nTo: Jane\nSubject: Order',
      'See below.',
      true,
    ],
    [
      'an Outlook From/Sent block',
      'Still waiting.\n\n________________________________\nFrom: Support <care@example.com>\nSent: Monday, 3 June\nTo: Jane\nSubject: Order',
      'Still waiting.',
      true,
    ],
    [
      'a German attribution',
      'Danke!\n\nAm 3. Juni 2024 um 10:00 schrieb Support <care@example.com>:\n> Hallo',
      'Danke!',
      true,
    ],
    [
      'an unknown attribution ending in wrote:',
      'Got it.\n\nThe Support Team wrote:\n> Hi Jane',
      'Got it.',
      true,
    ],
    [
      'a bottom-posted reply',
      'On Mon, 3 Jun 2024 at 10:00, Support <care@example.com> wrote:\n> Did it arrive?\n\nYes, this morning.',
      'Yes, this morning.',
      true,
    ],
    [
      'a forward, left whole',
      'FYI\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\nDate: Mon\nSubject: Order\nTo: Jane\n\n> not a quote',
      'FYI\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\nDate: Mon\nSubject: Order\nTo: Jane\n\n> not a quote',
      false,
    ],
    ['only a quote', '> Did it arrive?\n> Tell us.', '> Did it arrive?\n> Tell us.', false],
  ])('splits %s', (_name, body, text, quoted) => {
    expect(splitQuoted(body)).toEqual({ text, full: body, quoted });
  });

  it('normalises CRLF and trailing whitespace', () => {
    expect(splitQuoted('\r\nHi  \r\n\r\n> old\r\n').text).toBe('Hi');
  });
});
