import * as z from 'zod';

/** A DynamoDB string set as the document client reads it (a Set, or an array), sorted. */
export const StringSetSchema = z
  .union([z.set(z.string()), z.array(z.string())])
  .optional()
  .transform((v) => [...(v ?? [])].sort());
