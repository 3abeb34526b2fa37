import type { ContactState } from './contact-state.js';
import type { Placement } from './conversation.js';
import type { CsatPending } from './csat/survey.js';
import type { DeletionOutcome, MessageDeletion } from './deletion.js';
import type { EditMark, EditPlacement, HeldEditStore } from './edits.js';
import type { Channel, Envelope, Identity, StatusEnvelope } from './envelope.js';
import type { LateFailureStore } from './late-failure-ports.js';
import type { ConversationSnapshot } from './routing/conversation-state.js';
import type { SentMessage, SentReference, WatermarkReceipt } from './sent-reference.js';
import type { SuggestionEvidence } from './suggestions.js';
import type { Conversation, Customer, PlacedTimelineItem, TimelineItem } from './timeline.js';

export type { ContactState } from './contact-state.js';
export type { SentMessage, SentReference, WatermarkReceipt } from './sent-reference.js';

/** What the resolver reads of a profile before deciding where an event goes. */
export interface ProfileState extends Pick<Customer, 'smsBusinessNumber'> {
  customerId: string;
  name?: string | undefined;
  nameAt?: string | undefined;
  /** When Meta was asked for the customer's name (`lookUpName`), found or not: it is not asked again. */
  nameLookupAt?: string | undefined;
  mergedInto?: string | undefined;
  /** Customers merged into this one (their partitions are part of its timeline). */
  mergedFrom?: readonly string[] | undefined;
  /** When this customer was last unmerged from another (it stood merged once). */
  unmergedAt?: string | undefined;
  openConversationId?: string | undefined;
  lastConversationId?: string | undefined;
  lastResolvedAt?: string | undefined;
  /** Tokens of the identities the customer was recorded as mentioning (bounded: MENTIONED_MAX). */
  mentioned?: readonly string[] | undefined;
  /** The satisfaction survey awaiting the customer's answer, if any. */
  csatPending?: CsatPending | undefined;
  /** The email the web-chat visitor typed, as the profile keeps it (unverified). */
  typedEmail?: string | undefined;
  /** The numbers the customer last wrote from on WhatsApp (as WhatsApp writes it) and by SMS. */
  whatsappAddress?: string | undefined;
  smsAddress?: string | undefined;
  /** `twilio` when the customer's latest WhatsApp message came through Twilio (its 1,600 limit). */
  whatsappProvider?: string | undefined;
  /** A reply WhatsApp failed as outside the 24-hour window (131047) was written then (`closeWhatsAppWindow`). */
  whatsappWindowClosedAt?: string | undefined;
  /** Tokens of the identities the profile holds, so a touch that adds none can be skipped. */
  identities?: readonly string[] | undefined;
  /** The channels the customer used. */
  channels?: readonly string[] | undefined;
  /** The time of the last event the profile recorded (it may lag by `PROFILE_TIME_GRANULARITY_MS`). */
  lastEventAt?: string | undefined;
  lastInboundAt?: string | undefined;
  lastInboundChannel?: string | undefined;
  /** `lastInbound_<channel>`: the reply windows' start, per channel. */
  lastInboundByChannel?: Partial<Record<Channel, string>> | undefined;
  /** The whole profile as read: routing's, when the event changes nothing in it (no second read). */
  customer?: Customer | undefined;
}

