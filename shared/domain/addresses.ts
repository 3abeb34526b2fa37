import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * Address normalisation cheap enough for the webhooks: no phone metadata, no dependencies. The
 * resolver canonicalises phone numbers fully (libphonenumber-js, see identity.ts) before it stores or
 * looks anything up, so a webhook only has to keep what the provider sent in a stable shape.
 */

/** Longest phone string we look at; anything longer is not a phone number. */
const MAX_PHONE_CHARS = 40;

/** `+` and digits, or digits alone. */
const DIGITS = /^(\+?)(\d+)$/;

/**
 * A phone number as a provider sends it (Twilio's `+14155550100` or `whatsapp:+14155550100`,
 * WhatsApp's `wa_id` `14155550100`, with or without spaces, dashes, dots or brackets) in the shape
 * the resolver canonicalises: `+` and the digits when the number carries its country code (a `+`,
 * `international`, or 11 to 15 bare digits not starting with 0), else the bare national digits.
 * Undefined when it is not a phone number at all (letters, too few or too many digits, a country
 * code starting with 0).
 */
export function providerPhone(input: string, options: { international?: boolean } = {}): string | undefined {
  // Most providers send `+` and digits, or digits alone: nothing to strip (and no regex to run for it).
  const match = DIGITS.exec(input) ?? DIGITS.exec(compacted(input) ?? '');
  if (!match) return undefined;
  const [, plus, digits = ''] = match;
  // No country calling code starts with 0.
  if (plus || options.international) {
    return digits.length >= 6 && digits.length <= 15 && !digits.startsWith('0') ? `+${digits}` : undefined;
  }
  if (digits.length >= 11 && digits.length <= 15 && !digits.startsWith('0')) return `+${digits}`;
  // A national number (`020 7946 0958`, `(415) 555-0100`): the resolver reads it in DEFAULT_REGION.
  return digits.length >= 6 && digits.length <= 15 ? digits : undefined;
}

/** A phone number as written, without its scheme, spaces, brackets, dots and dashes. */
function compacted(input: string): string | undefined {
  const stripped = input.trim().replace(/^(whatsapp|tel|sms):/i, '');
  if (stripped.length === 0 || stripped.length > MAX_PHONE_CHARS) return undefined;
  // `+44 (0) 20 …`: the bracketed trunk prefix is not dialled from abroad.
  return stripped.replace(/^(\+\d{1,3})\s*\(0\)/, '$1').replace(/[\s().-]/g, '');
}

/**
 * Longest email address SMTP carries (RFC 5321: a 256-octet path, less its angle brackets). The check
 * below runs on no more than this, whatever a sender put in From or Reply-To.
 */
export const MAX_EMAIL_CHARS = 254;

/** One `@` with no whitespace around it: `[^\s@]` cannot match the `@`, so there is nothing to backtrack. */
const MAILBOX = /^[^\s@]+@[^\s@]+$/;

/** Printable ASCII only: a domain already in the form an internationalised one is converted to. */
const ASCII = /^[\x21-\x7e]*$/;

/**
 * Lower-cases and trims an email address, stripping a display name (`Jane <Jane@X.com>` → `jane@x.com`),
 * its domain in ASCII: an internationalised domain in Punycode (`user@münchen.de` →
 * `user@xn--mnchen-3ya.de`, `url.domainToASCII`, UTS #46), so both ways of writing it are one
 * address. The local part is only lower-cased. Undefined unless it is one `@` between non-blank text,
 * with a dot inside the domain, and at most MAX_EMAIL_CHARS long (a longer one is refused before any
 * pattern runs). A domain Punycode cannot take, or would make too long, stays as written.
 */
export function normaliseEmail(input: string): string | undefined {
  const written = (bracketed(input) ?? input).trim().toLowerCase();
  if (written.length > MAX_EMAIL_CHARS || !MAILBOX.test(written)) return undefined;
  const at = written.indexOf('@');
  const typed = written.slice(at + 1);
  const ascii = ASCII.test(typed) ? '' : domainToASCII(typed);
  const address =
    ascii && at + 1 + ascii.length <= MAX_EMAIL_CHARS ? `${written.slice(0, at)}@${ascii}` : written;
  const domain = address.slice(at + 1);
  // A dot with something on both sides of it inside the domain.
  const dot = domain.indexOf('.', 1);
  return dot > 0 && dot < domain.length - 1 ? address : undefined;
}

/**
 * An address whose domain is in Punycode (`xn--` labels) as people write it (`user@münchen.de`); the
 * address itself otherwise. For display, and for the key earlier versions stored such an address under.
 */
export function unicodeEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || !address.includes('xn--', at)) return address;
  const unicode = domainToUnicode(address.slice(at + 1));
  return unicode ? `${address.slice(0, at)}@${unicode}` : address;
}

/** The first non-empty `<…>` holding no other bracket, found in one pass without a pattern. */
function bracketed(input: string): string | undefined {
  let open = input.indexOf('<');
  while (open >= 0) {
    const close = input.indexOf('>', open + 1);
    if (close < 0) return undefined;
    const last = input.lastIndexOf('<', close - 1);
    if (close - last > 1) return input.slice(last + 1, close);
    open = input.indexOf('<', close + 1);
  }
  return undefined;
}
