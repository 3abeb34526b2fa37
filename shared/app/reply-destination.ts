import type { Channel, Identity } from '../domain/envelope.js';
import { emailReplyAddress, replyAddress } from '../domain/replies.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import type { Customer, TimelineItem } from '../domain/timeline.js';

/** Where a reply on a channel goes, and for email the customer's latest inbound emails it was read from. */
export interface ReplyDestination {
  to: Identity;
  /** Email only: the latest inbound email of each merged partition (the reply's threading headers). */
  latestEmails?: (TimelineItem | undefined)[];
}

/**
 * The one answer to "where does a message to this customer on `channel` go": their address there,
 * except that email goes to the first Reply-To of their latest email (emailReplyAddress), as a reply
 * must. Replies, surveys, automations, the web-chat fallback and the reply-channel list all ask it, so
 * the address whose suppression is checked is the address written to. Throws `no_address` as
 * replyAddress does. Email reads one item per merged partition (their latest inbound email).
 */
export async function replyDestination(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: { customer: Customer; partitions: readonly string[] },
  channel: Channel,
): Promise<ReplyDestination> {
  const identity = replyAddress(recipient.customer, channel);
  if (channel !== 'email') return { to: identity };
  const latestEmails = await Promise.all(recipient.partitions.map((id) => store.lastInbound(id, 'email')));
  return { to: emailReplyAddress(latestEmails, identity), latestEmails };
}
