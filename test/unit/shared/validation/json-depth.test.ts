import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '#shared/validation/json-depth.js';

/** `levels` arrays or objects, one inside the next, as JSON.parse builds them. */
function nested(levels: number, kind: 'array' | 'object'): unknown {
  const open = kind === 'array' ? '[' : '{"a":';
  const close = kind === 'array' ? ']' : '}';
  return JSON.parse(`${open.repeat(levels - 1)}${kind === 'array' ? '[]' : '{}'}${close.repeat(levels - 1)}`);
}

describe('nestsDeeperThan', () => {
  it.each(['array', 'object'] as const)(
    'accepts %s nesting of exactly the limit and refuses one more',
    (kind) => {
      expect(nestsDeeperThan(nested(MAX_JSON_DEPTH, kind), MAX_JSON_DEPTH)).toBe(false);
      expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1, kind), MAX_JSON_DEPTH)).toBe(true);
    },
  );

  it('counts levels through mixed arrays and objects, and finds the deep branch among shallow ones', () => {
    const body = { a: 1, b: [{ c: 'x' }], d: { e: [[[]]] } };
    // body(1) > d(2) > e(3) > [](4) > [](5)
    expect(nestsDeeperThan(body, 5)).toBe(false);
    expect(nestsDeeperThan(body, 4)).toBe(true);
  });

  it('treats scalars as no nesting at all', () => {
    for (const value of [null, 1, 'deep', true, undefined]) expect(nestsDeeperThan(value, 0)).toBe(false);
  });

  it('answers for 100,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000, 'array'), MAX_JSON_DEPTH)).toBe(true);
  });
});
