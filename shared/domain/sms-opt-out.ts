import type { Channel } from './envelope.js';
import type { ContactState } from './resolver-ports.js';

/** Twilio's error for a text to a number that texted STOP to ours ("attempt to send to unsubscribed recipient"). */
export const TWILIO_UNSUBSCRIBED = '21610';

/**
 * The opt-out a refused SMS tells of: Twilio refused it (at the send, or on its `failed` status) as sent
 * to a number that texted STOP to ours, perhaps a STOP we never saw. Recorded as a STOP is, so agents,
 * the AI and automations stop writing there, and a later START lifts it. `at` is the reply's own time,
 * the same on every delivery of the refusal, so a resend after the customer's START never outranks it;
 * `source` names the refusal (the status envelope, or the reply). Undefined for any other failure.
 */
export function unsubscribedState(
  refusal: { channel: Channel; codes: readonly string[] },
  at: string,
  source: string,
): ContactState | undefined {
  if (refusal.channel !== 'sms' && refusal.channel !== 'voice') return undefined;
  if (!refusal.codes.includes(TWILIO_UNSUBSCRIBED)) return undefined;
  return {
    blocked: true,
    reason: `STOP reported by Twilio error ${TWILIO_UNSUBSCRIBED}`,
    at,
    envelopeId: source,
  };
}
