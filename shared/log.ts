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
