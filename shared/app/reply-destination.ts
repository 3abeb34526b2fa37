import { firstReplyTo } from '../domain/email-reply.js';
import type { Channel, Identity } from '../domain/envelope.js';
import { ADDRESS_KIND, emailReplyAddress, newestOf, replyAddress } from '../domain/replies.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import type { Customer, TimelineItem } from '../domain/timeline.js';
import { visitorKey } from '../domain/webchat/envelopes.js';
import { ConflictError } from '../errors.js';

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
   * the answered conversation's latest; when it holds no email, the customer's latest of a conversation
   * a merge joined into it (`joined`); else none (a new thread, never another conversation's).
   */
  thread?: (TimelineItem | undefined)[];
}

/**
 * The one answer to "where does a message to this customer on `channel` go": their address there
 * (on WhatsApp and SMS the number they last wrote from there, whichever merged profile keeps it: no
 * read more), except that email goes to the first Reply-To of their latest email (emailReplyAddress), as a reply
 * must. Replies, surveys, automations, the web-chat fallback and the reply-channel list all ask it, so
 * the address whose suppression is checked is the address written to. Throws `no_address` as
 * replyAddress does. With `conversationId` (a reply in a conversation), email reads the latest
 * inbound email of that conversation, one look back per merged partition (the store's `lastInbound`: a
 * query of the newest 10 items, more only while the answer lies further back): its thread, and the address the
 * customer wrote it from, are the reply's. A customer with two conversations open gets each answer
 * in its own thread (before, every reply took the customer's latest email, another conversation's
 * subject and thread too). A conversation with no email in it costs one look more per partition
 * (the customer's latest email, for the address, and for the thread when its conversation was joined
 * into this one by a merge).
 */
export async function replyDestination(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: WebchatRecipient & {
    /** The profiles of the merged partitions (the customer's among them): each keeps its last numbers. */
    profiles: readonly Customer[];
    /** The conversations a merge joined into the one answered (`mergedConversationIds`). */
    joined?: readonly string[] | undefined;
  },
  channel: Channel,
  conversationId?: string,
): Promise<ReplyDestination> {
  if (channel === 'webchat') return { to: await webchatAddress(store, recipient, conversationId) };
  const identity = replyAddress(recipient.customer, channel, recipient.profiles);
  if (channel !== 'email') return { to: identity };
  const latest = (conversation?: string) =>
    Promise.all(recipient.partitions.map((id) => store.lastInbound(id, 'email', conversation)));
  const inConversation = conversationId ? await latest(conversationId) : undefined;
  const answered = inConversation?.some((item) => item !== undefined);
  const latestEmails = answered && inConversation ? inConversation : await latest();
  const thread = conversationId
    ? answered
      ? latestEmails
      : ofJoined(latestEmails, recipient.joined)
    : latestEmails;
  const to = emailReplyAddress(latestEmails, identity);
  if (answered) refuseSharedSender(latestEmails, to);
  return { to, latestEmails, thread };
}

/**
 * The customer's latest emails that are in a conversation a merge joined into the one answered: the
 * mail thread it continues (the merge left the kept conversation none of its own). No read more.
 */
const ofJoined = (
  latest: readonly (TimelineItem | undefined)[],
  joined: readonly string[] | undefined,
): (TimelineItem | undefined)[] =>
  latest.map((item) => (item?.conversationId && joined?.includes(item.conversationId) ? item : undefined));

/**
 * Refuses (409 `ambiguous_recipient`) a reply in a conversation whose latest email's sender named
 * other Reply-To addresses there before (`data.otherReplyTo`, see the store's `lastInbound`) when the
 * reply would follow its Reply-To: a contact form not named in EMAIL_FORM_SENDERS mails every
 * visitor's message from its own address, so all are one customer, and the answer to one would reach
 * whoever wrote last.
 */
function refuseSharedSender(latest: readonly (TimelineItem | undefined)[], to: Identity): void {
  const newest = newestOf(latest);
  const others = newest?.data?.otherReplyTo;
  if (!newest || !Array.isArray(others) || others.length === 0 || firstReplyTo(newest) !== to.value) return;
  const sender = newest.from?.value ?? 'one sender';
  throw new ConflictError(
    `this conversation holds mail ${sender} sent for several people (Reply-To ${[to.value, ...others].join(', ')}): a reply would go to ${to.value}, whose mail came last, perhaps not the person you answer. Answer from your own mailbox, and name ${sender} in EMAIL_FORM_SENDERS so each person's next message is a customer of their own`,
    'ambiguous_recipient',
  );
}

/** Who a reply goes to, and (for the web chat) the message it answers when the caller holds it. */
export interface WebchatRecipient {
  customer: Customer;
  partitions: readonly string[];
  /** The message being answered (the AI's reply, from routing): a web-chat reply goes to its writer. */
  answering?: TimelineItem | undefined;
}

/** The newest of the items (each partition's latest), if any. */
const newest = (items: readonly (TimelineItem | undefined)[]): TimelineItem | undefined =>
  items.reduce<TimelineItem | undefined>((a, b) => (b && (!a || b.at > a.at) ? b : a), undefined);

/**
 * The web-chat identity a reply goes to: the writer of the conversation's latest web-chat message (of
 * the customer's latest, when the conversation holds none), so after a merge an answer reaches the
 * session the visitor chats in now, not the customer's first web-chat identity; only that visitor's
 * sessions show it (see sessionView). A verified visitor's message comes from their email: their
 * `webchat_user` is the one whose key its id carries (visitorKey). One query per merged partition
 * (two when the conversation has no web-chat message); none when the caller holds the message.
 * The one answer for the web chat: replies (replyDestination) and an agent's typing
 * (tellVisitorsTyping) both ask it. Throws `no_address` as replyAddress does.
 */
export async function webchatAddress(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: WebchatRecipient,
  conversationId: string | undefined,
): Promise<Identity> {
  const latest = (conversation?: string) =>
    Promise.all(recipient.partitions.map((id) => store.lastInbound(id, 'webchat', conversation)));
  const held = recipient.answering;
  let message = held?.channel === 'webchat' && held.direction === 'inbound' ? held : undefined;
  if (!message && conversationId) message = newest(await latest(conversationId));
  if (!message) message = newest(await latest());
  const webchat = recipient.customer.identities.filter((i) => ADDRESS_KIND.webchat.includes(i.kind));
  const writer =
    message?.from && ADDRESS_KIND.webchat.includes(message.from.kind)
      ? message.from
      : webchat.find((i) => message?.id.startsWith(`webchat:${visitorKey(i)}.`));
  return writer ?? replyAddress(recipient.customer, 'webchat');
}
