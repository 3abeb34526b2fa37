import { describe, expect, it } from 'vitest';
import { detectLanguage } from '#shared/domain/language.js';

describe('detectLanguage', () => {
  it.each([
    ['Hi, I ordered a jacket last week, when will it arrive?', 'en'],
    ['Bonjour, où est mon colis ?', 'fr'],
    ['Wo ist mein Paket?', 'de'],
    ['hi', undefined],
  ])('detects the language of "%s" as %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});
