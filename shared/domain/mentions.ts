import { asciiDigits } from './digits.js';
import type { Identity } from './envelope.js';
import { normaliseEmail, normalisePhone, type PhoneOptions } from './identity.js';

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
// Digits with the separators people type: +1 (415) 555-0100, 415.555.0100, 07700 900123.
const PHONE = /\+?\d[\d\s().-]{6,20}\d/g;
const MAX_MENTIONS = 5;
/**
 * How many identities one customer may be remembered as mentioning. The profile lists them (so an
 * erasure finds their mention items); past this many, new ones are not recorded, so the profile does
 * not grow with the messages. A customer who names a hundred others' numbers is no evidence anyway.
 */
export const MENTIONED_MAX = 100;

/**
 * How many other customers who mentioned an identity nobody holds a new mentioner meets (a merge
 * suggestion with each): past this many, the identity is nobody's in particular (a shop's own address
 * quoted in signatures, a courier's number) and raises no suggestion between its mentioners.
 */
export const MENTION_PEERS_MAX = 5;

/** Whether a mention of `token` may be recorded for a customer who mentioned `known` already. */
export function mayRecordMention(known: readonly string[] | undefined, token: string): boolean {
  return !known || known.length < MENTIONED_MAX || known.includes(token);
}
const MAX_TEXT = 20_000;
// Each phone candidate is parsed: a text of a thousand digit runs is not parsed a thousand times.
const MAX_PHONE_CANDIDATES = 50;

/**
 * Identifiers a customer wrote in a message (an email address in a DM, a phone number in a signature).
 * They are evidence for a merge suggestion, never a reason to merge on their own.
 */
export function mentionedIdentities(text: string | undefined, phone: PhoneOptions): Identity[] {
  if (!text) return [];
  // A number written in Arabic-Indic digits is found as the number it is (`+٩٧١ ٥٠ ١٢٣ ٤٥٦٧`).
  const sample = asciiDigits(text.slice(0, MAX_TEXT));
  const found = new Map<string, Identity>();
  for (const match of sample.matchAll(EMAIL)) {
    const value = normaliseEmail(match[0]);
    if (value) found.set(`email#${value}`, { kind: 'email', value });
  }
  let candidates = 0;
  for (const match of sample.replace(EMAIL, ' ').matchAll(PHONE)) {
    if (++candidates > MAX_PHONE_CANDIDATES) break;
    const digits = match[0].replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) continue;
    const value = normalisePhone(match[0], phone);
    if (value) found.set(`phone#${value}`, { kind: 'phone', value });
  }
  return [...found.values()].slice(0, MAX_MENTIONS);
}

/** How many Reply-To addresses of one email become evidence (a form names one customer). */
const MAX_REPLY_TO_EVIDENCE = 2;

/**
 * The Reply-To addresses of an inbound email other than its sender's: where the answer goes, written
 * by the sender and vouched for by nobody (SPF, DKIM and DMARC cover the From), so evidence for a
 * merge suggestion, never an identity.
 */
export function replyToIdentities(envelope: {
  kind: string;
  channel?: string;
  data?: Record<string, unknown> | undefined;
}): Identity[] {
  const listed =
    envelope.kind === 'message' && envelope.channel === 'email' ? envelope.data?.replyToAddresses : undefined;
  if (!Array.isArray(listed)) return [];
  const found: Identity[] = [];
  for (const address of listed.slice(0, MAX_REPLY_TO_EVIDENCE)) {
    const value = typeof address === 'string' ? normaliseEmail(address) : undefined;
    if (value) found.push({ kind: 'email', value });
  }
  return found;
}
