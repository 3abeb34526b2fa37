import * as z from 'zod';

import { durationProblem } from './duration-ms.js';

// Parsed without zod (config reads it at every cold start): see duration-ms.ts.
export { durationMs, durationProblem } from './duration-ms.js';

/**
 * An ISO 8601 duration (`PT5M`, `PT4H`, `P1D`, `P1W`) longer than zero; years and months are refused,
 * having no fixed length. Under a business calendar it counts open time only (`P1D` is 24 open hours).
 */
export const DurationSchema = z.string().superRefine((text, ctx) => {
  const problem = durationProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
