import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import {
  decodeBeforeCursor,
  decodeCursor,
  decodeTimelineCursor,
  encodeCursor,
  encodeTimelineCursor,
} from '#shared/store/cursor.js';

describe('cursors', () => {
  it('round-trips a cursor and refuses one it did not make', () => {
    const key = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2025#x' };
    expect(decodeCursor(encodeCursor(key) ?? undefined)).toEqual(key);
    expect(() => decodeCursor('not-a-cursor')).toThrow(ValidationError);
    expect(() => decodeCursor(Buffer.from('{"pk":{"S":"x"}}').toString('base64url'))).toThrow(
      ValidationError,
    );
  });

  it('round-trips a timeline cursor and refuses one that is not a timeline sort key', () => {
    const cursor = { after: 'TIMELINE#2025#x', lastInbound: 'sms' as const };
    expect(decodeTimelineCursor(encodeTimelineCursor(cursor))).toEqual(cursor);
    expect(decodeTimelineCursor(undefined)).toEqual({});
    expect(() => decodeTimelineCursor(encodeCursor({ after: 'PROFILE' }) ?? undefined)).toThrow(
      ValidationError,
    );
  });

  it('decodes a {before} cursor to its sort key and refuses any other', () => {
    const before = '2026-06-01T09:00:00.000Z#au_1';
    expect(decodeBeforeCursor(encodeCursor({ before }) ?? undefined)).toBe(before);
    expect(decodeBeforeCursor(undefined)).toBeUndefined();
    for (const forged of [{ before: 'x' }, { before, pk: 'AUDIT#0' }, { after: before }, { before: 7 }]) {
      expect(() => decodeBeforeCursor(encodeCursor(forged) ?? undefined), JSON.stringify(forged)).toThrow(
        ValidationError,
      );
    }
  });
});
