import { configuredSenders } from '../channels/senders.js';
import { type LiveSessions, WebchatSender } from '../channels/webchat/send.js';
import type { Config } from '../config/config.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import { systemClock } from '../domain/ports.js';
import { sqsEnvelopeQueue } from './envelope-queue.js';

/**
 * The senders of the functions that send replies on AWS: the providers whose credentials are set, and
 * the web chat, whose "send" reports the stored reply `delivered` through the inbound queue (the
 * visitor's panel and socket read it from the timeline). Without the queue a web-chat reply would be
 * recorded `failed` as a channel with no credentials. `sessions`: the web chat's session links, so a
 * reply to an anonymous visitor whose chat ended is refused, not reported `delivered`.
 */
export function lambdaSenders(
  config: Config,
  sessions?: LiveSessions | undefined,
): Partial<Record<Channel, ChannelSender>> {
  const senders = configuredSenders(config);
  const queueUrl = config.INBOUND_QUEUE_URL;
  if (!queueUrl) return senders;
  return {
    ...senders,
    webchat: new WebchatSender({ queue: sqsEnvelopeQueue(queueUrl), clock: systemClock, sessions }),
  };
}
