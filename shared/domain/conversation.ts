import { createHash } from 'node:crypto';
import { isContactKeyword, isEmptyRecording } from './asks-nothing.js';
import type { Envelope } from './envelope.js';
import type { ProfileState, ThreadLink } from './resolver-ports.js';

/**
 * The id of the conversation a customer opens after `previous` (none: their first). Deterministic, so
 * concurrent first messages and retries all land in the same conversation.
 */
export function nextConversationId(customerId: string, previous: string | undefined): string {
  const seed = `${customerId}\n${previous ?? 'first'}`;
  return `cv_${createHash('sha256').update(seed).digest('base64url').slice(0, 22)}`;
}

/**
 * How many parent ids an email's thread is looked up by, at most (one GetItem each, in turn, until one
 * is ours). Ten reach past a forward chain or a customer's own answers to our reply in References.
 */
export const MAX_THREAD_LOOKUPS = 10;

/**
 * The ids an email names as its parents, nearest first: In-Reply-To, then References from the end
 * (newest first), so mail whose In-Reply-To names a mail we never saw, or that has References only,
 * finds the thread of our reply it names. Only emails thread this way; other channels' replies name a
 * message, not a conversation.
 */
export function threadParents(envelope: Envelope): string[] {
  if (envelope.kind !== 'message' || envelope.channel !== 'email') return [];
  const data = envelope.data ?? {};
  const strings = (value: unknown): string[] =>
    (Array.isArray(value) ? value : [value]).filter(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
  const parents = [...strings(data.inReplyTo), ...strings(data.references).reverse()];
  return [...new Set(parents)].slice(0, MAX_THREAD_LOOKUPS);
}

/** The thread id an email introduces (its own Message-ID header), if any. */
export function threadId(envelope: Envelope): string | undefined {
  if (envelope.kind !== 'message' || envelope.channel !== 'email') return undefined;
  const id = envelope.data?.messageId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * What tells one mail from another that reuses its Message-ID (some senders do): a digest of its
 * sender, subject, text and attachment count, for an inbound email with a Message-ID; else undefined.
 * Hashed, so the claim's size is bounded whatever the mail.
 */
export function mailDigest(envelope: Envelope): string | undefined {
  if (envelope.kind !== 'message' || envelope.direction !== 'inbound' || !threadId(envelope))
    return undefined;
  const subject = typeof envelope.data?.subject === 'string' ? envelope.data.subject : '';
  const parts = [envelope.customer.value, subject, envelope.text ?? '', String(envelope.attachments.length)];
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}

/** How long after its resolution a customer's word reopens a conversation unless REOPEN_WINDOW_HOURS says (72 h). */
export const DEFAULT_REOPEN_WINDOW_MS = 72 * 60 * 60 * 1000;

/** Where an event goes: the conversation, and whether it reopens or follows another. */
export interface Placement {
  conversationId: string;
  reopen: boolean;
  previousConversationId?: string | undefined;
  /**
   * Filed on a conversation that is not open (its thread's, or the customer's last), which it leaves
   * as it is: automatic or quarantined mail, which waits for no one (`isQuietInbound`).
   */
  quiet?: true;
  /**
   * A reopen by an event timed at or before the resolution (the same second, or sent before it and
   * received after it, however long before): the resolver's receipt time, not the event's, decides
   * whether it reopens, and starts its wait.
   */
  late?: true;
}

/**
 * A voicemail's transcription: it completes a voicemail already on the timeline (Twilio sends it
 * later, often after an agent has dealt with the voicemail), so it is no new word from the customer.
 */
export function completesVoicemail(envelope: Envelope): boolean {
  return envelope.kind === 'call' && envelope.event === 'transcription';
}

/**
 * A call's own news rather than the caller's word: its ringing, answer and end (`completed`, `missed`),
 * and a voicemail hung up at the beep (`isEmptyRecording`). A call with nothing recorded is a missed call.
 */
export function isCallNews(envelope: Envelope): boolean {
  if (envelope.kind !== 'call') return false;
  if (envelope.event === 'voicemail') return isEmptyRecording(envelope.durationSeconds);
  return envelope.event !== 'transcription';
}

/**
 * What the customer adds to the conversation without asking anything: a voicemail's transcription
 * (`completesVoicemail`), a reaction to a message (a 👍 on the answer, or its removal), which acknowledges
 * it, a like sent alone (`isLike`: Messenger's Like button, Instagram's heart), which does too, an SMS keyword the contact state takes (`isContactKeyword`: STOP, START, HELP...), a call's
 * news (`isCallNews`: ringing, hang-up, an empty voicemail), and an edit or a deletion of one of their
 * messages, which changes that message only (an unanswered one waits as it did), and the provider's own
 * news about the thread (`isProviderNotice`: Meta's handover events, an optin), the ad or link they
 * came from, alone (`isContext`), and whatever comes in standby while another app holds the thread
 * (`isStandby`: that app answers it). Kept and shown beside
 * what it is about, it reopens nothing, wakes nothing, starts no wait and is routed nowhere.
 */
export function goesBeside(envelope: Envelope): boolean {
  // The provider's own news about the customer (WhatsApp's `user_changed_number`): no word of theirs.
  if (envelope.kind === 'system') return true;
  if (envelope.kind === 'message') {
    if (isProviderNotice(envelope) || isStandby(envelope) || isContext(envelope) || isLike(envelope))
      return true;
    return envelope.direction === 'inbound' && isContactKeyword(envelope);
  }
  if (envelope.kind === 'edit' || envelope.kind === 'delete' || envelope.kind === 'reaction') return true;
  return completesVoicemail(envelope) || isCallNews(envelope);
}

/**
 * A like sent as a message of its own (`data.like`, its emoji): Messenger's Like button (the thumbs-up
 * sticker), Instagram's heart (`like_heart`). It acknowledges what came before as a reaction does and
 * asks nothing; the business's own like answers nothing either (`isBusinessAnswer`).
 */
export function isLike(envelope: Pick<Envelope, 'kind'> & { data?: Record<string, unknown> | undefined }) {
  return envelope.kind === 'message' && typeof envelope.data?.like === 'string';
}

/**
 * The provider's news about the thread rather than anyone's message, as its normaliser marks it
 * (`data.notice`): Meta's handover events (`pass_thread_control`, `take_thread_control`,
 * `request_thread_control`, `app_roles`), an optin, any event kind Threadline does not read.
 */
export function isProviderNotice(envelope: Envelope): boolean {
  return envelope.kind === 'message' && envelope.data?.notice === true;
}

/**
 * Where the customer came from, alone (`data.context`): a Messenger or Instagram referral with no
 * message (a click-to-Messenger ad, an m.me or ig.me link followed), kept for the agents and the AI to
 * read with what the customer writes next, which alone starts a wait.
 */
export function isContext(envelope: Envelope): boolean {
  return envelope.kind === 'message' && envelope.data?.context === true;
}

/**
 * A Messenger or Instagram event in `standby`: another app holds the thread (Meta's handover protocol)
 * and answers it; Threadline, the secondary receiver, keeps it for the agents to read and stays silent.
 */
export function isStandby(envelope: Envelope): boolean {
  return envelope.kind === 'message' && envelope.data?.standby === true;
}

/**
 * Inbound mail that speaks for no one: an auto-reply, list mail, mail that failed the spam, virus or
 * an enforced DMARC check. It is kept on the timeline but reopens nothing (as it waits for no one).
 */
export function isQuietInbound(envelope: Envelope): boolean {
  if (envelope.kind !== 'message' || envelope.direction !== 'inbound') return false;
  return envelope.data?.quarantined === true || envelope.data?.autoReply === true;
}

/** A message the business sent from its own app (an echo: the Page inbox, the WhatsApp Business app). */
const isEcho = (envelope: Envelope): boolean =>
  envelope.kind === 'message' && envelope.direction === 'outbound';

/**
 * Places an event: in the conversation its email thread names, else the open one, else the last one
 * when the customer writes again within `reopenWindowMs` of its resolution, else a new one. Quiet
 * inbound mail (`isQuietInbound`) and the business's own echoes reopen nothing: a thread's resolved conversation, or else the last
 * one, keeps it as it is (`quiet`); it opens a conversation only for a customer who has none. A
 * voicemail's transcription and a reaction (`goesBeside`) go quietly beside what they are about: the
 * open conversation, else the last one, changed in nothing. A reopen by an event timed at or before the resolution is `late`.
 */
export function placeEvent(
  envelope: Envelope,
  profile: ProfileState | undefined,
  customerId: string,
  thread: ThreadLink | undefined,
  reopenWindowMs: number | undefined,
): Placement {
  const open = profile?.openConversationId;
  // The business's own message sent outside Threadline (an echo) reopens nothing, as an agent's reply does not.
  const quiet = isQuietInbound(envelope) || isEcho(envelope);
  const beside = goesBeside(envelope) ? (open ?? profile?.lastConversationId) : undefined;
  if (beside) return { conversationId: beside, reopen: false, quiet: true };
  if (thread && thread.customerId === customerId) {
    if (quiet && thread.conversationId !== open) {
      return { conversationId: thread.conversationId, reopen: false, quiet: true };
    }
    return { conversationId: thread.conversationId, reopen: thread.conversationId !== open };
  }
  if (open) return { conversationId: open, reopen: false };
  const last = profile?.lastConversationId;
  if (quiet && last) return { conversationId: last, reopen: false, quiet: true };
  const lastOne = { conversationId: last, resolvedAt: profile?.lastResolvedAt };
  const rule = reopenOrNext(
    customerId,
    lastOne,
    envelope.occurredAt,
    reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS,
  );
  if (rule.kind === 'reopen')
    return {
      conversationId: rule.conversationId,
      reopen: true,
      ...(rule.late ? { late: true as const } : {}),
    };
  return {
    conversationId: rule.conversationId,
    reopen: false,
    previousConversationId: rule.previousConversationId,
  };
}

/** Where the reopen window puts a customer's word when none of their conversations is open (`reopenOrNext`). */
export type ReopenOrNext =
  | { kind: 'reopen'; conversationId: string; late: boolean }
  | { kind: 'next'; conversationId: string; previousConversationId: string | undefined };

/**
 * The reopen window, for a customer's word at `at` when none of their conversations is open: their last
 * one (`last`), resolved at `resolvedAt`, is reopened when `at` is at most `reopenWindowMs` after that
 * resolve (`late` when at or before it: the resolve overtook the word); else, or with no resolve, the
 * next one after it (`nextConversationId`). `placeEvent` and `missedCallPlace` both follow it.
 */
export function reopenOrNext(
  customerId: string,
  last: { conversationId?: string | undefined; resolvedAt?: string | undefined },
  at: string,
  reopenWindowMs: number,
): ReopenOrNext {
  const { conversationId, resolvedAt } = last;
  const sinceResolved = resolvedAt ? Date.parse(at) - Date.parse(resolvedAt) : undefined;
  if (conversationId && sinceResolved !== undefined && sinceResolved <= reopenWindowMs) {
    return { kind: 'reopen', conversationId, late: sinceResolved <= 0 };
  }
  return {
    kind: 'next',
    conversationId: nextConversationId(customerId, conversationId),
    previousConversationId: conversationId,
  };
}

/**
 * Where an event about a message we sent goes (an email's bounce or complaint): that message's
 * conversation, which it never reopens (the `failed` status does, when it may), changed in nothing
 * (`quiet`) unless it is the open one.
 */
export function besideSentMessage(conversationId: string, open: string | undefined): Placement {
  return { conversationId, reopen: false, ...(conversationId !== open ? { quiet: true as const } : {}) };
}

/**
 * Where a redelivered event stays: the conversation its first delivery put it in, which it reopens no
 * more; quiet there when `placeEvent` files it so (quiet mail on a conversation not open, a transcription).
 */
export function keptPlacement(
  envelope: Envelope,
  conversationId: string,
  open: string | undefined,
): Placement {
  const quiet = goesBeside(envelope) || (isQuietInbound(envelope) && conversationId !== open);
  return { conversationId, reopen: false, ...(quiet ? { quiet: true as const } : {}) };
}
