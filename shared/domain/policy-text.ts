import * as z from 'zod';
import { TemplateSchema } from './outbound.js';
import { templateProblems } from './whatsapp-template.js';

/**
 * A `{{…}}` placeholder, as other help desks write a customer's name into a macro. Nothing in the
 * routing policy fills one in (the only `{{1}}` Threadline knows is a WhatsApp template's, filled by
 * its `parameters`), so a text holding one would reach the customer as written. Bounded (a policy
 * text is at most 4,000 characters, the name inside at most 64) and linear.
 */
const PLACEHOLDER = /\{\{[^{}]{0,64}\}\}/;

/**
 * A text of the routing policy that is sent or noted as written (an automation's reply or note, a
 * breach's note, the survey's question and words): trimmed, `max` characters at most, and refused
 * with a `{{…}}` placeholder in it, naming it.
 */
export function policyText(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      const found = PLACEHOLDER.exec(text);
      if (found) {
        ctx.addIssue({
          code: 'custom',
          message: `has the placeholder "${found[0]}": nothing fills one in, so it would go out as written; write the words themselves`,
        });
      }
    });
}

/**
 * A WhatsApp template the routing policy names (an automation's reply, `csat.whatsappTemplate`):
 * checked against Meta's rules at the start (see `whatsapp-template.ts`: its name, a language Meta
 * takes, its parameters), so a misspelt one stops it naming the field instead of failing at Meta with
 * every message.
 */
export const PolicyTemplateSchema = TemplateSchema.superRefine((template, ctx) => {
  for (const { field, message } of templateProblems(template)) {
    ctx.addIssue({ code: 'custom', path: [field], message });
  }
});
