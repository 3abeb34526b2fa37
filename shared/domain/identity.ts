import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Identity } from './envelope.js';

export { normaliseEmail } from './addresses.js';

/** How to read a phone number that has no `+`. */
export interface PhoneOptions {
  /** Region for national-format numbers such as `(415) 555-0100`. */
  defaultRegion?: CountryCode;
  /** The digits always include the country code (WhatsApp `wa_id`), whatever their length. */
  international?: boolean;
}

/**
 * Normalises a phone number as any channel writes it (`(415) 555-0100`, `+1 415-555-0100`, WhatsApp's
 * `14155550100`, Twilio's `whatsapp:+14155550100`) to E.164, or returns undefined when it is not one.
 * Digits-only input of 11+ digits is read as international (WhatsApp ids carry the country code, no `+`).
 */
export function normalisePhone(input: string, options: PhoneOptions = {}): string | undefined {
  const { defaultRegion = 'US', international = false } = options;
  const stripped = input.trim().replace(/^(whatsapp|tel|sms):/i, '');
  if (stripped.length === 0 || stripped.length > 40) return undefined;
  // A leading 0 is a trunk prefix (`020 7946 0958`), never a country code.
  const digitsOnly = international ? /^[1-9]\d{5,14}$/.test(stripped) : /^[1-9]\d{10,14}$/.test(stripped);
  const candidate = digitsOnly ? `+${stripped}` : stripped;
  const parsed = parsePhoneNumberFromString(candidate, defaultRegion);
  if (parsed?.isPossible()) return parsed.number;
  // WhatsApp ids are E.164 without the `+`, even when libphonenumber thinks the length is odd
  // (test numbers, new ranges): keep the digits rather than lose the sender.
  if (digitsOnly) return candidate;
  return undefined;
}

/**
 * The identity as the resolver stores and looks it up: a phone number in canonical E.164 (a national
 * number read in `defaultRegion`), anything else as it is. A number libphonenumber does not know (a
 * test range, a new range) keeps the shape the webhook gave it rather than losing the sender.
 */
export function canonicalIdentity(identity: Identity, options: PhoneOptions = {}): Identity {
  if (identity.kind !== 'phone') return identity;
  const value = normalisePhone(identity.value, options) ?? identity.value;
  return value === identity.value ? identity : { ...identity, value };
}

/** The single string under which an identity is stored and looked up. */
export function identityToken(identity: Identity): string {
  return `${identity.kind}#${identity.value}`;
}
