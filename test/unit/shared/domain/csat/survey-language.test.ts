import { describe, expect, it } from 'vitest';
import { CsatSectionSchema, csatInLanguage } from '#shared/domain/csat/section.js';
import { csatForm } from '#shared/domain/csat/survey.js';
import { parseRoutingPolicy, RoutingPolicyError } from '#shared/domain/routing/policy.js';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const ARABIC = {
  question: 'كيف كانت خدمتنا؟',
  words: { sms: 'أرسل رقمًا من 1 إلى 5 (5 الأفضل).', email: 'اختر تقييمك:' },
};
const section = CsatSectionSchema.parse({
  question: 'How did we do?',
  words: { great: 'Great!' },
  byLanguage: { ar: ARABIC, 'es-MX': { question: '¿Qué tal lo hicimos?' } },
});

describe('csat.byLanguage', () => {
  it("asks an Arabic customer in Arabic, the section's other words kept where the language has none", () => {
    const ar = csatInLanguage(section, 'ar');
    expect(ar.question).toBe(ARABIC.question);
    expect(ar.words).toMatchObject({ ...ARABIC.words, great: 'Great!', language: 'ar' });
    const form = csatForm({ section: ar, channel: 'sms', surveyId: 's1', now: NOW });
    expect(form).toEqual({ form: { text: `${ARABIC.question} ${ARABIC.words.sms}` } });
  });

  it('matches on the primary subtag, as the hand-off words do', () => {
    expect(csatInLanguage(section, 'es').question).toBe('¿Qué tal lo hicimos?');
    expect(csatInLanguage(section, 'es').words.language).toBe('es-MX');
  });

  it('falls back to the default for another language or none', () => {
    for (const language of ['fr', undefined]) {
      const other = csatInLanguage(section, language);
      expect(other.question).toBe('How did we do?');
      expect(other.words.sms).toBe('Reply 1 to 5 (5 is best), and add a comment if you like.');
      expect(other.words.language).toBe('en');
    }
  });

  it('refuses a key that is no language tag, and an unknown word, naming them', () => {
    const policy = (byLanguage: unknown) =>
      JSON.stringify({
        queues: [{ name: 'general' }],
        defaultQueue: 'general',
        csat: { question: 'How did we do?', byLanguage },
      });
    expect(() => parseRoutingPolicy(policy({ arabic: { question: 'x' } }))).toThrow(RoutingPolicyError);
    expect(() => parseRoutingPolicy(policy({ arabic: { question: 'x' } }))).toThrow(/byLanguage/);
    expect(() => parseRoutingPolicy(policy({ ar: { words: { smss: 'x' } } }))).toThrow(/smss/);
    expect(() => parseRoutingPolicy(policy({ ar: { question: 'x' } }))).not.toThrow();
  });
});
