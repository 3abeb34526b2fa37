import { describe, expect, it } from 'vitest';
import { once, onFirstUse } from '#shared/domain/on-first-use.js';

describe('once and onFirstUse', () => {
  it('builds once, on the first call, and keeps what it built', () => {
    let builds = 0;
    const get = once(() => ({ n: ++builds }));
    expect(builds).toBe(0);
    const first = get();
    expect(get()).toBe(first);
    expect(builds).toBe(1);
  });

  it('loads once for concurrent callers, forgets a failed load and tries again on the next call', async () => {
    let loads = 0;
    const get = onFirstUse(async () => {
      loads += 1;
      if (loads === 1) throw new Error('not yet');
      return loads;
    });
    await expect(get()).rejects.toThrow('not yet');
    const [a, b] = await Promise.all([get(), get()]);
    expect([a, b]).toEqual([2, 2]);
    expect(await get()).toBe(2);
    expect(loads).toBe(2);
  });
});
