import { firstReplyTo } from '../domain/email-reply.js';
import type { Channel, Identity } from '../domain/envelope.js';
import { ADDRESS_KIND, emailReplyAddress, newestOf, replyAddress } from '../domain/replies.js';
import { nextReplyChannel, replyChannel } from '../domain/reply-channel.js';
import { lastBusinessNumber, lastWhatsappProvider } from '../domain/reply-numbers.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import type { Customer, TimelineItem } from '../domain/timeline.js';
import { isUnverifiedVisitor } from '../domain/webchat/anonymous-view.js';
import { visitorKey } from '../domain/webchat/envelopes.js';
import { ConflictError } from '../errors.js';

/** Where a reply on a channel goes, and for email the customer's latest inbound emails it was read from. */
export interface ReplyDestination {
  to: Identity;
  /** SMS only: our number the customer last texted, which the reply goes from (`lastBusinessNumber`). */
  from?: string | undefined;
  /** WhatsApp only: the customer's latest WhatsApp message came through Twilio (`lastWhatsappProvider`). */
  whatsappProvider?: 'twilio' | undefined;
  /**
   * Web chat only: whether the site vouched for the visitor (signed in, no email merely typed); one
   * nobody vouched for is a reply's default only on no other channel (see defaultedDestination).
   */
  vouched?: boolean;
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
 * query of the newest 10 items at or before the conversation's `lastInboundAt` when the recipient names it,
 * more only while the answer lies further back): its thread, and the address the
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
  if (channel === 'webchat') return webchatWriter(store, recipient, conversationId);
  const identity = replyAddress(recipient.customer, channel, recipient.profiles);
  if (channel === 'sms') {
    const from = lastBusinessNumber(recipient.customer, recipient.profiles);
    return { to: identity, ...(from ? { from } : {}) };
  }
  if (channel === 'whatsapp') {
    const provider = lastWhatsappProvider(recipient.customer, recipient.profiles);
    return { to: identity, ...(provider ? { whatsappProvider: provider } : {}) };
  }
  if (channel !== 'email') return { to: identity };
  const latest = (conversation?: string) =>
    Promise.all(
      recipient.partitions.map((id) =>
        store.lastInbound(id, 'email', conversation, conversation && recipient.lastInboundAt),
      ),
    );
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
 * The channel and destination of a reply: on `channel` (replyDestination), except that a reply naming
 * no channel whose default is the web chat of a visitor the site did not vouch for (an anonymous one,
 * merged in on an email they typed: the merge, or their next message, made the chat the customer's
 * last channel) goes on the channel the customer wrote on last among the others (nextReplyChannel),
 * as `check` takes it (its length and content rules), whether that visitor wrote in the conversation
 * or not (then the chat refuses, 409 `webchat_not_available`). So an answer in the customer's email
 * thread goes by email, not to the stranger's chat. That chat is answered when named (in a
 * conversation it wrote in), when it is the customer's only channel, and when the reply answers a
 * message written there (the AI's, `answering`). One look more (the other channel's) only on that path.
 */
export async function defaultedDestination(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: Parameters<typeof replyDestination>[1],
  choice: { channel: Channel; named: boolean; check(channel: Channel): Channel },
  conversationId: string,
): Promise<ReplyDestination & { channel: Channel }> {
  const { channel, named, check } = choice;
  const next = named ? undefined : givesWayTo(recipient, channel);
  const here = await replyDestination(store, recipient, channel, conversationId).catch((error: unknown) => {
    if (next && error instanceof ConflictError && error.code === 'webchat_not_available') return undefined;
    throw error;
  });
  if (keeps(here, next)) return { channel, ...here };
  const other = check(next as Channel);
  return { channel: other, ...(await replyDestination(store, recipient, other, conversationId)) };
}

/**
 * The channel a reply naming none gives way to from its default `channel` when the chat there proves
 * to be a visitor nobody vouched for (see `keeps`): the customer's next channel (nextReplyChannel),
 * only from the web chat, and not for an answer to a chat message; undefined when it cannot give way.
 */
function givesWayTo(
  recipient: Parameters<typeof replyDestination>[1],
  channel: Channel,
): Channel | undefined {
  if (channel !== 'webchat' || chatMessage(recipient.answering)) return undefined;
  return nextReplyChannel(recipient.customer, recipient.profiles, channel);
}

/** Whether the reply stays on its default channel's destination (`here`): there is one, and no channel to give way to, or the site vouched for the visitor. */
const keeps = <T extends { vouched?: boolean }>(here: T | undefined, next: Channel | undefined): here is T =>
  here !== undefined && (next === undefined || here.vouched === true);

/**
 * The web-chat visitor an agent's reply naming no channel in the conversation goes to, as
 * `defaultedDestination` decides it (the default channel, `replyChannel`; the chat's writer,
 * `webchatAddress`; giving way from a visitor nobody vouched for): undefined when that reply goes on
 * another channel. What an agent's typing asks (tellVisitorsTyping), so the typing is shown only to
 * whom the reply goes. Reads only when the default is the web chat (webchatAddress's reads). Throws as
 * the reply would (`no_channel`, `no_address`, `webchat_not_available` with nowhere to give way).
 */
