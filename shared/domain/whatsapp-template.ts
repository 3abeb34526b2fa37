import { UnprocessableError } from '../errors.js';

/**
 * The language codes Meta takes for a WhatsApp message template. Source: Meta's "Supported Languages"
 * for Cloud API message templates, "Updated: May 21, 2026"
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/supported-languages),
 * read on 2026-12-07 from a stored copy that ends at Latvian; from Lithuanian on, Meta's earlier list of
 * the same (https://developers.facebook.com/docs/whatsapp/api/messages/message-templates). A code Meta
 * adds later is refused here until it is added.
 */
export const TEMPLATE_LANGUAGES: ReadonlySet<string> = new Set(
  // One string, in Meta's order: the list costs the resolver's bundle (which reads the policy) least so.
  `af sq ar ar_EG ar_AE ar_LB ar_MA ar_QA az be_BY bn bn_IN bg ca zh_CN zh_HK zh_TW hr cs da prs_AF nl
  nl_BE en en_GB en_US en_AE en_AU en_CA en_GH en_IE en_IN en_JM en_MY en_NZ en_QA en_SG en_UG en_ZA
  et fil fi fr fr_BE fr_CA fr_CH fr_CI fr_MA ka de de_AT de_CH el gu ha he hi hu id ga it ja kn kk
  rw_RW ko ky_KG lo lv lt mk ms ml mr nb fa pl pt_BR pt_PT pa ro ru sr sk sl es es_AR es_ES es_MX sw
  sv ta te th tr uk ur uz vi zu`.split(/\s+/),
);

/**
 * A template's name by Meta's rule (lower-case letters, digits and underscores, at most 512 characters),
 * or a Twilio Content SID (`HX` and 32 hex digits), the name a template is sent by through Twilio.
 */
const TEMPLATE_NAME = /^(?:[a-z0-9_]{1,512}|HX[0-9a-fA-F]{32})$/;

/** The most body parameters a template reply carries (the request's own limit). */
export const MOST_TEMPLATE_PARAMETERS = 20;

/** The codes Meta has for a language (`pt`: `pt_BR`, `pt_PT`), the language's own first. */
export const codesOf = (language: string): string[] =>
  [...TEMPLATE_LANGUAGES].filter((code) => code === language || code.startsWith(`${language}_`));

/** Why `name` is not a template name Meta (or Twilio) takes, or undefined. */
export function templateNameProblem(name: string): string | undefined {
  if (TEMPLATE_NAME.test(name)) return undefined;
  return `"${name.slice(0, 80)}" is not a WhatsApp template name: lower-case letters, digits and underscores only, at most 512 (such as "order_update"), or through Twilio its Content SID (HX…)`;
}

/**
 * A region of a language on the list, written as Meta writes one (`es_CL`): taken though not on the
 * list, since Meta adds regions more often than this list is read again (the copy read was cut short).
 */
const LISTED_LANGUAGE_REGION = /^([a-z]{2,3})_[A-Z]{2}$/;

/** Why `language` is not a code Meta takes for a template, with the code meant when it can tell. */
export function templateLanguageProblem(language: string): string | undefined {
  if (TEMPLATE_LANGUAGES.has(language)) return undefined;
  const listedRegion = LISTED_LANGUAGE_REGION.exec(language)?.[1];
  if (listedRegion && codesOf(listedRegion).length > 0) return undefined;
  const [lang = '', region, ...more] = language.trim().split(/[-_]/);
  const base = lang.toLowerCase();
  const meant = more.length === 0 ? `${base}${region ? `_${region.toUpperCase()}` : ''}` : '';
  const codes = codesOf(base);
  const hint = TEMPLATE_LANGUAGES.has(meant)
    ? ` (did you mean "${meant}"?)`
    : codes.length
      ? ` (for that language: ${codes.join(', ')})`
      : '';
  return `"${language.slice(0, 20)}" is not a WhatsApp template language code: one from Meta's list, such as "en", "en_US" or "pt_BR"${hint}`;
}

/** Why the body parameters cannot go out (too many, or one empty: Meta refuses an empty text), or undefined. */
export function templateParametersProblem(parameters: readonly string[]): string | undefined {
  if (parameters.length > MOST_TEMPLATE_PARAMETERS)
    return `${parameters.length} body parameters: at most ${MOST_TEMPLATE_PARAMETERS}`;
  const empty = parameters.findIndex((p) => p.trim() === '');
  if (empty >= 0) return `parameter {{${empty + 1}}} is empty: WhatsApp refuses an empty one`;
  return undefined;
}

/** Each problem of a template, by the field it is in. */
export function templateProblems(template: {
  name: string;
  language: string;
  parameters?: readonly string[] | undefined;
}): { field: 'name' | 'language' | 'parameters'; message: string }[] {
  const found = [
    { field: 'name' as const, message: templateNameProblem(template.name) },
    { field: 'language' as const, message: templateLanguageProblem(template.language) },
    { field: 'parameters' as const, message: templateParametersProblem(template.parameters ?? []) },
  ];
  return found.flatMap(({ field, message }) => (message ? [{ field, message }] : []));
}

/**
 * Refuses a WhatsApp template Meta would refuse after the `202` (132001: no such template in that
 * language; 132000: parameters): 422 `template_invalid`, naming each field, before anything is written.
 */
export function checkTemplate(
  template: { name: string; language: string; parameters?: readonly string[] | undefined } | undefined,
): void {
  if (!template) return;
  const problems = templateProblems(template);
  if (!problems.length) return;
  const said = problems.map((p) => `template.${p.field}: ${p.message}`).join('; ');
  throw new UnprocessableError(said, 'template_invalid');
}
