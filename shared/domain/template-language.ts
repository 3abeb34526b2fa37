import { codesOf } from './whatsapp-template.js';

/**
 * For a language Meta lists template codes for by region only (Portuguese, Chinese), the region a
 * customer's number tells by its calling code: Brazil `pt_BR`; Portugal, and Portuguese-speaking Africa
 * and East Timor, which write European Portuguese, `pt_PT`; mainland China; Hong Kong and Macau
 * (traditional characters, `zh_HK`); Taiwan.
 */
const REGION_BY_CALLING_CODE: ReadonlyArray<readonly [prefix: string, region: string]> = [
  ['55', 'BR'],
  ...['351', '244', '258', '238', '245', '239', '670'].map((prefix) => [prefix, 'PT'] as const),
  ['86', 'CN'],
  ['852', 'HK'],
  ['853', 'HK'],
  ['886', 'TW'],
];

/**
 * The Meta template language code nearest a conversation's language (`conversationLanguage`, an ISO
 * 639-1 code such as `es`): that code when Meta's list has it (`es`, `fr`); for a language Meta lists by
 * region only, the region the customer's number tells (`pt` from a +55 number: `pt_BR`), else Meta's
 * first (`pt_BR`); `en` when no language was found or Meta has none of it. What the console's template
 * form starts with: the agent may change it.
 */
export function nearestTemplateLanguage(language: string | undefined, phone: string | undefined): string {
  const base = language?.split(/[-_]/)[0]?.toLowerCase() ?? '';
  const codes = codesOf(base);
  if (codes.includes(base)) return base;
  const digits = phone?.replace(/\D/g, '') ?? '';
  const region = REGION_BY_CALLING_CODE.find(([prefix]) => digits.startsWith(prefix))?.[1];
  return codes.find((code) => code === `${base}_${region}`) ?? codes[0] ?? 'en';
}
