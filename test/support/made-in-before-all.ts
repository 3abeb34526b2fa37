/**
 * What a `use…` helper answers for something its `beforeAll` makes (a runtime, a browser): every
 * property read goes to the one `made` answers then, a method bound to it, so a test uses it as it would
 * a `let` it had set itself. Read before that `beforeAll` has run, it throws, naming `what`.
 */
export function madeInBeforeAll<T extends object>(what: string, made: () => T | undefined): T {
  const running = (): T => {
    const it = made();
    if (!it) throw new Error(`${what} starts in beforeAll: use it inside a test`);
    return it;
  };
  return new Proxy({} as T, {
    get: (_, property) => {
      const it = running();
      const value: unknown = Reflect.get(it, property);
      return typeof value === 'function' ? value.bind(it) : value;
    },
    has: (_, property) => Reflect.has(running(), property),
  });
}
