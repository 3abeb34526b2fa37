/**
 * How many messages of each group (a webhook delivery's subscription) a local queue has in flight,
 * so that one group (an endpoint that hangs) cannot take every slot: a group at its limit waits, and
 * the other groups' messages are received meanwhile.
 */
export class InFlightGroups {
  readonly #counts = new Map<string, number>();

  constructor(
    readonly groupOf: (body: string) => string,
    readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('a group limit must be a positive integer');
  }

  /** Whether a message's group has `limit` in flight already. */
  full(body: string): boolean {
    return (this.#counts.get(this.groupOf(body)) ?? 0) >= this.limit;
  }

  /** Counts a message received. */
  take(body: string): void {
    const group = this.groupOf(body);
    this.#counts.set(group, (this.#counts.get(group) ?? 0) + 1);
  }

  /** Uncounts the messages of a batch that ended. */
  release(bodies: readonly string[]): void {
    for (const body of bodies) {
      const group = this.groupOf(body);
      const left = (this.#counts.get(group) ?? 1) - 1;
      if (left > 0) this.#counts.set(group, left);
      else this.#counts.delete(group);
    }
  }
}
