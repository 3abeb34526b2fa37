import { createRequire } from 'node:module';
import type * as Phone from 'libphonenumber-js';

/**
 * What the agent API's bundle imports in place of `libphonenumber-js` (see on-demand.ts): the same
 * `parsePhoneNumberFromString`, its metadata (~124 KB) read from a file beside the bundle on the first
 * phone number an agent's request parses, not at cold start.
 */
const load = createRequire(import.meta.url);
let phone: typeof Phone | undefined;

/** `parsePhoneNumberFromString` of `libphonenumber-js`, loaded from `./libphonenumber-js.cjs` when first called. */
export function parsePhoneNumberFromString(
  text: string,
  defaultCountry?: Phone.CountryCode,
): Phone.PhoneNumber | undefined {
  phone ??= load('./libphonenumber-js.cjs') as typeof Phone;
  return phone.parsePhoneNumberFromString(text, defaultCountry);
}
