import { eld } from 'eld/small';

/**
 * The ISO 639-1 language of a text when the detector (eld) is sure of it; short texts such as "hi"
 * or "agent" give no reliable answer, and then none is claimed. The knowledge-base responder reads
 * the customer's messages with it, and routing a message handed to a person before the AI read it.
 * The detector reads a text's first 1,000 characters only, so a long email costs what a short one does.
 */
export function detectLanguage(text: string): string | undefined {
  const result = eld.detect(text);
  return result.language && result.isReliable() ? result.language : undefined;
}
