import type { TrackClock } from '../domain/clock-ports.js';
import { CSAT_AUTHOR_ID } from '../domain/csat/csat-ports.js';
import { replyEmail } from '../domain/email-reply.js';
import type { Channel, Identity } from '../domain/envelope.js';
import { keyReusedError } from '../domain/idempotency.js';
import { type OutboundMessage, OutboundMessageSchema } from '../domain/outbound.js';
import type { Clock } from '../domain/ports.js';
import {
  aiReplyId,
  checkReplyRules,
  placedReplyAt,
  type ReplyAuthor,
  type ReplyRequest,
  replyIdFor,
  replyItem,
  replyKeyOwner,
  replyRequestHash,
  replyWindowOn,
  standingBlock,
} from '../domain/replies.js';
import { checkReplyContent } from '../domain/reply-content.js';
import { checkReplyLength } from '../domain/reply-length.js';
import type { InlineSend, OutboundQueue, ReplyStore } from '../domain/reply-ports.js';
import { sendRetryDelaySeconds } from '../domain/send-errors.js';
import type { Conversation, Customer, TimelineItem } from '../domain/timeline.js';
import { answeredAt, answersCustomer, clockAuthorOf, repliedAt } from '../domain/waiting.js';
import { isUnverifiedVisitor } from '../domain/webchat/anonymous-view.js';
import { replyChannelOf } from '../domain/webchat/attachments.js';
import { hasVerifiedEmail } from '../domain/webchat/email-fallback.js';
import { contactStateQuery } from '../domain/whatsapp-opt-out.js';
import { NotFoundError } from '../errors.js';
import { errorFields, logger } from '../log.js';
import { replyCopies } from './reply-copies.js';
import { defaultedDestination } from './reply-destination.js';

/** What the reply service needs. */
export interface ReplyDeps {
  store: ReplyStore;
  queue: OutboundQueue;
  clock: Clock;
  newId(): string;
  /** Tells the conversation clock (SLA, auto-resolve) of the reply. */
  track?: TrackClock | undefined;
  /** Sends the AI's answers in the invocation that stores them (the resolver); without it, they are queued. */
  sendNow?: InlineSend | undefined;
  /** WEBCHAT_BUSINESS_NAME: an email reply whose thread has no subject is "Your message to <it>". */
  businessName?: string | undefined;
}

/** What to send: the request of an agent (or the AI) on one conversation. */
interface SendReplyInput {
  conversationId: string;
  request: ReplyRequest;
  agentId: string;
  /** Who writes; the agent `agentId` when unset. */
  author?: ReplyAuthor | undefined;
  idempotencyKey?: string | undefined;
  /**
   * The key is a caller's `Idempotency-Key` (the agent API): sent again with another request it is
   * refused, not answered with the first reply. Our own keys (automations, surveys, fallbacks) may
   * rebuild a request that differs on a redelivery and keep answering the first.
   */
  keyFromCaller?: boolean | undefined;
  /** An email's subject instead of the one its thread gives (the web-chat fallback names the chat). */
  subject?: string | undefined;
  /** The conversation and its customer's profiles when the caller has just read them (routing). */
  recipient?: Recipient | undefined;
  /** Choices to tap (a survey's buttons or quick replies). */
  choices?: OutboundMessage['choices'];
  /**
   * The AI's reply to an inbound message: that message's `at` and routing's decision to keep on the
   * reply. The reply is placed right after the message (its key follows from it, so a redelivery finds
   * it), and no item under the reply's id is written.
   */
  answers?: { itemId: string; at: string; routed: Record<string, unknown> } | undefined;
  /**
   * Called once the reply is stored by this request (not a retry's), after its first response was
   * recorded and counted: routing counts its decision.
   */
  onStored?: (() => Promise<void>) | undefined;
}