/** How an event changes a conversation. */
export interface ConversationTouch {
  conversationId: string;
  customerId: string;
  channel: Channel;
  at: string;
  now: string;
  /** The customer spoke: the conversation waits for an answer and records the channel. */
  inbound: boolean;
  reopen: boolean; // reopen a resolved conversation (only by an event newer than its resolution)
  /** The customer's message's first words (`previewOf`): kept on a conversation that has no preview yet. */
  preview?: string | undefined;
  language?: string | undefined; // the one the message tells (`languageOfMessage`): kept if none, replaces on a reopen
  /** The web-chat page's language the message carried (`languageHintOf`): kept on a conversation that has none. */
  languageHint?: string | undefined;
  /**
   * When the resolver first received the customer's message, for one timed at or before the resolution
   * it may reopen (`Placement.late`): reopens only if received after it, whatever the order of events.
   */
  receivedAt?: string | undefined;
  /** When our webhook took the event (`Envelope.receivedAt`): an older message's beginnings it may move. */
  arrivedAt?: string | undefined;
  /**
   * The profile holds the conversation open already: an inbound event does not start its wait in the
   * touch (the resolver does after routing). Unset, the touch starts it (the conversation's first message).
   */
  continues?: boolean | undefined;
  /**
   * Routing follows: a conversation this message opens is listed in the inbox after it (by the AI's
   * first response, already answered, or by the resolver), so its entry is written once.
   */
  listLater?: boolean | undefined;
  previousConversationId?: string | undefined;
  /**
   * The customer's message routing takes, written by this delivery: one more turn in the routing
   * state (`customerTurns`). A redelivery's touch leaves it unset, so a message counts once.
   */
  countsTurn?: boolean | undefined;
}

/** How an event changes the profile; written last, so a crash before it is redone in full. */
export interface ProfileTouch extends Pick<Customer, 'smsBusinessNumber'> {
  customerId: string;
  identities: readonly Identity[];
  channel: Channel;
  at: string;
  now: string;
  conversationId: string;
  /**
   * False when the profile already has this conversation open, so its membership item exists (it is
   * written before the profile points at it); otherwise the membership is written first.
   */
  newConversation?: boolean;
  inbound: boolean;
  /** Identities this event mentioned, remembered so an erasure can find the mentions it left. */
  mentioned?: readonly Identity[];
  /**
   * The name the event carried, when the profile has none or a later event's: written with the touch
   * (the earliest event's name wins, whatever the order).
   */
  name?: { value: string; at: string } | undefined;
  /** Meta was asked for the name (`lookUpName`), found or not: `nameLookupAt` is written, once. */
  nameLookedUp?: boolean | undefined;
  /** The event is older than its conversation's latest one: it moves no current field of the profile. */
  stale?: boolean | undefined;
  /**
   * The event is the latest inbound message of its conversation (`TouchedConversation.latestInbound`):
   * though `stale`, it moves the profile's `lastInboundAt` and `lastInboundChannel`, forward only.
   */
  latestInbound?: boolean | undefined;
  /** The event's first delivery (it wrote its item): it reached us after what was applied before it. */
  firstDelivery?: boolean | undefined;
  /**
   * With `stale`: the event reopened its conversation though older than the profile's last resolution
   * (sent before it, received after), so the profile holds the conversation open, unless another is.
   */
  holdOpen?: boolean | undefined;
  /** The email a web-chat visitor typed (unverified), kept on the profile for agents to see. */
  typedEmail?: string | undefined;
  /** A WhatsApp message's sender as WhatsApp wrote it, or a number change's new number (replies go to it). */
  whatsappAddress?: string | null | undefined;
  numberChanged?: boolean | undefined; // A number change's: quiet, so `stale`, but it sets whatsappAddress.
  /** An SMS's sender (SMS replies go to it). Undefined: left as it is. */
  smsAddress?: string | undefined;
  /**
   * `twilio` for a WhatsApp message that came through Twilio (replies then have Twilio's limits); null
   * for one through the Cloud API, which clears it. Undefined for other events: left as it is.
   */
  whatsappProvider?: 'twilio' | null | undefined;
  /**
   * The resolver found no profile (a customer's first contact, or its retry after a crash before the
   * profile): the write lists the customer (`GET /api/customers`) at its time, a place it keeps.
   */
  firstContact?: boolean | undefined;
}

