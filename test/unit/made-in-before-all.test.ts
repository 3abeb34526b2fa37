import { describe, expect, it } from 'vitest';
import { madeInBeforeAll } from '../support/made-in-before-all.js';

/** Something with state of its own that only its methods reach, as a browser or a server has. */
class Counter {
  #count = 0;
  readonly label = 'counter';
  add(): number {
    this.#count += 1;
    return this.#count;
  }
}

describe('what a use… helper answers for something its beforeAll makes', () => {
  it('says so when read before it is made', () => {
    const standIn = madeInBeforeAll<Counter>('the counter', () => undefined);
    expect(() => standIn.label).toThrow('the counter starts in beforeAll: use it inside a test');
  });

  it('reads and calls the one made when it is used, methods on it (its private state reached)', () => {
    let made: Counter | undefined;
    const standIn = madeInBeforeAll('the counter', () => made);
    made = new Counter();
    expect(standIn.label).toBe('counter');
    expect('add' in standIn).toBe(true);
    const { add } = standIn;
    expect([standIn.add(), add()]).toEqual([1, 2]);
    made = new Counter();
    expect(standIn.add()).toBe(1);
  });
});
