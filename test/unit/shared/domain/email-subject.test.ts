import { describe, expect, it } from 'vitest';
import { subjectOf } from '#shared/domain/email-subject.js';

describe('subjectOf: a mail gateway tag', () => {
  // QA: a customer's gateway tags each of our replies `[EXTERNAL]`, Outlook answers it: the subject grew
  // "Re: [EXTERNAL] Re: Invoice" a round, since only reply prefixes at the very start were folded.
  it('stays the same round after round of a gateway tag and a reply', () => {
    let customer = 'Invoice INV-2291';
    const ours: string[] = [];
    for (let round = 0; round < 3; round++) {
      const reply = subjectOf(customer, true);
      ours.push(reply);
      customer = `RE: [EXTERNAL] ${reply}`;
    }
    expect(ours).toEqual(['Re: Invoice INV-2291', 'Re: Invoice INV-2291', 'Re: Invoice INV-2291']);
  });

  it.each([
    ['[EXT] Re: Invoice', 'Re: Invoice'],
    ['*EXTERNAL* RE: Aw: Invoice', 'Re: Invoice'],
    ['Re: [External] Invoice', 'Re: Invoice'],
    ['[JIRA] (OPS-1) Export fails', 'Re: [JIRA] (OPS-1) Export fails'],
  ])('folds %s to %s', (subject, expected) => {
    expect(subjectOf(subject, true)).toBe(expected);
  });

  it('reads a long run of tags in linear time', () => {
    const subject = `${'[EXTERNAL] '.repeat(5000)}x`;
    const started = performance.now();
    subjectOf(subject, true);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
