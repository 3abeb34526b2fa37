import { UnprocessableError } from '../../errors.js';
import type { Channel } from '../envelope.js';
import { replyChannel } from '../reply-channel.js';
import type { Customer } from '../timeline.js';

/** Whether a link is one the visitor may open from the chat: https only (no javascript:, data: or http:). */
export function isHttpsLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The channel of a reply, once its files may go there: a web-chat visitor opens a reply's file by its
 * link, so each must be an https link (not `javascript:`, `data:` or `http:`); 422
 * `webchat_attachment_not_https` otherwise, before anything is stored. Other channels' senders fetch
 * or attach the file themselves.
 */
export function withSafeAttachments(channel: Channel, attachments: ReadonlyArray<{ url: string }>): Channel {
  const bad = channel === 'webchat' ? attachments.find((a) => !isHttpsLink(a.url)) : undefined;
  if (bad) {
    throw new UnprocessableError(
      `a web-chat visitor opens a file by its link, so it must be https: ${bad.url.slice(0, 80)}`,
      'webchat_attachment_not_https',
    );
  }
  return channel;
}

/** A reply's channel (replyChannel), refused when its files may not go there (withSafeAttachments). */
export const replyChannelOf = (
  customer: Customer,
  request: { channel?: Channel | undefined; attachments: ReadonlyArray<{ url: string }> },
  profiles: readonly Customer[] = [customer],
): Channel => withSafeAttachments(replyChannel(customer, request.channel, profiles), request.attachments);
