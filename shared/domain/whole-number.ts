import * as z from 'zod';

/** A whole number as a query or a path writes it: decimal digits, no sign, no leading zero, at most 16. */
const DIGITS = /^(?:0|[1-9]\d{0,15})$/;

/**
 * A whole number from `min` to `max` read from a query or a path, written in plain decimal digits
 * (`10`; not `010`, `10.0`, `1e1`, `0x0a` or with spaces, which a number's coercion took), refused in
 * the API's words: `limit must be a whole number from 1 to 200`, whatever was wrong (not a number, a
 * repeated parameter, a fraction, out of range), rather than the validator's (`expected number,
 * received NaN`). `fallback`: the value when left out (kept inside the check, where the document shows it).
 */
export function wholeNumber(field: string, min: number, max: number, fallback?: number) {
  const error = `${field} must be a whole number from ${min} to ${max}`;
  const range = z.int({ error }).min(min, { error }).max(max, { error });
  return z.preprocess(
    (value) => (typeof value === 'string' ? (DIGITS.test(value) ? Number(value) : Number.NaN) : value),
    fallback === undefined ? range : range.default(fallback),
  );
}
