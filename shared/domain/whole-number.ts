import * as z from 'zod';

/**
 * A whole number from `min` to `max` read from a query or a path (coerced from its text), refused in
 * the API's words: `limit must be a whole number from 1 to 200`, whatever was wrong (not a number, a
 * repeated parameter, a fraction, out of range), rather than the validator's (`expected number,
 * received NaN`).
 */
export function wholeNumber(field: string, min: number, max: number) {
  const error = `${field} must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
