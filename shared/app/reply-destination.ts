import type { Channel, Identity } from '../domain/envelope.js';
import { emailReplyAddress, replyAddress } from '../domain/replies.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import type { Customer, TimelineItem } from '../domain/timeline.js';

/** Where a reply on a channel goes, and for email the customer's latest inbound emails it was read from. */
export interface ReplyDestination {
  to: Identity;
  /**
   * Email only: the latest inbound email of each merged partition that `to` was read from: in the
   * conversation answered when it has one, else the customer's latest.
   */
  latestEmails?: (TimelineItem | undefined)[];
  /**
   * Email only: the emails whose thread the reply continues (its subject, In-Reply-To, References):
   * the answered conversation's latest; none when that conversation holds no email (a new thread,
   * never another conversation's).
   */
  thread?: (TimelineItem | undefined)[];
}

/**
 * The one answer to "where does a message to this customer on `channel` go": their address there,
 * except that email goes to the first Reply-To of their latest email (emailReplyAddress), as a reply
 * must. Replies, surveys, automations, the web-chat fallback and the reply-channel list all ask it, so
 * the address whose suppression is checked is the address written to. Throws `no_address` as
 * replyAddress does. With `conversationId` (a reply in a conversation), email reads the latest
 * inbound email of that conversation, one query per merged partition: its thread, and the address the
 * customer wrote it from, are the reply's. A customer with two conversations open gets each answer
 * in its own thread (before, every reply took the customer's latest email, another conversation's
 * subject and thread too). A conversation with no email in it costs one query more per partition
 * (the customer's latest email, for the address only).
 */
export async function replyDestination(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: { customer: Customer; partitions: readonly string[] },
  channel: Channel,
  conversationId?: string,
): Promise<ReplyDestination> {
  const identity = replyAddress(recipient.customer, channel);
  if (channel !== 'email') return { to: identity };
  const latest = (conversation?: string) =>
    Promise.all(recipient.partitions.map((id) => store.lastInbound(id, 'email', conversation)));
  const inConversation = conversationId ? await latest(conversationId) : undefined;
  const answered = inConversation?.some((item) => item !== undefined);
  const latestEmails = answered && inConversation ? inConversation : await latest();
  const thread = conversationId ? (answered ? latestEmails : []) : latestEmails;
  return { to: emailReplyAddress(latestEmails, identity), latestEmails, thread };
}
