import { describe, expect, it } from 'vitest';
import { isolatedDate, parseShownJson, withoutBidiControls } from '#shared/domain/bidi.js';

describe('text shown as it was written', () => {
  it('drops embeddings, overrides and isolates, and keeps right-to-left letters and marks', () => {
    expect(withoutBidiControls('invoice\u202efdp.exe')).toBe('invoicefdp.exe');
    expect(withoutBidiControls('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069x')).toBe('x');
    expect(withoutBidiControls('مرحبا\u200f Dana')).toBe('مرحبا\u200f Dana');
  });

  it('reads every string of a JSON document so, at any depth, and leaves other values alone', () => {
    const json = JSON.stringify({
      name: 'Acme\u202e (verified)',
      items: [{ attachments: [{ filename: 'a\u202egpj.exe' }] }],
      n: 3,
      ok: true,
      none: null,
    });
    expect(parseShownJson(json)).toEqual({
      name: 'Acme (verified)',
      items: [{ attachments: [{ filename: 'agpj.exe' }] }],
      n: 3,
      ok: true,
      none: null,
    });
  });

  it('keeps the isolation the console adds itself around a right-to-left date', () => {
    expect(isolatedDate('٥ ديسمبر')).toBe('\u2068٥ ديسمبر\u2069');
  });
});