/** A conversation touch's outcome: whether the event was the conversation's latest, and its state then. */
export interface TouchedConversation {
  /** False when the conversation had a later event or was resolved after it. */
  current: boolean;
  /** The conversation as the write left it, when the store answers it (saves routing a read). */
  snapshot?: ConversationSnapshot | undefined;
  /** Current, and not in the inbox yet (`listLater`): routing's outcome lists it. */
  unlisted?: boolean | undefined;
  /**
   * An inbound event no later inbound message of the conversation was applied before: its
   * `lastInboundAt` is the event's time now, current or not. Undefined: as `current`.
   */
  latestInbound?: boolean | undefined;
  /** An answer is newer than the event, or the conversation began between the event and its arrival:
   * a wait it starts begins when we received it. */
  overtaken?: boolean | undefined;
}

/** The first envelope that carried an email's Message-ID: its customer, and a digest of the mail. */
export interface MailClaim {
  envelopeId: string;
  customerId: string;
  digest: string;
}
/** What the resolver needs from storage. Every method is idempotent. */
export interface ResolverStore extends HeldEditStore, LateFailureStore {
  /** The customer an identity belongs to (an eventually consistent read is enough: claims are conditional). */
  findCustomerId(identity: Identity, options?: { consistent?: boolean }): Promise<string | undefined>;
  /** The same, and whether a merge or an unmerge ever moved the identity between customers. */
  findIdentityHolder(
    identity: Identity,
    options?: { consistent?: boolean },
  ): Promise<IdentityHolder | undefined>;
  /** Claims an identity for a customer; false when somebody holds it already. */
  claimIdentity(identity: Identity, customerId: string, now: string): Promise<boolean>;
  /** Takes an identity over from an erased holder (see `takeOverErasedIdentity`); false if not erased. */
  takeOverErasedIdentity(identity: Identity, holder: string, to: string, now: string): Promise<boolean>;
  /** A WhatsApp number change's old number: off the profiles showing it, then deleted while `holder` holds it. */
  releaseIdentity(identity: Identity, holder: string, profileIds: readonly string[]): Promise<void>;
  /**
   * What the resolver needs of a profile, or undefined when none (a tombstone too; GoneError with
   * `erasedGone`: unauthenticated mail's own customer); UnavailableError while being erased, and with
   * `erasedWaits` once erased (the identity was read before the erasure took it: retried, to find it gone).
   */
  getProfileState(
    id: string,
    options?: { erasedWaits?: boolean; erasedGone?: boolean },
  ): Promise<ProfileState | undefined>;
  /** Writes a timeline item unless it is there already; answers whether it wrote. */
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  /**
   * Writes the timeline item of a provider event once, whenever it is delivered: the first delivery
   * records where its item is (customer and time) on the provider reference, and every later delivery
   * writes to that same place. Answers whether it wrote, and where the item is. `arrival` (`arrivalOf`)
   * orders it among the items of its time when they are read.
   */
  placeTimelineItem(
    item: TimelineItem,
    raw: unknown,
    once?: OncePlacement,
    arrival?: number | undefined,
  ): Promise<PlacedItem>;
  /**
   * Whether an erasure left its marker on the provider reference `MESSAGE#<channel>#<id>`: the event
   * is a provider's retry of one the erasure took (one read, before a customer would be created).
   */
  erasedMessage(channel: Channel, id: string): Promise<boolean>;
  /**
   * Applies a customer's deletion of one of their messages: the stored message (theirs only) loses its
   * words, files and raw payload, or, when the deletion came first, the message is stored so. Keyed
   * reads and writes only; the same again on a redelivery.
   */
  deleteMessage(deletion: MessageDeletion): Promise<DeletionOutcome>;
  /**
   * The message we sent that a provider's event about it names (an SES bounce's or complaint's
   * `mail.messageId`, and the reply's key when the event carries one): its customer and conversation;
   * `erased` when an erasure's marker holds its provider reference; undefined when we sent no message
   * with that id (or its send is not recorded yet).
   */
  sentMessage(sent: SentReference): Promise<SentMessage | 'erased' | undefined>;
  /** A timeline item by its key parts. */
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
  /** Upserts an event's conversation; may answer it as the write left it (routing then reads none). */
  touchConversation(touch: ConversationTouch): Promise<TouchedConversation>;
  /**
   * The customer's message at `at` starts a wait on the open conversation, unless one runs already or
   * an answer as new was recorded, or made after we received it (`receivedAt`) (a conditional write).
   */
  startWaiting?(
    conversationId: string,
    at: string,
    failed?: undefined,
    receivedAt?: string,
  ): Promise<unknown>;
  /**
   * The customer's message at `since`, which no channel can answer, ends the wait its touch started
   * (the message opened the conversation), while that wait is still its own (a conditional write).
   */
  dropUnreachableWait?(conversationId: string, since: string): Promise<void>;
  /** The conversation, read strongly (`consistent`): a STOP reads whether its customer waits (`endWaitAtStop`). */
  getConversation?(
    conversationId: string,
    options?: { consistent?: boolean },
  ): Promise<Conversation | undefined>;
  /** Lists an open conversation a `listLater` touch left out of the inbox, at its place (conditional). */
  listInInbox?(conversationId: string): Promise<void>;
  /** Writes the profile; answers it as the write left it when that one write made it so (routing's). */
  touchProfile(touch: ProfileTouch): Promise<Customer | undefined>;
  /**
   * Records a delivery status forward-only, on the message and on its timeline item if known. Answers
   * the reply's item (with the time in its key) when the status is `failed` and the item stands at it.
   */
  advanceStatus(envelope: StatusEnvelope): Promise<PlacedTimelineItem | undefined>;
  /**
   * WhatsApp failed the customer's reply written at `at` as outside their 24-hour window (131047): their
   * WhatsApp takes templates only until they write again (one conditional write, on that failure only).
   */
  closeWhatsAppWindow?(customerId: string, at: string): Promise<void>;
  /**
   * Moves the customer's outbound messages on the receipt's channel at or before its time forward to its
   * status, reading a bounded page of their latest items; answers how many moved.
   */
  advanceWatermark?(customerIds: readonly string[], receipt: WatermarkReceipt): Promise<number>;
  /** The time (in its timeline key) of the message a provider id names, once it is linked; one read. */
  sentAt?(channel: Channel, providerMessageId: string): Promise<string | undefined>;
  /**
   * A first response that never reached the customer (marked at `at`, the reply's own time) is taken
   * back: its mark goes and its wait comes off the counters, so the next answer is the first response.
   * True when it was the conversation's first response.
   */
  takeBackFirstResponse?(conversationId: string, at: string): Promise<boolean>;
  /**
   * Links an outbound message to its timeline item and applies any status that came before it. True
   * when that status was `failed` and moved the item there (the message failed before it was recorded).
   */
  linkOutbound(item: TimelineItem): Promise<boolean>;
  /**
   * A person at the business answered from outside Threadline (an echo, `at` its time): the first
   * response, first time only (counted with its wait); the answer that ends the wait (conditional, as
   * an agent's reply's); and the human reply routing reads (the AI stays silent after it).
   */
  recordFirstResponse?(conversationId: string, at: string): Promise<unknown>;
  markAnswered?(conversationId: string, at: string): Promise<void>;
  markHumanReplied?(conversationId: string, at: string, agentId?: string): Promise<void>;
  /** Keeps a provider event that concerns no customer (account-level errors). */
  putProviderEvent(envelope: Envelope): Promise<void>;
  /** The conversation a thread id (an email Message-ID) belongs to, trying the ids in order. */
  findThread(channel: Channel, threadIds: readonly string[]): Promise<ThreadLink | undefined>;
  /** Records which conversation a thread id belongs to (first link wins). */
  linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void>;
  /**
   * Claims an email's Message-ID for the first envelope that carries it (first claim wins; on the
   * thread id's own item): the claim kept, so a second receipt of the same mail can tell it is one.
   */
  claimMail(threadId: string, claim: MailClaim): Promise<MailClaim>;
  /** Records that a customer mentioned (or shares a payload with) an identity. */
  putMention(identity: Identity, customerId: string, evidence: SuggestionEvidence): Promise<void>;
  /** Every customer who mentioned an identity, with the evidence. */
  mentionsOf(identity: Identity): Promise<Array<{ customerId: string; evidence: SuggestionEvidence }>>;
  /** The first `limit` customers who mentioned an identity, each with its first piece of evidence. */
  mentionersOf?(
    identity: Identity,
    limit: number,
  ): Promise<Array<{ customerId: string; evidence: SuggestionEvidence | undefined }>>;
  /**
   * Raises (or adds evidence to) a merge suggestion on both profiles; a dismissed one stays dismissed.
   * `now` is its `createdAt` the first time (the runtime's clock).
   */
  putSuggestion(
    customerId: string,
    otherId: string,
    evidence: SuggestionEvidence,
    now: string,
  ): Promise<void>;
  /**
   * Records a contact preference of an address: an SMS opt-out (STOP) or opt-in (START), or an email
   * suppression after a permanent bounce or a complaint. The latest wins, per number of ours it names.
   */
  setContactState(identity: Identity, state: ContactState): Promise<void>;
}

