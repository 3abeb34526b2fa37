import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { COMPILE_AFTER, hot } from '#shared/validation/hot.js';

const Item = z.object({ id: z.string().check(z.minLength(1)), count: z.optional(z.int()) });

describe('hot', () => {
  it('interprets until the schema is hot, then compiles it once and parses with the compiled copy', () => {
    const compiled: z.ZodMiniType[] = [];
    const parser = hot(Item, 3, (schema) => {
      const copy = z.compile(schema);
      compiled.push(copy);
      return copy;
    });
    expect(parser.parse({ id: 'a' })).toEqual({ id: 'a' });
    expect(parser.safeParse({ id: 'b', count: 2 })).toEqual({ success: true, data: { id: 'b', count: 2 } });
    expect(compiled).toHaveLength(0);
    expect(parser.parse({ id: 'c' })).toEqual({ id: 'c' });
    expect(compiled).toHaveLength(1);
    for (let i = 0; i < 10; i++) parser.parse({ id: `d${i}` });
    expect(compiled).toHaveLength(1);
  });

  it('gives the interpreter its errors whichever copy parses', () => {
    const parser = hot(Item, 2);
    const errors = [1, 2, 3].map(() => {
      const result = parser.safeParse({ id: '', count: 1.5 });
      return result.success ? [] : result.error.issues.map(({ path, code }) => ({ path, code }));
    });
    expect(errors[0]).toEqual([
      { path: ['id'], code: 'too_small' },
      { path: ['count'], code: 'invalid_type' },
    ]);
    expect(errors[1]).toEqual(errors[0]);
    expect(errors[2]).toEqual(errors[0]);
    expect(() => parser.parse({ id: 7 })).toThrow(z.core.$ZodError);
  });

  it('compiles on the COMPILE_AFTER-th parse by default', () => {
    let compiles = 0;
    const parser = hot(Item, undefined, (schema) => {
      compiles += 1;
      return schema;
    });
    for (let i = 1; i < COMPILE_AFTER; i++) parser.parse({ id: 'x' });
    expect(compiles).toBe(0);
    parser.parse({ id: 'x' });
    expect(compiles).toBe(1);
  });
});
