import type { Channel } from '#shared/domain/envelope.js';
import { REPLY_TEXT_LIMITS } from '#shared/domain/reply-length.js';
import { smsSegments } from '#shared/domain/sms-segments.js';
import type { ChannelOption } from './api.js';
import { channelName } from './format.js';

const counted = (n: number): string => n.toLocaleString('en-US');

/** The limit the API gave for this customer (`maxLength`), else the channel's; undefined: none. */
function limitOf(option: ChannelOption | undefined): number | undefined {
  const channel = option?.channel;
  return option?.maxLength ?? (channel ? REPLY_TEXT_LIMITS[channel as Channel] : undefined);
}

/**
 * Why the reply's text cannot go out on the channel in one message (the API would refuse it with
 * `text_too_long`), said while typing, or undefined when it fits: the limit the API gave for this
 * customer (`maxLength`: Twilio's 1,600 for a WhatsApp customer reached through Twilio), else the
 * channel's. Counted as the API counts: UTF-16 units, an emoji 2.
 */
export function overLimit(option: ChannelOption | undefined, text: string): string | undefined {
  const limit = limitOf(option);
  if (limit === undefined || text.length <= limit) return undefined;
  return `${text.length} characters (an emoji counts as 2): ${channelName(option?.channel)} takes at most ${limit} in one message. Shorten it by ${text.length - limit}, or send it as several replies.`;
}

/**
 * What the agent is told under a reply that fits: for SMS (a caller is answered by SMS) the segments it
 * goes as and whether as Unicode (`smsSegments`: each segment is billed); near the limit (the last
 * tenth), the room left. Undefined when there is nothing to say.
 */
export function lengthGuide(option: ChannelOption | undefined, text: string): string | undefined {
  const said: string[] = [];
  const channel = option?.channel;
  if ((channel === 'sms' || channel === 'voice') && text) {
    const { encoding, segments } = smsSegments(text);
    const how =
      encoding === 'GSM-7'
        ? ' (GSM-7)'
        : ', sent as Unicode (UCS-2: 70 a message, 67 a segment; an emoji counts as 2)';
    said.push(`${segments} SMS segment${segments === 1 ? '' : 's'}${how}.`);
  }
  const limit = limitOf(option);
  if (limit !== undefined && text.length <= limit && limit - text.length <= limit / 10)
    said.push(`${counted(limit - text.length)} of ${counted(limit)} left.`);
  return said.length ? said.join(' ') : undefined;
}
