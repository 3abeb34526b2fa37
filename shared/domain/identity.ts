import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Identity } from './envelope.js';

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
  const digitsOnly = international ? /^\d{6,15}$/.test(stripped) : /^\d{11,15}$/.test(stripped);
  const candidate = digitsOnly ? `+${stripped}` : stripped;
  const parsed = parsePhoneNumberFromString(candidate, defaultRegion);
  if (parsed?.isPossible()) return parsed.number;
  // WhatsApp ids are E.164 without the `+`, even when libphonenumber thinks the length is odd
  // (test numbers, new ranges): keep the digits rather than lose the sender.
  if (digitsOnly) return candidate;
  return undefined;
}

/** Lower-cases and trims an email address, stripping a display name (`Jane <Jane@X.com>` → `jane@x.com`). */
export function normaliseEmail(input: string): string | undefined {
  const angle = /<([^<>]+)>/.exec(input);
  const address = (angle?.[1] ?? input).trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? address : undefined;
}

/** The single string under which an identity is stored and looked up. */
export function identityToken(identity: Identity): string {
  return `${identity.kind}#${identity.value}`;
}
