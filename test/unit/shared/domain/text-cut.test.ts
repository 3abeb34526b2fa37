import { describe, expect, it } from 'vitest';
import { headOf, shortened } from '#shared/domain/text-cut.js';

describe('headOf', () => {
  it.each([
    ['a family emoji', '👨‍👩‍👧‍👦', 11],
    ['a flag', '🇯🇵', 4],
    ['a combining accent', 'e\u0301', 2],
    ['a skin tone', '👍🏽', 4],
    ['a Devanagari vowel sign', 'बें', 3],
  ])('keeps %s whole or leaves it out', (_, character, units) => {
    expect(character.length).toBe(units);
    const text = character.repeat(10);
    for (let max = 0; max <= text.length; max++) {
      const head = headOf(text, max);
      expect(head).toBe(character.repeat(Math.floor(max / units)));
    }
  });

  it('sees a mark or a line break that joins the last character kept to the next', () => {
    expect(headOf(`${'a'.repeat(10)}\u0301b`, 10)).toBe('a'.repeat(9));
    expect(headOf('ab\r\ncd', 3)).toBe('ab');
    expect(headOf('日本語のテキスト、한국어', 5)).toBe('日本語のテ');
  });

  it('counts user-perceived characters when asked', () => {
    expect(headOf('🇯🇵'.repeat(10), 100, 3)).toBe('🇯🇵🇯🇵🇯🇵');
    expect(headOf('abc', 100, 3)).toBe('abc');
  });

  it('cuts a character longer than the bound between two code points, never between surrogates', () => {
    const zalgo = `e${'\u0301'.repeat(50)}`;
    expect(headOf(zalgo, 10)).toBe(zalgo.slice(0, 10));
    expect(headOf('😀', 1)).toBe('');
  });

  it('reads a bounded part of a long text', () => {
    const text = 'x'.repeat(5_000_000);
    const started = performance.now();
    expect(headOf(text, 10)).toBe('x'.repeat(10));
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('shortened', () => {
  it('keeps a text that fits as it is', () => {
    expect(shortened('hello', 5)).toBe('hello');
  });

  it('cuts a longer one between characters, with an ellipsis, within the bound', () => {
    const got = shortened('😀'.repeat(150), 200);
    expect(got).toBe(`${'😀'.repeat(99)}…`);
    expect(got.length).toBeLessThanOrEqual(200);
    expect(got).not.toMatch(/\p{Cs}/u);
    expect(shortened('ab cd ef', 6)).toBe('ab cd…');
  });
});
