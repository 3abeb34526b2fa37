// Provider bodies are JSON parsed before anything else; these bound how deep they may nest.
// No imports: the SES webhook checks depth without loading the envelope schema.

/**
 * Deeper than any provider nests its JSON, and far below the depth at which `JSON.stringify` (queueing an
 * envelope that carries its raw item) overflows the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the arrays and objects of a parsed JSON value nest deeper than `max` levels. Recursive, but
 * never deeper than `max + 1` calls, however deep the value; allocates nothing, as it runs on every body.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (nestsDeeperThan(child, max - 1)) return true;
  } else {
    for (const key in value) {
      if (nestsDeeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
    }
  }
  return false;
}