/** Who a reply goes to: the conversation, its customer (the root of their merges) and every partition. */
export interface Recipient {
  conversationId: string;
  root: string;
  customer: Customer;
  partitions: string[];
  profiles: Customer[];
  /** The conversation had its first response already, as the caller read it: none is recorded again. */
  firstResponded?: boolean | undefined;
  /** A person had answered the conversation as the caller read it (`firstHumanResponseAt`): no first response is marked again. */
  personResponded?: boolean | undefined;
  /** Nobody waited on the conversation as the caller read it: the answer's send records no answer. */
  nobodyWaiting?: boolean | undefined;
  /** The message the reply answers, when the caller holds it: a web-chat reply goes to its writer. */
  answering?: TimelineItem | undefined;
  /** The conversations a merge joined into this one (`mergedConversationIds`): an email reply continues their thread. */
  joined?: readonly string[] | undefined;
  /** The conversation's `lastInboundAt`: where the look for its latest message starts (replyDestination). */
  lastInboundAt?: string | undefined;
}

/** The conversation's customer (the root of their merges) and the partitions of every merged one. */
async function readRecipient(deps: ReplyDeps, conversationId: string): Promise<Recipient> {
  const conversation = await deps.store.getConversation(conversationId);
  if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
  return recipientOf(deps.store, conversation);
}

/**
 * The recipient of a conversation already read: its customer's profiles, NotFoundError when the
 * root has none, GoneError when a profile was erased or is being erased (the profile read says so).
 */
export async function recipientOf(
  store: Pick<ReplyStore, 'mergedCustomers'>,
  conversation: Pick<
    Conversation,
    'id' | 'customerId' | 'firstHumanResponseAt' | 'mergedConversationIds' | 'lastInboundAt'
  >,
): Promise<Recipient> {
  const { partitions, customers: profiles } = await store.mergedCustomers(conversation.customerId);
  const root = partitions[0] ?? conversation.customerId;
  const customer = profiles.find((c) => c.id === root);
  if (!customer) throw new NotFoundError(`no customer ${root}`);
  const personResponded = conversation.firstHumanResponseAt !== undefined;
  const joined = conversation.mergedConversationIds;
  return {
    conversationId: conversation.id,
    root,
    customer,
    partitions,
    profiles,
    personResponded,
    ...(joined && { joined }),
    ...(conversation.lastInboundAt && { lastInboundAt: conversation.lastInboundAt }),
  };
}

/**
 * Stores a reply once: the AI's at its placed key; with an `Idempotency-Key`, under its id first (a retry
 * gets the first back; the key sent again with another request is 422 `idempotency_key_reused`, nothing
 * written), then on the timeline; without one (a new id), on the timeline only.
 */
async function storeReply(
  deps: ReplyDeps,
  candidate: OutboundMessage,
  input: SendReplyInput,
  leaseUntil: string | undefined,
): Promise<{ message: OutboundMessage; created: boolean }> {
  if (input.answers) return deps.store.placeReply(candidate, input.answers.routed, leaseUntil);
  if (!input.idempotencyKey) {
    await deps.store.putTimelineItem(replyItem(candidate), undefined);
    return { message: candidate, created: true };
  }
  const requestHash = input.keyFromCaller ? replyRequestHash(input.request) : undefined;
  const stored = await deps.store.putReply(candidate, requestHash);
  if (requestHash && !stored.created && stored.requestHash && stored.requestHash !== requestHash) {
    throw keyReusedError('reply', stored.message.id);
  }
  await deps.store.putTimelineItem(replyItem(stored.message), undefined);
  return { message: stored.message, created: stored.created };
}

/**
 * Once stored: the first response recorded (unless the caller knows it was), then `onStored` told. The
 * mark owes its count in its own write and adds it before `onStored`'s write (routing's decision), so
 * a crash between them leaves it owed, not lost: the redelivery's retry settles it, once (the AI's
 * answer counted with the decision before 2026-12-07 lost it there). The AI's answer (`answers`) is
 * recorded in the mark's write, ending the wait before the send (a send that fails for good starts it
 * again): answers whether it was. An automation's message or a survey is no response: it marks nothing.
 */
async function afterStored(
  deps: ReplyDeps,
  input: SendReplyInput,
  message: OutboundMessage,
  stored: { created: boolean; firstResponded: boolean | undefined },
): Promise<boolean> {
  const answered = input.answers ? answeredAt(message) : undefined;
  // Once recorded it stays: a write that would fail its condition (and be billed) is not tried.
  const recorded =
    answersCustomer(message.author) && !stored.firstResponded
      ? await recordFirstResponse(deps, input, message, answered)
      : false;
  if (stored.created) await input.onStored?.();
  return recorded;
}

