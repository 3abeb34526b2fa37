import { wellFormed } from './primitives.js';

// Lone UTF-16 surrogates come into JSON only as `\uD800`..`\uDFFF` escapes (decoded UTF-8 holds none):
// text without such an escape, checked in one linear pass, parses as it is.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const isWellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** A parsed JSON value with each lone surrogate of its strings made U+FFFD; an object's keys too. */
function mend(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return isWellFormed(value) ? value : wellFormed(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (Object.keys(value).every(isWellFormed)) return value;
  // Two keys that mend to the same one are one key, the later kept, as JSON's duplicate keys are.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), v]));
}

/**
 * JSON text as read from a request body or a file: every string in it, keys and values, made
 * well-formed (see wellFormed), once, as it is parsed, so no field can keep a lone surrogate
 * (`"\ud800"` is valid JSON) whatever its schema says. `text` is the same text, or when a string had to
 * be mended the value written again as JSON. Linear in the text: one scan for a surrogate escape, and
 * only when there is one, each string and each key checked once. Throws what JSON.parse throws.
 */
export function parseWellFormedJson(text: string): { value: unknown; text: string } {
  if (isWellFormed(text) && !SURROGATE_ESCAPE.test(text)) return { value: JSON.parse(text), text };
  const value: unknown = JSON.parse(text, mend);
  return { value, text: JSON.stringify(value) };
}
