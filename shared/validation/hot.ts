import type * as z from 'zod/mini';
// zod's `compile` (`zod/v4/core`, package.json's `imports`), named apart so that the webhooks' bundles
// load it from a file beside them on first use (stacks/bundling/on-demand.ts, ZOD_COMPILE_ON_DEMAND).
import { compile as zodCompile } from '#zod-compile';

/**
 * zod interprets a schema node by node; `z.compile` turns it into one generated function, 4 to 16 times
 * faster on provider payloads and envelopes, with the same errors (an invalid value falls back to the
 * interpreter). Compiling costs 1 to 30 ms per schema, though, which a cold Lambda would add to its
 * first delivery. So a schema on the delivery path is interpreted for its first parses and compiled on
 * the parse that shows it is hot: a function that sees little traffic never pays for compiling, and one
 * that sees a lot pays once, on one delivery.
 */
export const COMPILE_AFTER = 100;

type Params = z.core.ParseContext<z.core.$ZodIssue>;

/** What the delivery path calls on a schema. */
export interface Parser<T extends z.ZodMiniType> {
  parse(value: unknown, params?: Params): z.output<T>;
  safeParse(value: unknown, params?: Params): z.core.util.SafeParseResult<z.output<T>>;
}

const registered: z.ZodMiniType[] = [];

/**
 * `schema`'s parse and safeParse, interpreted for `after - 1` parses and compiled from the `after`-th
 * on. `compile` is zod's (`z.compile`) unless a test counts the calls.
 */
export function hot<T extends z.ZodMiniType>(
  schema: T,
  after = COMPILE_AFTER,
  compile: (schema: T) => T = zodCompile,
): Parser<T> {
  registered.push(schema);
  let active = schema;
  let parses = 0;
  const current = (): T => {
    if (parses < after && ++parses === after) active = compile(schema);
    return active;
  };
  return {
    parse: (value, params) => current().parse(value, params),
    safeParse: (value, params) => current().safeParse(value, params),
  };
}

/** Every schema made hot so far (the modules that made them are loaded), for the equivalence tests. */
export function hotSchemas(): readonly z.ZodMiniType[] {
  return registered;
}
