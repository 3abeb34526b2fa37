import { describe, expect, it } from 'vitest';
import { mergedGroup } from '#shared/domain/merge-walks.js';

/** Profiles by id: who was merged into whom. */
const merges: Record<string, string[]> = { a: ['b', 'x'], b: ['c'], c: ['d'], d: ['e'], x: [] };

function reader() {
  const reads: string[] = [];
  const read = async (id: string) => {
    reads.push(id);
    return { mergedFrom: merges[id] ?? [] };
  };
  return { read, reads };
}

const root = { customerId: 'a', profile: { mergedFrom: merges.a } };
const bounds = { maxHops: 3, maxPartitions: 10 };

describe('mergedGroup', () => {
  it('walks the group breadth first, each merged profile read once, within the hops', async () => {
    const { read, reads } = reader();
    expect(await mergedGroup(read, root, bounds)).toEqual({
      partitions: ['a', 'b', 'x', 'c', 'd'],
      cut: true,
    });
    expect(reads).toEqual(['b', 'x', 'c', 'd']);
  });

  it('stops at the customer sought: none read for one merged straight in, one per merge beyond', async () => {
    const straight = reader();
    expect((await mergedGroup(straight.read, root, bounds, 'b')).partitions).toContain('b');
    expect(straight.reads).toEqual([]);
    const deeper = reader();
    expect((await mergedGroup(deeper.read, root, bounds, 'c')).partitions).toContain('c');
    expect(deeper.reads).toEqual(['b', 'x']);
  });

  it('does not find a customer beyond the bounds', async () => {
    const { read } = reader();
    const group = await mergedGroup(read, root, bounds, 'e');
    expect(group.partitions).not.toContain('e');
    expect(group.cut).toBe(true);
  });
});
