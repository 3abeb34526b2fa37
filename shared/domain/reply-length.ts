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
 * WhatsApp's is the Cloud API's 4,096 (a deployment that sends WhatsApp through Twilio has Twilio
 * refuse one over 1,600 at send time, as before).
 */
export const REPLY_TEXT_LIMITS: Readonly<Partial<Record<Channel, number>>> = {
  ...TEXT_LIMITS,
  whatsapp: 4096,
};

/**
 * Refuses a reply whose text the channel's provider would refuse (422 `text_too_long`), before anything
 * is written or queued: the provider would take nothing, and the customer would hear nothing. Answers
 * the channel when the text fits.
 */
export function checkReplyLength(channel: Channel, text: string | undefined): Channel {
  const limit = REPLY_TEXT_LIMITS[channel];
  if (limit === undefined || text === undefined || text.length <= limit) return channel;
  throw new UnprocessableError(
    `the reply is ${text.length} characters; ${channel} takes at most ${limit} in one message: shorten it or send it as several replies`,
    'text_too_long',
  );
}
