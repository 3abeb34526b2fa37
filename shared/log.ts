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

/** A word of an error's message a log line leaves out: an address, a number, or a long token (a key, a signature). */
function scrubbedWord(word: string): string {
  if (word.includes('@')) return '[address]';
  if (/\d{6}/.test(word.replace(/[\s().-]/g, ''))) return '[number]';
  if (word.length >= 24 && /^[\w+/=.-]+$/.test(word)) return '[redacted]';
  return word;
}

/**
 * An error as a log line carries it: its name and its message, without what may be personal data or
 * a secret (a provider's message may name the recipient's address or number, or echo a key): each word
 * holding an `@`, six digits or more, or a long unbroken token is replaced, and the message is cut to
 * ERROR_MESSAGE_CHARS (read from a bounded part of it, so the work is bounded too).
 */
export function errorFields(error: unknown): { error: string; errorMessage?: string } {
  const name = error instanceof Error ? error.name : typeof error;
  const text = error instanceof Error ? error.message.slice(0, ERROR_MESSAGE_CHARS * 4) : '';
  const scrubbed = text.split(/\s+/).filter(Boolean).map(scrubbedWord).join(' ');
  const errorMessage = scrubbed.slice(0, ERROR_MESSAGE_CHARS);
  return errorMessage ? { error: name, errorMessage } : { error: name };
}
