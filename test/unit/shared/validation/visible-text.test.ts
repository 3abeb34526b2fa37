import { describe, expect, it } from 'vitest';
import { cleanName, cleanText, hasVisibleText } from '#shared/validation/visible-text.js';

describe('hasVisibleText', () => {
  it.each([
    ['nothing', ''],
    ['spaces', '   '],
    ['an ideographic space and a no-break space', '\u3000\u00a0'],
    ['zero-width characters and a BOM', '\u200b\u200d\ufeff'],
    ['a zero-width space and a word joiner', '\u200b\u2060'],
    ['controls and line breaks', '\u0000\u0007\r\n\t'],
    ['a Hangul filler and a Braille blank', '\u3164\u2800'],
  ])('finds nothing visible in %s', (_, text) => {
    expect(hasVisibleText(text)).toBe(false);
  });

  it.each([
    ['a letter among blanks', '\u200b a \u3000'],
    ['an emoji', '👍🏽'],
    ['an Arabic word', 'مرحبا'],
    ['a dot', '.'],
  ])('finds %s visible', (_, text) => {
    expect(hasVisibleText(text)).toBe(true);
  });

  it('gives false for no text', () => {
    expect(hasVisibleText(undefined)).toBe(false);
  });

  it('answers a long blank text in linear time', () => {
    const started = performance.now();
    expect(hasVisibleText(`${'\u200b '.repeat(200_000)}x`)).toBe(true);
    expect(hasVisibleText('\u200b '.repeat(200_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('cleanText', () => {
  it('drops C0 and C1 controls and DEL but keeps tab and line breaks', () => {
    expect(cleanText('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg\th\r\ni')).toBe('abcdefg\th\r\ni');
  });

  it('keeps right-to-left marks, joiners and emoji', () => {
    const text = 'שלום\u200f abc 👨‍👩‍👧 \u200c';
    expect(cleanText(text)).toBe(text);
  });

  it('mends a lone surrogate', () => {
    expect(cleanText('a\ud83d')).toBe('a\ufffd');
  });
});

describe('cleanName', () => {
  it('drops controls and bidi overrides, and keeps the name on one line', () => {
    expect(cleanName('Ctrl\u0000Name\u0007')).toBe('CtrlName');
    expect(cleanName('\u202eevil\u202c Name\u0000')).toBe('evil Name');
    expect(cleanName(' Ana\nLópez\t')).toBe('Ana López');
  });

  it('keeps a right-to-left name as written', () => {
    expect(cleanName('محمد علي')).toBe('محمد علي');
  });
});
