/**
 * `{ [key]: value }` when value is defined, else `{}`: envelopes never carry `undefined` properties.
 *
 * Envelope literals start with a property (`id`), never with a spread (`{ ...base, id }`): on Node 20's
 * V8, every property written after a leading spread takes a slow path, and that made building one
 * envelope cost more than validating it (7 µs against 0.1 µs; Node 22 is fast either way).
 */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
