import { describe, expect, it } from 'vitest';
import { MAX_SEALED_CURSOR, pageCursors } from '#shared/domain/page-cursor.js';
import { ValidationError } from '#shared/errors.js';
import { tamperedCursors } from '../../../support/tampered-cursors.js';

const KEY = 'a signing secret of thirty-two characters or more';
const place = Buffer.from(JSON.stringify({ after: 'TIMELINE#2026-12-06T21:36:41.171Z#note:rp_1' })).toString(
  'base64url',
);
const scope = ['timeline', 'cu_a', 'oldest'] as const;

describe('page cursors', () => {
  it('seal the store’s place so it reads as nothing, and open it back for the same scope only', () => {
    const cursors = pageCursors(KEY);
    const sealed = cursors.seal(place, scope) ?? '';
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('TIMELINE');
    expect(cursors.open(sealed, scope)).toBe(place);
    expect(cursors.seal(place, scope)).toBe(sealed);
    expect(cursors.seal(null, scope)).toBeNull();
    expect(cursors.open(undefined, scope)).toBeUndefined();
    for (const other of [
      ['timeline', 'cu_b', 'oldest'],
      ['timeline', 'cu_a', 'newest'],
      ['audit', 'cu_a', 'oldest'],
      ['timeline', 'cu_a'],
    ] as const) {
      expect(() => cursors.open(sealed, other), other.join()).toThrow(ValidationError);
    }
  });

  it('refuse a cursor sealed with another key, or changed in any way', () => {
    const sealed = pageCursors(KEY).seal(place, scope) ?? '';
    expect(() => pageCursors(`${KEY}!`).open(sealed, scope)).toThrow(ValidationError);
    for (const [what, tampered] of tamperedCursors(sealed)) {
      expect(() => pageCursors(KEY).open(tampered, scope), what).toThrow(ValidationError);
    }
    expect(() => pageCursors(KEY).open(place, scope)).toThrow(ValidationError);
  });

  it('keep a place that is not base64url as text, and stay about as long as the place', () => {
    const cursors = pageCursors(KEY);
    expect(cursors.open(cursors.seal('a place: not base64', scope) ?? '', scope)).toBe('a place: not base64');
    const long = Buffer.from('x'.repeat(2900)).toString('base64url');
    const sealed = cursors.seal(long, scope) ?? '';
    expect(sealed.length).toBeLessThan(long.length + 48);
    expect(sealed.length).toBeLessThanOrEqual(MAX_SEALED_CURSOR);
    expect(() => cursors.open('A'.repeat(MAX_SEALED_CURSOR + 1), scope)).toThrow(ValidationError);
  });

  it('without a secret, seal with a key of the process: two makers in it agree', () => {
    const sealed = pageCursors(undefined).seal(place, scope) ?? '';
    expect(pageCursors(undefined).open(sealed, scope)).toBe(place);
    expect(() => pageCursors(KEY).open(sealed, scope)).toThrow(ValidationError);
  });
});
