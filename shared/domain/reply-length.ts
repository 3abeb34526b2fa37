import { UnprocessableError } from '../errors.js';
import type { Channel } from './envelope.js';

/**
 * The longest text each channel's provider takes in one message, as JavaScript counts it (UTF-16 code
 * units: an emoji is 2, as Twilio counts it more than once): Twilio's 1,600 for SMS (error 21617; a
 * caller is answered by SMS) and for WhatsApp through Twilio, under the Cloud API's 4,096 so either
 * provider takes it; Messenger's 2,000; Instagram's 1,000. Email and web chat have none of ours.
 */
export const TEXT_LIMITS: Readonly<Partial<Record<Channel, number>>> = {
  sms: 1600,
  voice: 1600,
  whatsapp: 1600,
  messenger: 2000,
  instagram: 1000,
};

/**
 * Why an AI answer cannot go out on a channel in one message, or undefined when it can: the provider
 * would refuse it after the AI had answered, and the customer would hear nothing.
 */
export function overTextLimit(channel: Channel, text: string): string | undefined {
  const limit = TEXT_LIMITS[channel];
  if (limit === undefined || text.length <= limit) return undefined;
  return `the AI's answer (${text.length} characters) is longer than ${channel} takes in one message (${limit}); a person must answer`;
}

/**
 * The longest text a reply may carry on each channel: the providers' own limits (TEXT_LIMITS), but
 * WhatsApp's is the Cloud API's 4,096; a customer whose WhatsApp came through Twilio has Twilio's
 * 1,600 (`replyTextLimit`).
 */
export const REPLY_TEXT_LIMITS: Readonly<Partial<Record<Channel, number>>> = {
  ...TEXT_LIMITS,
  whatsapp: 4096,
};

/** Twilio's limit of one message, WhatsApp through Twilio included (error 21617). */
const TWILIO_TEXT_LIMIT = 1600;

/**
 * The longest text a reply to this customer may carry on the channel: REPLY_TEXT_LIMITS, but WhatsApp's
 * is Twilio's 1,600 when the customer's latest WhatsApp message came through Twilio (`whatsappProvider`:
 * a deployment that takes WhatsApp through Twilio sends it through Twilio). Undefined: no limit of ours.
 */
export function replyTextLimit(
  channel: Channel,
  customer?: { whatsappProvider?: string | undefined },
): number | undefined {
  if (channel === 'whatsapp' && customer?.whatsappProvider === 'twilio') return TWILIO_TEXT_LIMIT;
  return REPLY_TEXT_LIMITS[channel];
}

/** A count as written for people: 1,602. */
const counted = (n: number): string => n.toLocaleString('en-US');

/**
 * Refuses a reply whose text the channel's provider would refuse (422 `text_too_long`), before anything
 * is written or queued: the provider would take nothing, and the customer would hear nothing. The
 * limit is the customer's (`replyTextLimit`), counted in UTF-16 units as JavaScript counts (an emoji is
 * 2: Twilio says such characters take more room, so it is the safe count), and the error says so.
 * Answers the channel when the text fits.
 */
export function checkReplyLength(
  channel: Channel,
  text: string | undefined,
  customer?: { whatsappProvider?: string | undefined },
): Channel {
  const limit = replyTextLimit(channel, customer);
  if (limit === undefined || text === undefined || text.length <= limit) return channel;
  throw new UnprocessableError(
    `the reply is ${counted(text.length)} UTF-16 units (an emoji counts as 2); ${channel} takes at most ${counted(limit)} in one message: shorten it or send it as several replies`,
    'text_too_long',
  );
}