/** Who holds an identity, and whether a merge or an unmerge moved it (then its past items may be elsewhere). */
export interface IdentityHolder extends EditMark {
  customerId: string;
  moved: boolean;
  /** Until when a deletion from this identity that came before its message waits for it (`deletionPending`). */
  deletionMarkedUntil?: string | undefined;
  /** When the identity was claimed (re-claimed after an erasure took it): events before it may be erased ones. */
  createdAt?: string | undefined;
  /** The identity was claimed by this event's resolution (its first contact, checked for erasure then). */
  isNew?: boolean | undefined;
}

/**
 * How a provider event's item is written once. `reference` (the default): through its provider
 * reference, which keeps the first delivery's place (its time may be our receive time). `key`: by its
 * conditional put alone, as its key follows from the provider and no merge ever touched the customer.
 * `merged`: its key follows from the provider, but a merge did: it is looked for in every partition
 * merged into the customer, and the reference keeps the place for after an unmerge.
 */
export type OncePlacement = 'reference' | 'key' | 'merged';

/** An event on the timeline as the resolver placed it, and its conversation as the touch left it. */
export interface PlacedEvent extends Pick<TouchedConversation, 'overtaken'> {
  item: TimelineItem;
  placement: Placement;
  written: boolean;
  inbound: boolean;
  conversation: ConversationSnapshot | undefined;
  /** The event was its conversation's latest when touched. */
  current: boolean;
  /** The event is its conversation's latest inbound message (`TouchedConversation.latestInbound`). */
  latestInbound?: boolean | undefined;
  unlisted: boolean;
  /**
   * An outbound message (an echo of the business's own app) whose `failed` status came before it, or
   * that a first delivery found so: the customer never got it.
   */
  undelivered?: boolean | undefined;
}

/** Where a provider event's timeline item is, and whether this delivery wrote it. */
export interface PlacedItem extends EditPlacement {
  written: boolean;
  customerId: string;
  at: string;
  /**
   * The provider reference names another item: the message is one of our own replies (its sender
   * linked the provider's id to it), and this event its echo. Nothing was written.
   */
  echoOfReply?: boolean | undefined;
  /**
   * With `echoOfReply`: the key of our reply whose echo overtook its sender (`echoOfPendingReply`), for
   * the echo to record the reply `sent` by it, as a Messenger echo's `metadata` does.
   */
  replyKey?: string | undefined;
  /** The customer deleted the message before it came: it was stored without its words, at this time. */
  deletedAt?: string | undefined;
  /** An erasure marked the provider's id: a retry of an erased event. Nothing was written. */
  erased?: boolean | undefined;
}

/** Where a thread id leads. */
export interface ThreadLink {
  customerId: string;
  conversationId: string;
}
