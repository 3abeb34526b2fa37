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
