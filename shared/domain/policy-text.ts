import * as z from 'zod';
import { TemplateSchema } from './outbound.js';

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
 * A template's name by Meta's rule (lower-case letters, digits and underscores, up to 512), or a
 * Twilio Content SID (`HX` and 32 hex digits), the name a template is sent by through Twilio.
 */
const TEMPLATE_NAME = /^(?:[a-z0-9_]{1,512}|HX[0-9a-fA-F]{32})$/;
/** A template's language as Meta codes it: a language (`en`, `fil`), or one with its region (`en_US`). */
const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(?:_[A-Z]{2})?$/;

/** Why `language` is not a template language code, with the code meant when it can tell. */
function templateLanguageProblem(language: string): string | undefined {
  if (TEMPLATE_LANGUAGE.test(language)) return undefined;
  const [lang = '', region, ...more] = language.trim().split(/[-_]/);
  const meant = more.length === 0 && `${lang.toLowerCase()}${region ? `_${region.toUpperCase()}` : ''}`;
  const hint = meant && TEMPLATE_LANGUAGE.test(meant) ? ` (did you mean "${meant}"?)` : '';
  return `"${language}" is not a WhatsApp template language code: a language such as "en", or with its region after an underscore, such as "en_US"${hint}`;
}

/**
 * A WhatsApp template the routing policy names (an automation's reply, `csat.whatsappTemplate`):
 * checked against Meta's rules at the start, so a misspelt one stops it naming the field instead of
 * failing at Meta with every message.
 */
export const PolicyTemplateSchema = TemplateSchema.superRefine((template, ctx) => {
  if (!TEMPLATE_NAME.test(template.name)) {
    ctx.addIssue({
      code: 'custom',
      path: ['name'],
      message: `"${template.name.slice(0, 80)}" is not a WhatsApp template name: lower-case letters, digits and underscores only (such as "order_update"), or through Twilio its Content SID (HX…)`,
    });
  }
  const language = templateLanguageProblem(template.language);
  if (language) ctx.addIssue({ code: 'custom', path: ['language'], message: language });
});
