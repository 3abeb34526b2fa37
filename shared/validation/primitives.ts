import * as z from 'zod/mini';

// Schemas that many shapes share, built once. A zod schema is immutable, so one instance can sit in any
// number of objects; but each instance costs a cold start some 20 µs to build, and the webhook schemas
// alone would otherwise build `z.optional(z.string())` over a hundred times (3 ms of a WhatsApp cold start).

export const optionalString = z.optional(z.string());
export const nonEmptyString = z.string().check(z.minLength(1));
export const optionalNonEmptyString = z.optional(nonEmptyString);
export const optionalBoolean = z.optional(z.boolean());
