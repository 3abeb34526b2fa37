import { describe, expect, it } from 'vitest';
import { placeIn, stepTarget } from '../../../../functions/agent-api/console/inbox-step.js';

const rows = (...ids: string[]) => ids.map((id) => ({ id }));

describe('the row j and k open from the open conversation', () => {
  const list = rows('a', 'b', 'c', 'd', 'e', 'f', 'g');

  it('opens the next or the previous row while the open one is listed, staying at either end', () => {
    expect(stepTarget(list, 'c', 1, placeIn(list, 'c'))?.id).toBe('d');
    expect(stepTarget(list, 'c', -1, placeIn(list, 'c'))?.id).toBe('b');
    expect(stepTarget(list, 'g', 1, placeIn(list, 'g'))?.id).toBe('g');
    expect(stepTarget(list, 'a', -1, placeIn(list, 'a'))?.id).toBe('a');
  });

  // QA: the sixth row resolved with `e` left the Open list, and `j` opened the first row.
  it('goes on from where the open one was once it left the list', () => {
    const last = placeIn(list, 'f');
    const after = rows('a', 'b', 'c', 'd', 'e', 'g');
    expect(stepTarget(after, 'f', 1, last)?.id).toBe('g');
    expect(stepTarget(after, 'f', -1, last)?.id).toBe('e');
  });

  it('finds the neighbours by id when rows moved meanwhile, else keeps to the place', () => {
    const last = placeIn(list, 'f');
    // A new conversation came in at the top: the neighbours moved down one.
    expect(stepTarget(rows('new', 'a', 'b', 'c', 'd', 'e', 'g'), 'f', 1, last)?.id).toBe('g');
    expect(stepTarget(rows('new', 'a', 'b', 'c', 'd', 'e', 'g'), 'f', -1, last)?.id).toBe('e');
    // Its neighbours went too: the rows now at its place.
    expect(stepTarget(rows('a', 'b', 'c', 'd', 'x', 'y'), 'f', 1, last)?.id).toBe('y');
    expect(stepTarget(rows('a', 'b', 'c', 'd', 'x', 'y'), 'f', -1, last)?.id).toBe('x');
  });

  it('opens nothing past either end once the open one left from there', () => {
    expect(stepTarget(rows('b', 'c'), 'a', -1, placeIn(list, 'a'))).toBeUndefined();
    expect(stepTarget(rows('b', 'c'), 'a', 1, placeIn(list, 'a'))?.id).toBe('b');
    expect(stepTarget(rows('a', 'b', 'c', 'd', 'e', 'f'), 'g', 1, placeIn(list, 'g'))).toBeUndefined();
  });

  it('starts at the top for a conversation never listed (a link), as before', () => {
    expect(stepTarget(list, 'zz', 1, undefined)?.id).toBe('a');
    expect(stepTarget(list, 'zz', 1, placeIn(list, 'c'))?.id).toBe('a');
    expect(stepTarget(list, undefined, 1, undefined)?.id).toBe('a');
    expect(placeIn(list, 'zz')).toBeUndefined();
  });
});
