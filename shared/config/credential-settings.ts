import * as z from 'zod/mini';
import { refinedBy } from './refined-by.js';

/**
 * The checks of the provider credentials and signing secrets (see ConfigSchema): each answers why a
 * value cannot work, naming what to write instead, or undefined when it can. They were checked only
 * for being there, so `npm run check-secret` said ok to a value every request or send then failed
 * with. A message never repeats the value: it is a secret. A space or line break around a value is
 * refused, not trimmed: the value is used exactly as written, so what is checked is what is used.
 */

/** Why a secret of text has whitespace that cannot be part of it, or undefined when it has none. */
export function secretTextProblem(value: string): string | undefined {
  if (/^\s|\s$/.test(value))
    return 'has a space or line break at its start or end (pasted with it?): remove it, the value is used as written';
  if (/[\s\p{Cc}]/u.test(value)) return 'has a space or line break inside: a token is one unbroken string';
  return undefined;
}

/** WHATSAPP_ACCESS_TOKEN, META_PAGE_ACCESS_TOKEN: the token alone (Threadline writes `Bearer ` itself). */
export function accessTokenProblem(value: string): string | undefined {
  if (/^\s*bearer\s/i.test(value)) return 'the token alone, without "Bearer " before it (Threadline adds it)';
  return secretTextProblem(value);
}

/** TWILIO_ACCOUNT_SID: `AC` and 32 hexadecimal digits (Twilio Console, Account Info). */
export function accountSidProblem(value: string): string | undefined {
  if (/^AC[0-9a-f]{32}$/i.test(value)) return undefined;
  const spaced = secretTextProblem(value);
  if (spaced) return spaced;
  if (/^SK/i.test(value))
    return 'the Account SID (AC and 32 hexadecimal digits), not an API key SID (SK…): Threadline signs in with the Auth Token';
  return 'the Account SID: AC and 32 hexadecimal digits (Twilio Console, Account Info)';
}

/** One address: `local@domain.tld`, with a dot in the domain. */
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;".]+(?:\.[^\s@<>,;".]+)+$/;
/** `Name <address>`, the name quoted or not. */
const NAMED = /^(?:"(?:[^"\\]|\\.)*"|[^"<>,;@]*)\s*<([^<>]*)>$/;

/** SES_FROM_ADDRESS: one address, `support@shop.example` or `Shop Support <support@shop.example>`. */
export function sesFromProblem(value: string): string | undefined {
  if (/^\s|\s$/.test(value)) return secretTextProblem(value);
  if (value.length > 320) return 'one email address of at most 320 characters';
  const address = NAMED.exec(value)?.[1] ?? value;
  if (ADDRESS.test(address)) return undefined;
  if ((value.match(/@/g) ?? []).length > 1)
    return 'one address only, not a list: the address every email reply is sent from';
  return 'an email address such as support@shop.example, or Shop Support <support@shop.example>, verified in SES';
}

/**
 * CSAT_SIGNING_SECRET: the secret that signs new survey links, then the earlier ones that still verify
 * the links they signed, comma-separated (a space after a comma is the separator's), each 32+ characters.
 */
export function csatSecretsOf(value: string): string[] {
  return value.split(',').map((entry) => entry.trim());
}

/** Why a CSAT_SIGNING_SECRET list cannot be used, or undefined when it can. */
export function csatSecretsProblem(value: string): string | undefined {
  const entries = csatSecretsOf(value);
  if (entries.length > CSAT_SECRETS_MAX)
    return `at most ${CSAT_SECRETS_MAX} secrets, comma-separated: the current one first, then earlier ones still verifying links`;
  const index = entries.findIndex((entry) => entry.length < 32 || /[\s\p{Cc}]/u.test(entry));
  if (index < 0) return undefined;
  const which = entries.length === 1 ? '' : `secret ${index + 1} of ${entries.length}: `;
  return `${which}at least 32 characters, no spaces (comma-separated, the current one first)`;
}

/** How many CSAT secrets verify at once: the current one and two earlier. */
export const CSAT_SECRETS_MAX = 3;

/** A provider token or secret: no whitespace around or in it. */
export const secretText = z.string().check(z.minLength(1), refinedBy(secretTextProblem));

/** An access token sent as `Bearer <token>`: the token alone. */
export const accessToken = z.string().check(z.minLength(1), refinedBy(accessTokenProblem));

/** CSAT_SIGNING_SECRET as a list: the current secret first. */
export const csatSigningSecrets = z.pipe(
  z.string().check(refinedBy(csatSecretsProblem)),
  z.transform(csatSecretsOf),
);
