import { afterEach, describe, expect, it, vi } from 'vitest';
import { followMerges } from '#shared/domain/merge-walks.js';
import { logger } from '#shared/log.js';

/** A reader over `mergedInto` pointers by id, recording each read. */
function reader(into: Record<string, string | undefined>) {
  const reads: string[] = [];
  const read = async (id: string) => {
    reads.push(id);
    return { id, mergedInto: into[id] };
  };
  return { read, reads };
}

describe('followMerges', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('follows a chain to the customer merged nowhere, each profile read once', async () => {
    const { read, reads } = reader({ a: 'b', b: 'c' });
    const found = await followMerges(read, 'a');
    expect(found.customerId).toBe('c');
    expect(found.profile).toEqual({ id: 'c', mergedInto: undefined });
    expect(reads).toEqual(['a', 'b', 'c']);
  });

  it('stops at a ring (data from merges at once before the ring check), answers its first id whatever the start, and logs it', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    // x leads into the ring b -> c -> a -> b.
    const into = { x: 'b', b: 'c', c: 'a', a: 'b' };
    for (const start of ['x', 'a', 'b', 'c']) {
      const { read, reads } = reader(into);
      const found = await followMerges(read, start);
      expect(found.customerId, start).toBe('a');
      expect(found.profile).toEqual({ id: 'a', mergedInto: 'b' });
      // Each customer of the way read once: no loop, no read past the ring.
      expect(new Set(reads).size).toBe(reads.length);
      expect(reads.length).toBeLessThanOrEqual(4);
    }
    expect(error).toHaveBeenCalledTimes(4);
    expect(error).toHaveBeenCalledWith('merge pointers form a ring: answering its first customer by id', {
      customerId: 'x',
      ring: ['b', 'c', 'a'],
      kept: 'a',
    });
  });

  it('stops after 5 pointers on a longer chain, answers the customer reached (still merged), and logs it', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const into = { c0: 'c1', c1: 'c2', c2: 'c3', c3: 'c4', c4: 'c5', c5: 'c6', c6: 'c7' };
    const { read, reads } = reader(into);
    const found = await followMerges(read, 'c0');
    expect(found.customerId).toBe('c5');
    expect(reads).toHaveLength(6);
    expect(warn).toHaveBeenCalledWith(
      'merge pointers: hop limit reached, answering a customer still merged',
      {
        customerId: 'c0',
        reached: 'c5',
        maxHops: 5,
      },
    );
  });
});
