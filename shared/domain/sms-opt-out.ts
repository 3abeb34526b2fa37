import type { Channel } from './envelope.js';
import type { ContactState } from './resolver-ports.js';
import { WHATSAPP_STATE } from './whatsapp-opt-out.js';

/** Twilio's error for a text to a number that texted STOP to ours ("attempt to send to unsubscribed recipient"). */
export const TWILIO_UNSUBSCRIBED = '21610';

/** The reason of an opt-out Twilio's 21610 told of: what the consent events tell as `provider_opt_out`. */
export const UNSUBSCRIBED_REASON = `STOP reported by Twilio error ${TWILIO_UNSUBSCRIBED}`;

/**
 * The opt-out a refused SMS tells of: Twilio refused it (at the send, or on its `failed` status) as sent
 * to a number that texted STOP to ours, perhaps a STOP we never saw. Recorded as a STOP is, so agents,
 * the AI and automations stop writing there, and a later START lifts it. `at` is the reply's own time,
 * the same on every delivery of the refusal, so a resend after the customer's START never outranks it;
 * `source` names the refusal (the status envelope, or the reply). Toward `from`, our number the text
 * went from (Twilio refuses per sending number); of the whole address when it is not known, so
 * nothing goes to the customer from any number of ours until a START. Undefined for any other failure.
 */
export function unsubscribedState(
  refusal: { channel: Channel; codes: readonly string[]; from?: string | undefined },
  at: string,
  source: string,
): ContactState | undefined {
  if (refusal.channel !== 'sms' && refusal.channel !== 'voice') return undefined;
  if (!refusal.codes.includes(TWILIO_UNSUBSCRIBED)) return undefined;
  return {
    blocked: true,
    reason: UNSUBSCRIBED_REASON,
    at,
    envelopeId: source,
    ...(refusal.from ? { number: refusal.from } : {}),
  };
}

/**
 * The state a message from our number `from` to an address meets, of the states recorded for that
 * address (`states`: one for the address as a whole, one per number of ours the customer texted STOP
 * or START to). Per number, the latest of these wins: that number's own state, and a block of the
 * whole address (an email suppression; a STOP stored before opt-outs were kept per number, or one that
 * named none of our numbers). So an old STOP holds for every number of ours until the customer texts
 * START to the one we would write from, and a START to one number never lifts a STOP sent to another.
 * With no `from` (a message from the configured number, not known here): the latest block of any
 * number, so nothing goes to someone who opted out of the number it might go from. WhatsApp's state
 * (`from` WHATSAPP_STATE) is its own alone: it and the SMS states never stand for each other.
 */
export function contactStateFor(
  all: readonly ContactState[],
  from: string | undefined,
): ContactState | undefined {
  if (from === WHATSAPP_STATE) return all.find((s) => s.number === WHATSAPP_STATE);
  const states = all.filter((s) => s.number !== WHATSAPP_STATE);
  const whole = states.find((s) => s.number === undefined);
  const candidates =
    from === undefined
      ? states.filter((s) => s.blocked)
      : states.filter((s) => s.number === from || (s.number === undefined && s.blocked));
  const latest = candidates.reduce<ContactState | undefined>(
    (a, b) => (!a || b.at > a.at ? b : a),
    undefined,
  );
  return latest ?? (from === undefined ? whole : undefined);
}

/**
 * Why an SMS may not go: the customer opted out of the number of ours it would go from (named), or
 * (an opt-out stored before they were kept per number, or one that named none of ours) of all of them.
 */
export function optedOutDetail(blocked: { reason: string; at: string; number?: string | undefined }): string {
  const why = `${blocked.reason}, ${blocked.at}`;
  return blocked.number
    ? `the customer opted out of SMS from our number ${blocked.number}, which this reply would go from (${why}): they must text START to ${blocked.number} before we may write from it`
    : `the customer opted out of SMS on this number (${why}; recorded for none of our numbers in particular, so it holds for all): they must text START to the number we write from before we may write`;
}