export async function defaultChatReplyTo(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: Parameters<typeof replyDestination>[1],
  conversationId: string,
): Promise<Identity | undefined> {
  const channel = replyChannel(recipient.customer, undefined, recipient.profiles);
  if (channel !== 'webchat') return undefined;
  const next = givesWayTo(recipient, channel);
  const here = await webchatWriter(store, recipient, conversationId).catch((error: unknown) => {
    if (next && error instanceof ConflictError && error.code === 'webchat_not_available') return undefined;
    throw error;
  });
  return keeps(here, next) ? here.to : undefined;
}

/** The message, when it is a visitor's web-chat message (the one a reply answers). */
const chatMessage = (item: TimelineItem | undefined): TimelineItem | undefined =>
  item?.channel === 'webchat' && item.direction === 'inbound' ? item : undefined;

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
  /**
   * The answered conversation's `lastInboundAt`, as the caller read it: the look for its latest message
   * starts there (the store's `lastInbound`), so it is found whatever the customer wrote elsewhere since.
   */
  lastInboundAt?: string | undefined;
}

/** The newest of the items (each partition's latest), if any. */
const newest = (items: readonly (TimelineItem | undefined)[]): TimelineItem | undefined =>
  items.reduce<TimelineItem | undefined>((a, b) => (b && (!a || b.at > a.at) ? b : a), undefined);

/**
 * The web-chat identity a reply goes to: the writer of the conversation's latest web-chat message, so
 * after a merge an answer reaches the session the visitor chats in now, not the customer's first
 * web-chat identity; only that visitor's sessions show it (see sessionView). A verified visitor's
 * message comes from their email: their `webchat_user` is the one whose key its id carries
 * (visitorKey). A conversation with no web-chat message (an email thread) reaches the writer of the
 * customer's latest one only when the site vouched for them (`vouchedChat`); a visitor nobody vouched
 * for (anonymous, or signed in with an email they only typed) is only someone an admin merged in, on
 * an email they typed, so a reply there is refused 409 `webchat_not_available`: it never reaches such
 * a chat that did not write in the conversation. One query per merged partition (two
 * when the conversation has no web-chat message); none when the caller holds the message.
 * The one answer for the web chat: replies (replyDestination) and an agent's typing
 * (tellVisitorsTyping) both ask it. Throws `no_address` as replyAddress does.
 */
export async function webchatAddress(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: WebchatRecipient,
  conversationId: string | undefined,
): Promise<Identity> {
  return (await webchatWriter(store, recipient, conversationId)).to;
}

/** webchatAddress's identity, and whether the site vouched for that visitor (`vouchedChat`). */
async function webchatWriter(
  store: Pick<ReplyStore, 'lastInbound'>,
  recipient: WebchatRecipient,
  conversationId: string | undefined,
): Promise<{ to: Identity; vouched: boolean }> {
  const latest = (conversation?: string) =>
    Promise.all(
      recipient.partitions.map((id) =>
        store.lastInbound(id, 'webchat', conversation, conversation && recipient.lastInboundAt),
      ),
    );
  let message = chatMessage(recipient.answering);
  if (!message && conversationId) message = newest(await latest(conversationId));
  // No conversation (the channels a customer may be answered on): their latest web chat is theirs.
  const own = message !== undefined || conversationId === undefined;
  if (!message) message = newest(await latest());
  const writer = message && writerOf(recipient.customer, message);
  const vouched = vouchedChat(message);
  if (writer && (own || vouched)) return { to: writer, vouched };
  if (own || !message) {
    // No writer to read (a message from before replies named theirs, or none): their web-chat identity.
    const identity = replyAddress(recipient.customer, 'webchat');
    const known = !isUnverifiedVisitor(identity);
    if (own || known) return { to: identity, vouched: known };
  }
  throw new ConflictError(
    "no web chat to answer this conversation on: the customer's web chat is a visitor the site did not vouch for (joined to them on an email typed in the chat), who did not write in this conversation. Answer on the channel the customer wrote on here",
    'webchat_not_available',
  );
}

/** The web-chat identity that wrote `message`: its `from`, or (a verified visitor's, from their email) the one its id names. */
function writerOf(customer: Customer, message: TimelineItem): Identity | undefined {
  if (message.from && ADDRESS_KIND.webchat.includes(message.from.kind)) return message.from;
  const webchat = customer.identities.filter((i) => ADDRESS_KIND.webchat.includes(i.kind));
  return webchat.find((i) => message.id.startsWith(`webchat:${visitorKey(i)}.`));
}

/**
 * Whether a web-chat message came from a visitor the site vouched for: signed in (a verified email's
 * message comes from that email; a `webchat_user`'s from them), with no email they merely typed on it
 * (`data.typedEmail`: the pre-chat form's, or a token's `email_verified: false` one). An anonymous
 * visitor (`webchat_visitor`) is vouched for by nobody.
 */
function vouchedChat(message: TimelineItem | undefined): boolean {
  const kind = message?.from?.kind;
  return kind === 'email' || (kind === 'webchat_user' && message?.data?.typedEmail === undefined);
}
