import { describe, expect, it } from 'vitest';
import { handoffRuns } from '../../../../functions/agent-api/console/handoff-text.js';

/** The runs as text, the isolated ones in brackets. */
const shown = (note: string) =>
  handoffRuns(note)
    .map((run) => (run.isolate ? `[${run.text}]` : run.text))
    .join('');

describe('handoffRuns: what a hand-off note isolates', () => {
  it('isolates each quote and the name, and puts the note back together as it was', () => {
    const note = [
      'Hand-off (low_confidence): below the threshold.',
      'Ana (María) Ruiz (returning customer); channels: SMS, WhatsApp.',
      'Asked: by SMS "¿dónde está?" / on WhatsApp "He said "soon" / "later"" / "(image, no text)"',
      'Left a voicemail (12 s): "مرحبا 4521"',
      'Sent with it: (image, no text)',
    ].join('\n');
    expect(shown(note)).toBe(
      [
        'Hand-off (low_confidence): below the threshold.',
        '[Ana (María) Ruiz] (returning customer); channels: SMS, WhatsApp.',
        'Asked: by SMS ["¿dónde está?"] / on WhatsApp ["He said "soon"] / ["later""] / ["(image, no text)"]',
        'Left a voicemail (12 s): ["مرحبا 4521"]',
        'Sent with it: (image, no text)',
      ].join('\n'),
    );
    expect(
      handoffRuns(note)
        .map((run) => run.text)
        .join(''),
    ).toBe(note);
  });

  it('isolates the AI’s held-back answer to the note’s end, lines and all, and a quote the line does not end with', () => {
    const note =
      'Hand-off (keyword): names "refund".\nThe AI\'s answer, not sent (from faq): "Hi,\nwe "will" check."';
    expect(shown(note)).toBe(
      'Hand-off (keyword): names ["refund"].\nThe AI\'s answer, not sent (from faq): ["Hi,\nwe "will" check."]',
    );
  });

  it('isolates nothing in a note without quotes, nor a quote mark inside a word', () => {
    expect(shown('Hand-off (voicemail): a voicemail.')).toBe('Hand-off (voicemail): a voicemail.');
    expect(shown('He is 6" tall and "')).toBe('He is 6" tall and "');
  });
});
