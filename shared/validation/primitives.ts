import * as z from 'zod/mini';

// Schemas that many shapes share, built once. A zod schema is immutable, so one instance can sit in any
// number of objects; but each instance costs a cold start some 20 µs to build, and the webhook schemas
// alone would otherwise build `z.optional(z.string())` over a hundred times (3 ms of a WhatsApp cold start).

export const optionalString = z.optional(z.string());
export const nonEmptyString = z.string().check(z.minLength(1));
export const optionalNonEmptyString = z.optional(nonEmptyString);
export const optionalBoolean = z.optional(z.boolean());

/**
 * Text as stored and shown: each lone UTF-16 surrogate (a JSON `"\ud800"` is valid JSON, and a
 * provider may send one) becomes U+FFFD, so what is kept is well-formed Unicode that every encoder,
 * DynamoDB's UTF-8 and a browser's text included, takes as it is. Linear (`toWellFormed`, ES2024).
 */
export const wellFormed = (text: string): string =>
  (text as string & { toWellFormed(): string }).toWellFormed();
