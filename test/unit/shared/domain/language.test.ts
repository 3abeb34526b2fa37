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

  it('reads only the start of a long text (the responder passes whole emails)', () => {
    const french = 'Bonjour, je voudrais savoir où se trouve mon colis, merci. ';
    const head = french.repeat(Math.ceil(1000 / french.length));
    expect(detectLanguage(`${head}${'Where is my parcel? I ordered it last week. '.repeat(5000)}`)).toBe(
      'fr',
    );
  });
});
