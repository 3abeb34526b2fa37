import type { ProviderError } from '#shared/domain/envelope.js';

/**
 * A failed message's reason as the timeline shows it: the provider's words, its code, and what the
 * code means when Threadline knows it (Meta's own text may be as bare as "Message Undeliverable.").
 */
export function failureText(error: ProviderError): string {
  const words = error.message ?? error.title;
  const said = words ? `${words} (code ${error.code})` : `code ${error.code}`;
  return error.hint ? `${said}: ${error.hint}` : said;
}
