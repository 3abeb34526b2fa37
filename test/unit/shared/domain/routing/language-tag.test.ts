import { eld } from 'eld/small';
import { describe, expect, it } from 'vitest';
import { AgentUpdateSchema, chooseAgent } from '#shared/domain/assignment.js';
import { LanguageTagSchema } from '#shared/domain/routing/language-tag.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';

/**
 * The ISO 639-2 codes (terminology, then bibliographic where it differs) of every language the
 * detector names, by the two-letter code it gives.
 */
const ISO_639_2: Record<string, string[]> = {
  am: ['amh'],
  ar: ['ara'],
  az: ['aze'],
  be: ['bel'],
  bg: ['bul'],
  bn: ['ben'],
  ca: ['cat'],
  cs: ['ces', 'cze'],
  da: ['dan'],
  de: ['deu', 'ger'],
  el: ['ell', 'gre'],
  en: ['eng'],
  es: ['spa'],
  et: ['est'],
  eu: ['eus', 'baq'],
  fa: ['fas', 'per'],
  fi: ['fin'],
  fr: ['fra', 'fre'],
  gu: ['guj'],
  he: ['heb'],
  hi: ['hin'],
  hr: ['hrv'],
  hu: ['hun'],
  hy: ['hye', 'arm'],
  is: ['isl', 'ice'],
  it: ['ita'],
  ja: ['jpn'],
  ka: ['kat', 'geo'],
  kn: ['kan'],
  ko: ['kor'],
  ku: ['kur'],
  lo: ['lao'],
  lt: ['lit'],
  lv: ['lav'],
  ml: ['mal'],
  mr: ['mar'],
  ms: ['msa', 'may'],
  nl: ['nld', 'dut'],
  no: ['nor'],
  or: ['ori'],
  pa: ['pan'],
  pl: ['pol'],
  pt: ['por'],
  ro: ['ron', 'rum'],
  ru: ['rus'],
  sk: ['slk', 'slo'],
  sl: ['slv'],
  sq: ['sqi', 'alb'],
  sr: ['srp'],
  sv: ['swe'],
  ta: ['tam'],
  te: ['tel'],
  th: ['tha'],
  tl: ['tgl'],
  tr: ['tur'],
  uk: ['ukr'],
  ur: ['urd'],
  vi: ['vie'],
  yo: ['yor'],
  zh: ['zho', 'chi'],
};

/**
 * A language tag whose language has a two-letter code is kept with it: the detector gives two-letter
 * codes, and a tag is matched on its primary subtag. Before, `por` was taken and never matched `pt`.
 */
describe('LanguageTagSchema', () => {
  const detected = Object.values(eld.info().Languages as Record<string, string>);

  it('knows the three-letter codes of every language the detector names', () => {
    expect(Object.keys(ISO_639_2).sort()).toEqual([...detected].sort());
    for (const [code, threes] of Object.entries(ISO_639_2)) {
      for (const three of threes) expect([three, LanguageTagSchema.parse(three)]).toEqual([three, code]);
    }
  });

  it.each([
    ['POR', 'pt'],
    ['por-BR', 'pt-BR'],
    ['spa-419', 'es-419'],
    ['iw', 'he'],
    ['pt-BR', 'pt-BR'],
    ['EN', 'EN'],
    ['tl', 'tl'],
    // No two-letter code: kept as given.
    ['fil', 'fil'],
    ['yue', 'yue'],
    ['xyz', 'xyz'],
  ])('keeps %s as %s', (tag, stored) => {
    expect(LanguageTagSchema.parse(tag)).toBe(stored);
  });

  it('stores an agent’s three-letter codes in two letters, once each, and hands them their language', () => {
    const update = AgentUpdateSchema.parse({ languages: ['por', 'pt', 'ara', 'deu', 'ger', 'fil'] });
    expect(update.languages).toEqual(['pt', 'ar', 'de', 'fil']);
    const agent = {
      id: 'sofia',
      queues: ['general'],
      languages: AgentUpdateSchema.parse({ languages: ['deu', 'por'] }).languages ?? [],
      capacity: 2,
      presence: 'online' as const,
      openConversations: 0,
      connectedUntil: '2025-06-10T12:05:00.000Z',
    };
    const now = new Date('2025-06-10T12:00:00.000Z');
    const conversation = { queue: 'general', language: 'pt' };
    expect(chooseAgent({ agents: [agent], conversation, stickyDays: 30, now })).toEqual({
      agentId: 'sofia',
      reason: 'least_loaded',
    });
  });

  it('reads a policy’s three-letter codes in two letters: queues, conditions and replies by language', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'portuguese', languages: ['por', 'spa-MX'] }, { name: 'general' }],
        aiReplies: { byLanguage: { ara: { handoff: 'سيتواصل معك أحد موظفينا قريبا.' } } },
        automations: [
          {
            name: 'arabic',
            trigger: 'conversation_opened',
            conditions: { languages: ['ara'] },
            actions: [{ type: 'reply', text: 'Hello', byLanguage: { ara: { text: 'مرحبا' } } }],
          },
        ],
        csat: { question: 'How did we do?', byLanguage: { fre: { question: 'Votre avis ?' } } },
      }),
    );
    expect(policy.queues[0]?.languages).toEqual(['pt', 'es-MX']);
    expect(Object.keys(policy.aiReplies?.byLanguage ?? {})).toEqual(['ar']);
    const rule = policy.automations[0];
    expect(rule?.conditions?.languages).toEqual(['ar']);
    expect(Object.keys(rule?.actions[0]?.type === 'reply' ? (rule.actions[0].byLanguage ?? {}) : {})).toEqual(
      ['ar'],
    );
    expect(Object.keys(policy.csat?.byLanguage ?? {})).toEqual(['fr']);
  });

  /** `por` and `pt` were read as one key, the later one kept: the other's words were never sent. */
  it('refuses a byLanguage naming one language twice (por and pt, es-MX and es-mx), naming both keys', () => {
    const base = { defaultQueue: 'general', queues: [{ name: 'general' }] };
    const refusal = (extra: object) => {
      try {
        parseRoutingPolicy(JSON.stringify({ ...base, ...extra }));
      } catch (error) {
        return String((error as Error).message);
      }
      return 'accepted';
    };
    expect(
      refusal({ aiReplies: { byLanguage: { por: { handoff: 'Já' }, pt: { handoff: 'Já vem' } } } }),
    ).toMatch(/aiReplies\.byLanguage\.pt.*"por" and "pt" name the same language \(pt\)/);
    expect(
      refusal({
        csat: {
          question: 'How did we do?',
          byLanguage: { 'es-MX': { question: 'A' }, 'es-mx': { question: 'B' } },
        },
      }),
    ).toMatch(/"es-MX" and "es-mx" name the same language/);
    const reply = {
      type: 'reply',
      text: 'Hi',
      byLanguage: { deu: { text: 'Hallo' }, ger: { text: 'Servus' } },
    };
    expect(
      refusal({ automations: [{ name: 'greet', trigger: 'conversation_opened', actions: [reply] }] }),
    ).toMatch(/"deu" and "ger" name the same language \(de\)/);
    expect(
      refusal({ aiReplies: { byLanguage: { no: { handoff: 'Snart' }, nb: { handoff: 'Snart' } } } }),
    ).toMatch(/"no" and "nb" name the same language/);
    expect(
      refusal({ aiReplies: { byLanguage: { pt: { handoff: 'Já' }, 'pt-BR': { handoff: 'Já' } } } }),
    ).toBe('accepted');
  });
});