/** The reply's first response; a person's is theirs too, unless the caller read that a person had answered. */
async function recordFirstResponse(
  deps: ReplyDeps,
  input: SendReplyInput,
  message: OutboundMessage,
  answered: string | undefined,
): Promise<boolean> {
  const responded = input.recipient?.personResponded === true;
  const person = message.author.kind === 'agent' ? { responded } : undefined;
  const { conversationId, at } = message;
  return (await deps.store.recordFirstResponse?.(conversationId, at, answered, person)) === true;
}

/**
 * Sends the reply now when this request's put took its send lease (`leaseUntil`); otherwise, or when
 * that send lets go of it (a retryable failure), puts it on the outbound queue for the sender: after
 * the provider's throttling or 5xx, delayed by its Retry-After or a fixed pause (`sendRetryDelaySeconds`).
 */
async function dispatch(
  deps: ReplyDeps,
  message: OutboundMessage,
  leaseUntil: string | undefined,
  nobodyWaiting: boolean | undefined,
): Promise<void> {
  if (leaseUntil && deps.sendNow) {
    try {
      await deps.sendNow.deliver(message, { leaseUntil, ...(nobodyWaiting ? { nobodyWaiting } : {}) });
      return;
    } catch (error) {
      const delaySeconds = sendRetryDelaySeconds(error);
      const fields = { replyId: message.id, ...errorFields(error), delaySeconds };
      logger.warn('reply handed to the sender', fields);
      if (delaySeconds > 0) return deps.queue.enqueue(message, { delaySeconds });
    }
  }
  await deps.queue.enqueue(message);
}

/**
 * The channel a reply goes on (replyChannelOf: the one asked for, else the one the customer's profiles
 * choose), refused when its text is longer than that channel takes from the customer (checkReplyLength).
 */
export function replyChannelFor(
  recipient: Pick<Recipient, 'customer' | 'profiles'>,
  request: Parameters<typeof replyChannelOf>[1] & { text?: string | undefined },
): Channel {
  const { customer, profiles } = recipient;
  return checkReplyLength(replyChannelOf(customer, request, profiles), request.text, customer);
}

/**
 * The reply's channel (replyChannelFor) and where it goes there (defaultedDestination: a reply naming
 * no channel gives way from a web chat that did not write in the conversation to the customer's next
 * channel, checked for its length and content as the default was).
 */
function destinationOf(
  deps: ReplyDeps,
  recipient: Pick<
    Recipient,
    'conversationId' | 'customer' | 'partitions' | 'profiles' | 'answering' | 'joined' | 'lastInboundAt'
  >,
  request: ReplyRequest,
) {
  const { conversationId, ...to } = recipient;
  const channelFor = (channel: Channel | undefined) =>
    replyChannelFor(recipient, channel === undefined ? request : { ...request, channel });
  const check = (other: Channel) => {
    const next = channelFor(other);
    checkReplyContent(next, request);
    return next;
  };
  const named = request.channel !== undefined;
  return defaultedDestination(
    deps.store,
    to,
    { channel: channelFor(undefined), named, check },
    conversationId,
  );
}

/**
 * An email reply's subject and threading (replyEmail, or the caller's subject) and whom it copies
 * (replyCopies): an answer copies the thread's people; a survey or the web-chat fallback goes to the
 * customer alone. Undefined for a reply that continues no thread (another channel).
 */
async function emailHeadersOf(
  deps: ReplyDeps,
  input: SendReplyInput,
  author: ReplyAuthor,
  reply: { thread: (TimelineItem | undefined)[] | undefined; to: Identity; replyId: string },
): Promise<OutboundMessage['email']> {
  const { thread, to, replyId } = reply;
  if (!thread) return undefined;
  const copies = author.id !== CSAT_AUTHOR_ID && author.automatic === undefined;
  const cc = copies ? await replyCopies(deps.store, thread, to, replyId) : undefined;
  const threading = replyEmail(thread, deps.businessName);
  return (
    threading && {
      ...threading,
      ...(input.subject ? { subject: input.subject } : {}),
      ...(cc ? { cc } : {}),
    }
  );
}

