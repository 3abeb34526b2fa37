import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { unicodeEmail } from './addresses.js';
import { asciiDigits } from './digits.js';
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
 * Digits-only input of 11+ digits is a national number of `defaultRegion` when it is one as written
 * there (`nationalAsWritten`: a Brazilian mobile `21988197564`), else international (an id that
 * carries the country code without its `+`); `international` (a WhatsApp `wa_id`) always is.
 */
export function normalisePhone(input: string, options: PhoneOptions = {}): string | undefined {
  const { defaultRegion = 'US', international = false } = options;
  // A number typed with Arabic-Indic digits (`+٩٧١ ٥٠ ١٢٣ ٤٥٦٧`) is the same number.
  const stripped = asciiDigits(input.trim()).replace(/^(whatsapp|tel|sms):/i, '');
  if (stripped.length === 0 || stripped.length > 40) return undefined;
  // A leading 0 is a trunk prefix (`020 7946 0958`), never a country code.
  const digitsOnly = international ? /^[1-9]\d{5,14}$/.test(stripped) : /^[1-9]\d{10,14}$/.test(stripped);
  const national = digitsOnly && !international ? nationalAsWritten(stripped, defaultRegion) : undefined;
  if (national) return national;
  const candidate = digitsOnly ? `+${stripped}` : stripped;
  const parsed = parsePhoneNumberFromString(candidate, defaultRegion);
  if (parsed?.isPossible()) return parsed.number;
  // WhatsApp ids are E.164 without the `+`, even when libphonenumber thinks the length is odd
  // (test numbers, new ranges): keep the digits rather than lose the sender.
  if (digitsOnly) return candidate;
  return legacyWithPlus(stripped);
}

/**
 * The E.164 form of bare digits read as a national number of `region`, when they are one there as
 * people there write it: valid for the region, and its national format has the same digits (Brazil's
 * `(21) 98819-7564` for `21988197564`, Russia's `8 (912) 345-67-89`). Not where the format writes a
 * trunk prefix the digits lack (`4915112345678` in Germany is `04915…` at home: the number of +49),
 * nor what no national format fits (`12025550123` in Germany): those stay international, as before.
 * Digits starting with the region's own country code and a valid number after it are that number.
 */
function nationalAsWritten(digits: string, region: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(digits, region);
  if (!parsed?.isValid()) return undefined;
  const written = parsed.formatNational();
  return written !== digits && written.replace(/\D/g, '') === digits ? parsed.number : undefined;
}

/**
 * A WhatsApp id of an older numbering plan typed with its `+` (`+5215512345678`, `+52 1 55 1234 5678`:
 * the form a profile shows a Mexican WhatsApp address in), which libphonenumber refuses though the
 * number it stands for is one: kept as written, so `phoneIdentityKey` finds the number as dialled
 * today. Any other number libphonenumber refuses stays refused. Bounded input, no nested quantifier.
 */
function legacyWithPlus(written: string): string | undefined {
  if (!/^\+[\d\s().-]{7,30}$/.test(written)) return undefined;
  const e164 = `+${written.replace(/\D/g, '')}`;
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) return undefined;
  const key = phoneIdentityKey(e164);
  return key !== e164 && parsePhoneNumberFromString(key)?.isPossible() ? e164 : undefined;
}

/**
 * A Brazilian mobile number of the eight-digit plan: 55, a two-digit area code (no 0 in it), and eight
 * digits starting 6 to 9 (landlines start 2 to 5). Since 2016 every such mobile is dialled with a 9
 * before them, but WhatsApp ids registered before keep the eight digits (`554188887777` for the
 * number +55 41 98888-7777). Fixed-length input, no nested quantifier: linear.
 */
const BRAZIL_EIGHT_DIGIT_MOBILE = /^\+55([1-9]{2})([6-9]\d{7})$/;
/** The same mobile in the nine-digit plan: area code, 9, then the eight digits. */
const BRAZIL_NINE_DIGIT_MOBILE = /^\+55([1-9]{2})9([6-9]\d{7})$/;
/**
 * A Mexican number with the `1` that once marked a mobile dialled from abroad (dropped from dialling in
 * 2019); WhatsApp ids registered before keep it (`5215512345678` for the number +52 55 1234 5678).
 */
