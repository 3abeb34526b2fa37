import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured logger (JSON lines, Powertools). Log ids and codes only: message text, phone
 * numbers and email addresses are customers' personal data and never go into a log line.
 */
export const logger = new Logger({
  serviceName: 'threadline',
});

/** `logger` by level name: what the resolver, the router and the local queues take as their `log`. */
export function log(
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
): void {
  logger[level](message, fields);
}

/**
 * A provider-derived id as a log line carries it: the first 16 hex digits of its SHA-256. Such ids can
 * hold personal data (an SES status id ends with the recipient's address; a WhatsApp `wamid` is the
 * customer's number in base64); an operator finds an id's lines by hashing the id they hold.
 */
export function loggedId(id: string): string {
  return `sha256:${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}

/** How much of an error's message a log line keeps, in characters. */
const ERROR_MESSAGE_CHARS = 200;

/** An ISO 8601 time as providers write it (`2026-12-07T13:45:00.000Z`): kept, it is no one's number. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** A word of an error's message a log line leaves out: an address, a number, or a long token (a key, a signature). */
function scrubbedWord(word: string): string {
  if (word.includes('@')) return '[address]';
  if (ISO_TIME.test(word.replace(/[,.;:)\]]+$/, ''))) return word;
  if (/\d{6}/.test(word.replace(/[\s().-]/g, ''))) return '[number]';
  if (word.length >= 24 && /^[\w+/=.-]+$/.test(word)) return '[redacted]';
  return word;
}

/**
 * Digit groups written apart (`+1 650 555 0000`, `(650) 555-0000`, `+33 6 12 34 56 78`): a `+` or not,
 * groups of 1 to 4 digits (one may be in brackets), each after one space, dot or dash. Every quantifier
 * is bounded and a group can end only before a separator, so each start is tried over at most some 40
 * characters: linear in the text.
 */
const SPACED_NUMBER = /(?<![\w+])\+?(?:\(\d{1,4}\)|\d{1,4})(?:[ .-](?:\(\d{1,4}\)|\d{1,4})){1,7}(?!\w)/g;

/**
 * `text` with each run of digit groups that holds a phone number's 8 to 15 digits as `[number]`: the
 * words alone are too short to be taken for one. Fewer digits (`1 200 ms`, `3 of 12`) are kept.
 */
export function withoutSpacedNumbers(text: string): string {
  return text.replace(SPACED_NUMBER, (run) => {
    const digits = run.replace(/\D/g, '').length;
    return digits >= 8 && digits <= 15 ? '[number]' : run;
  });
}

/**
 * An error as a log line carries it: its name and its message, without what may be personal data or
 * a secret (a provider's message may name the recipient's address or number, or echo a key): each word
 * holding an `@`, six digits or more, or a long unbroken token is replaced (an ISO time is kept), as is
 * a number written in groups (withoutSpacedNumbers), and the message is cut to
 * ERROR_MESSAGE_CHARS (read from a bounded part of it, so the work is bounded too).
 */
export function errorFields(error: unknown): { error: string; errorMessage?: string } {
  const name = error instanceof Error ? error.name : typeof error;
  const text = error instanceof Error ? error.message.slice(0, ERROR_MESSAGE_CHARS * 4) : '';
  const scrubbed = withoutSpacedNumbers(text).split(/\s+/).filter(Boolean).map(scrubbedWord).join(' ');
  const errorMessage = scrubbed.slice(0, ERROR_MESSAGE_CHARS);
  return errorMessage ? { error: name, errorMessage } : { error: name };
}
