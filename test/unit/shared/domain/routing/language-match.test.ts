import { describe, expect, it } from 'vitest';
import { type Agent, chooseAgent } from '#shared/domain/assignment.js';
import { languageMatches } from '#shared/domain/routing/language-match.js';
import { pageLanguageOf } from '#shared/domain/webchat/page-language.js';

/**
 * Carried QA findings: the detector names Norwegian `no`, while browsers and people write Bokmål `nb`
 * (`nb-NO`): an agent listing `nb` never matched a Norwegian message. And a page `lang="tl"` is read by
 * ICU as Filipino, `fil`, which matched no agent or policy key written `tl` (the detector's Tagalog).
 */
describe('languageMatches', () => {
  it('compares primary subtags, case aside', () => {
    expect(languageMatches(['es'], 'es-MX')).toBe(true);
    expect(languageMatches(['ES-mx'], 'es')).toBe(true);
    expect(languageMatches(['pt'], 'es')).toBe(false);
  });

  it('takes Bokmål and Nynorsk for the detector’s Norwegian, and Filipino for its Tagalog', () => {
    expect(languageMatches(['nb'], 'no')).toBe(true);
    expect(languageMatches(['nb-NO'], 'no')).toBe(true);
    expect(languageMatches(['no'], 'nb')).toBe(true);
    expect(languageMatches(['nn'], 'no')).toBe(true);
    expect(languageMatches(['tl'], 'fil')).toBe(true);
    expect(languageMatches(['fil'], 'tl')).toBe(true);
    expect(languageMatches(['nb'], 'da')).toBe(false);
    expect(languageMatches(['tl'], 'fi')).toBe(false);
  });

  it('gives a Norwegian conversation to the agent who wrote nb, and a tl page to the agent who wrote tl', () => {
    const now = new Date('2026-12-07T12:00:00.000Z');
    const agent = (id: string, languages: string[]): Agent => ({
      id,
      queues: ['general'],
      languages,
      capacity: 5,
      presence: 'online',
      openConversations: 0,
      connectedUntil: '2026-12-07T12:05:00.000Z',
    });
    const agents = [agent('dana', ['da']), agent('nora', ['nb']), agent('tala', ['tl'])];
    const pageTl = pageLanguageOf('tl');
    expect(pageTl).toEqual({ language: 'fil' });
    const choose = (language: string) =>
      chooseAgent({ agents, conversation: { queue: 'general', language }, stickyDays: 0, now });
    expect(choose('no')).toEqual({ agentId: 'nora', reason: 'least_loaded' });
    expect(choose('language' in pageTl ? pageTl.language : '')).toEqual({
      agentId: 'tala',
      reason: 'least_loaded',
    });
    expect(choose('da')).toEqual({ agentId: 'dana', reason: 'least_loaded' });
  });
});
