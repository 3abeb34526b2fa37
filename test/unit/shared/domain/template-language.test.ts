import { describe, expect, it } from 'vitest';
import { nearestTemplateLanguage } from '#shared/domain/template-language.js';

/**
 * The console's template form started every template in `en`, whatever the customer wrote in: it now
 * starts in the Meta code nearest the conversation's language, by the customer's number where Meta
 * lists the language by region only.
 */
describe('nearestTemplateLanguage', () => {
  it.each([
    ['pt', '+5511987650101', 'pt_BR'],
    ['pt', '+351912345678', 'pt_PT'],
    ['pt', '+244923456789', 'pt_PT'],
    ['pt', undefined, 'pt_BR'],
    ['es', '+5215512345678', 'es'],
    ['es', '+34612345678', 'es'],
    ['fr', '+33612345678', 'fr'],
    ['zh', '+886912345678', 'zh_TW'],
    ['zh', '+85291234567', 'zh_HK'],
    ['zh', '+8613812345678', 'zh_CN'],
    ['fr-CA', undefined, 'fr'],
    [undefined, '+5511987650101', 'en'],
    ['xx', undefined, 'en'],
  ])('%s from %s: %s', (language, phone, code) => {
    expect(nearestTemplateLanguage(language, phone)).toBe(code);
  });
});