/**
 * Sends a reply: checks the channel's rules, stores it once (see `storeReply`: a retry or a redelivery
 * gets the first one), as `queued` on the timeline, and puts it on the outbound queue. A retry repeats
 * the steps; the sender sends a reply once, whatever the queue redelivers. With `sendNow`, the AI's
 * answer is sent right away by the request whose put created it (see `dispatch`).
 */
export async function sendReply(
  deps: ReplyDeps,
  input: SendReplyInput,
): Promise<{ item: TimelineItem; created: boolean }> {
  const author: ReplyAuthor = input.author ?? { kind: 'agent', id: input.agentId };
  const replyId = input.answers
    ? aiReplyId(input.answers.itemId)
    : input.idempotencyKey
      ? replyIdFor(input.conversationId, replyKeyOwner(author), input.idempotencyKey)
      : deps.newId();
  const recipient = input.recipient ?? (await readRecipient(deps, input.conversationId));
  const { conversationId, root, profiles, firstResponded, nobodyWaiting } = recipient;
  const { channel, to, from, whatsappProvider, latestEmails, thread } = await destinationOf(
    deps,
    recipient,
    input.request,
  );
  const state = await deps.store.getContactState(...contactStateQuery(channel, to, from));
  const permit = checkReplyRules({
    channel,
    now: deps.clock.now(),
    ...replyWindowOn(profiles, channel),
    hasTemplate: input.request.template !== undefined,
    automated: author.kind !== 'agent',
    blocked: standingBlock(state, to, latestEmails),
  });
  const email = await emailHeadersOf(deps, input, author, { thread, to, replyId });
  const candidate = OutboundMessageSchema.parse({
    id: replyId,
    customerId: root,
    conversationId,
    at: deps.clock.now().toISOString(),
    channel,
    to,
    ...(from ? { from } : {}),
    ...(whatsappProvider ? { whatsappProvider } : {}),
    ...(input.request.text !== undefined ? { text: input.request.text } : {}),
    ...(input.request.template ? { template: input.request.template } : {}),
    attachments: input.request.attachments,
    ...(input.choices ? { choices: input.choices } : {}),
    ...(permit.tag ? { tag: permit.tag } : {}),
    ...(email ? { email } : {}),
    author,
    ...(input.answers ? { placedAt: placedReplyAt(input.answers.at) } : {}),
  });
  // The AI's answer is sent by whoever stores it: the put takes the send lease.
  const leaseUntil =
    input.answers && deps.sendNow
      ? new Date(deps.clock.now().getTime() + deps.sendNow.leaseMs).toISOString()
      : undefined;
  const { message, created } = await storeReply(deps, candidate, input, leaseUntil);
  const answerRecorded = await afterStored(deps, input, message, { created, firstResponded });
  // As stored: at the time it was written, whatever its place.
  const item = { ...replyItem(message), at: message.at };
  const by = clockAuthorOf(message.author);
  const emailFallback =
    message.channel === 'webchat' && !isUnverifiedVisitor(message.to) && hasVerifiedEmail(profiles)
      ? { replyId: message.id, ...(message.placedAt ? { placedAt: message.placedAt } : {}) }
      : undefined;
  // At its time as an answer: the AI's is placed right after its message, even when a provider's clock
  // put that message after ours, so the clock never takes the message for one that came after it.
  await deps.track?.({
    type: 'reply',
    conversationId: message.conversationId,
    at: repliedAt(message),
    author: by,
    ...(input.answers ? { answers: input.answers.at } : {}),
    emailFallback,
  });
  await dispatch(deps, message, created ? leaseUntil : undefined, nobodyWaiting || answerRecorded);
  if (message.author.kind === 'agent') {
    await deps.store.setLastAgent(root, message.author.id, message.at);
    // Routing's state: once an agent has replied in the conversation, the AI stays silent in it.
    await deps.store.markHumanReplied?.(message.conversationId, message.at, message.author.id);
  }
  return { item, created };
}