const MEXICO_WITH_MOBILE_1 = /^\+521(\d{10})$/;
const MEXICO_TEN_DIGITS = /^\+52(\d{10})$/;
/**
 * An Argentine mobile as WhatsApp writes its id (`5491123456789`), and as a call from abroad dials it:
 * 54, the 9 that marks a mobile, then the ten-digit national number (its area code starts 1 to 3). The
 * same line texts as 54 and the ten digits without the 9; written at home with the `15` before the
 * local number (`011 15 2345-6789`), libphonenumber already reads it as the 9 form.
 */
const ARGENTINA_WITH_MOBILE_9 = /^\+549([1-3]\d{9})$/;
/** An Argentine number of ten national digits with an area code: a landline, or a mobile as texted. */
const ARGENTINA_TEN_DIGITS = /^\+54([1-3]\d{9})$/;

/**
 * The one form a phone number's identity is keyed under, whichever form a channel wrote: the number
 * as dialled today. WhatsApp ids of Brazilian mobiles without their ninth digit, of Mexican ones with
 * the old `1`, and of Argentine ones with the mobile 9, are the same person as the number their SMS
 * comes from; the provider's own form is kept apart for sending (see `whatsappAddressOf`).
 */
export function phoneIdentityKey(e164: string): string {
  const brazil = BRAZIL_EIGHT_DIGIT_MOBILE.exec(e164);
  if (brazil) return `+55${brazil[1]}9${brazil[2]}`;
  const mexico = MEXICO_WITH_MOBILE_1.exec(e164);
  if (mexico) return `+52${mexico[1]}`;
  const argentina = ARGENTINA_WITH_MOBILE_9.exec(e164);
  if (argentina) return `+54${argentina[1]}`;
  return e164;
}

/**
 * The other forms an identity keyed `key` may have been stored under by earlier versions, which keyed
 * a WhatsApp id as WhatsApp wrote it: looked up after the key misses, so those customers are still found.
 */
export function earlierPhoneKeys(key: string): string[] {
  const brazil = BRAZIL_NINE_DIGIT_MOBILE.exec(key);
  if (brazil) return [`+55${brazil[1]}${brazil[2]}`];
  const mexico = MEXICO_TEN_DIGITS.exec(key);
  if (mexico) return [`+521${mexico[1]}`];
  const argentina = ARGENTINA_TEN_DIGITS.exec(key);
  if (argentina) return [`+549${argentina[1]}`];
  return [];
}

/**
 * The identities an identity's key may have been stored under before: a phone's earlier forms, and an
 * email address with an internationalised domain as written (versions before Punycode keys kept
 * `user@münchen.de` as it came).
 */
export function earlierIdentities(identity: Identity): Identity[] {
  if (identity.kind === 'email') {
    const written = unicodeEmail(identity.value);
    return written === identity.value ? [] : [{ kind: 'email', value: written }];
  }
  if (identity.kind !== 'phone') return [];
  return earlierPhoneKeys(identity.value).map((value) => ({ kind: 'phone', value }));
}

/**
 * The identity as the resolver stores and looks it up: a phone number in canonical E.164 (a national
 * number read in `defaultRegion`) in its one key form (`phoneIdentityKey`), anything else as it is. A
 * number libphonenumber does not know (a test range, a new range) keeps the shape the webhook gave it
 * rather than losing the sender.
 */
export function canonicalIdentity(identity: Identity, options: PhoneOptions = {}): Identity {
  if (identity.kind !== 'phone') return identity;
  const value = phoneIdentityKey(normalisePhone(identity.value, options) ?? identity.value);
  return value === identity.value ? identity : { ...identity, value };
}

/**
 * The number to send WhatsApp messages to when the provider's id is not the identity's key (a
 * Brazilian id without its ninth digit, a Mexican one with its `1`, an Argentine one with its 9):
 * WhatsApp delivers to its own id.
 * Undefined when the key is the id, or for anything but a phone.
 */
export function whatsappAddressOf(identity: Identity, options: PhoneOptions = {}): string | undefined {
  if (identity.kind !== 'phone') return undefined;
  const e164 = normalisePhone(identity.value, options) ?? identity.value;
  return phoneIdentityKey(e164) === e164 ? undefined : e164;
}

/** The single string under which an identity is stored and looked up. */
export function identityToken(identity: Identity): string {
  return `${identity.kind}#${identity.value}`;
}

/**
 * The token of an address as a stored item carries it (a reply's `to`, a message's `from`): a phone in
 * its key form, so it meets the identity it came through whatever form the provider wrote it in.
 */
export function addressToken(address: Identity): string {
  const value = address.kind === 'phone' ? phoneIdentityKey(address.value) : address.value;
  return identityToken({ kind: address.kind, value });
}
