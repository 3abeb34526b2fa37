import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import {
  decodeAfterCursor,
  decodeBeforeCursor,
  decodeCursor,
  decodeTimelineBackCursor,
  decodeTimelineCursor,
  encodeCursor,
  encodeTimelineBackCursor,
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
    const cursor = { of: 'cu_1', after: 'TIMELINE#2025#x', lastInbound: 'sms' as const };
    const { of: _of, ...place } = cursor;
    expect(decodeTimelineCursor(encodeTimelineCursor(cursor), 'cu_1')).toEqual(place);
    expect(decodeTimelineCursor(undefined, 'cu_1')).toEqual({});
    expect(() => decodeTimelineCursor(encodeCursor({ after: 'PROFILE' }) ?? undefined, 'cu_1')).toThrow(
      ValidationError,
    );
  });

  it("refuses a cursor of another customer's timeline and takes one made before cursors named theirs", () => {
    const made = encodeTimelineCursor({ of: 'cu_1', after: 'TIMELINE#2025#x', lastInbound: 'whatsapp' });
    // Before, cu_2's page read from cu_1's place and derived a switch from cu_1's last channel.
    expect(() => decodeTimelineCursor(made, 'cu_2')).toThrow(/another customer's timeline/);
    const older = encodeTimelineCursor({ after: 'TIMELINE#2025#x' });
    expect(decodeTimelineCursor(older, 'cu_2')).toEqual({ after: 'TIMELINE#2025#x' });
    // One made while cursors held the id itself is still taken for that customer only.
    const raw = Buffer.from(JSON.stringify({ of: 'cu_1', after: 'TIMELINE#2025#x' })).toString('base64url');
    expect(decodeTimelineCursor(raw, 'cu_1')).toEqual({ after: 'TIMELINE#2025#x' });
    expect(() => decodeTimelineCursor(raw, 'cu_2')).toThrow(/another customer's timeline/);
    // The customer's id is not in the cursor.
    expect(Buffer.from(made, 'base64url').toString()).not.toContain('cu_1');
  });

  it("binds a newest-first cursor to its customer's timeline as well", () => {
    const made = encodeTimelineBackCursor({ of: 'cu_1', before: 'TIMELINE#2025#x' });
    expect(decodeTimelineBackCursor(made, 'cu_1')).toEqual({ before: 'TIMELINE#2025#x' });
    expect(() => decodeTimelineBackCursor(made, 'cu_2')).toThrow(/another customer's timeline/);
    // One made before cursors named their customer: taken, as a forward one is.
    const older = Buffer.from(JSON.stringify({ before: 'TIMELINE#2025#x' })).toString('base64url');
    expect(decodeTimelineBackCursor(older, 'cu_2')).toEqual({ before: 'TIMELINE#2025#x' });
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

  it('decodes an {after} cursor (the inbox) to its sort key and refuses any other', () => {
    // Every sort key the inbox writes: waiting, answered, resolved and snoozed alike, and a deadline.
    for (const after of [
      '2026-06-01T09:00:00.000Z#cv_1',
      'answered#2026-06-01T09:00:00.000Z#cv_1',
      '2026-06-01T10:00:00.000Z#01JXYZ',
    ]) {
      expect(decodeAfterCursor(encodeCursor({ after }) ?? undefined)).toBe(after);
    }
    expect(decodeAfterCursor(undefined)).toBeUndefined();
    const after = '2026-06-01T09:00:00.000Z#cv_1';
    for (const forged of [
      { after: 'x' },
      { after: '' },
      { after, pk: 'INBOX#open' },
      { before: after },
      { after: 7 },
      { after: `${'9'.repeat(3000)}#x` },
    ]) {
      expect(() => decodeAfterCursor(encodeCursor(forged) ?? undefined), JSON.stringify(forged)).toThrow(
        ValidationError,
      );
    }
  });
});
