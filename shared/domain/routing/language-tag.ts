import * as z from 'zod';

/** A BCP 47 language tag (`en`, `es-MX`); matched on its primary subtag, case-insensitively. */
export const LanguageTagSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as "en" or "es-MX"');
