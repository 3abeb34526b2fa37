import { normaliseEmail } from './addresses.js';
import type { OutboundMessage } from './outbound.js';
import { newestOf } from './replies.js';
import { headOf } from './text-cut.js';
import type { TimelineItem } from './timeline.js';

/**
 * An email reply's subject and threading headers, from the customer's latest inbound email: its
 * subject, else the thread's last one (`threadSubject`, see the store's `lastInbound`), else
 * "Your message to <business>" (WEBCHAT_BUSINESS_NAME) or "Your message"; In-Reply-To its Message-ID,
 * References its References and its Message-ID (the sender trims a long list).
 */
export function replyEmail(
  latest: readonly (TimelineItem | undefined)[],
  businessName?: string,
): OutboundMessage['email'] {
  const last = newestOf(latest);
  const data = last?.data ?? {};
  const parent = typeof data.messageId === 'string' ? data.messageId : undefined;
  const previous = Array.isArray(data.references) ? data.references.filter((r) => typeof r === 'string') : [];
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);
  const fallback = businessName?.trim() ? `Your message to ${businessName.trim()}` : 'Your message';
  return {
    subject: headOf(text(data.subject) ?? text(data.threadSubject) ?? fallback, 998),
    ...(parent ? { inReplyTo: parent } : {}),
    references: parent ? [...previous, parent] : previous,
  };
}

/** Addresses an email reply copies (Cc), at most; the rest are left out and logged. */
export const MAX_REPLY_CC = 10;

/**
 * Whom an email reply may copy, as a help desk's reply in the thread does: the other To and the Cc
 * addresses (`data.toAddresses`, `data.ccAddresses`: our receiving addresses and the From were left out
 * when the mail came, at most 10 of each) of the customer's latest mail in the thread (the newest of
 * `thread`), To first, in lower case, without the address the reply goes `to`, each once. The caller
 * leaves out the suppressed ones, then keeps MAX_REPLY_CC.
 */
export function copiedAddresses(thread: readonly (TimelineItem | undefined)[], to: string): string[] {
  const data = newestOf(thread)?.data ?? {};
  const listed = [data.toAddresses, data.ccAddresses].flatMap((list) => (Array.isArray(list) ? list : []));
  const all = new Set<string>();
  for (const value of listed) {
    const address = typeof value === 'string' ? normaliseEmail(value) : undefined;
    if (address && address !== normaliseEmail(to)) all.add(address);
  }
  return [...all];
}

/**
 * Whether a stored inbound email is the customer's own, fit to answer: not automatic (`autoReply`: an
 * out-of-office, a bounce, whose Reply-To may name an assistant and whose subject is the machine's),
 * not list mail (`listMail`: its Reply-To is the list, its subject the list's) and not quarantined.
 * Only such mail chooses where an email reply goes and which thread it continues.
 */
export function isOwnMail(item: object): boolean {
  const data = (('data' in item ? item.data : undefined) ?? {}) as Record<string, unknown>;
  return data.autoReply !== true && data.listMail !== true && data.quarantined !== true;
}

/** How many other Reply-To addresses of one sender a reply's check names, at most. */
export const MAX_OTHER_REPLY_TO = 3;

const fieldOf = (item: object, name: string): unknown => (item as Record<string, unknown>)[name] ?? undefined;

/** A stored email's first Reply-To, normalised, if it names one. */
export function firstReplyTo(item: object): string | undefined {
  const data = fieldOf(item, 'data') as Record<string, unknown> | undefined;
  const listed = data?.replyToAddresses;
  const first = Array.isArray(listed) ? listed[0] : undefined;
  return typeof first === 'string' ? normaliseEmail(first) : undefined;
}

const fromOf = (item: object): string | undefined => {
  const from = fieldOf(item, 'from') as { kind?: unknown; value?: unknown } | undefined;
  return from?.kind === 'email' && typeof from.value === 'string' ? normaliseEmail(from.value) : undefined;
};

/**
 * The first Reply-To addresses, other than the newest mail's, that its sender (the same From) named on
 * `earlier` mail (the same conversation's, newest first): a contact form not named in
 * EMAIL_FORM_SENDERS writing for several visitors, all one customer. At most 3; none when the newest
 * names no Reply-To.
 */
export function otherReplyTos(newest: object, earlier: readonly object[]): string[] {
  const own = firstReplyTo(newest);
  const sender = fromOf(newest);
  if (!own || !sender) return [];
  const others = new Set<string>();
  for (const item of earlier) {
    const address = fromOf(item) === sender ? firstReplyTo(item) : undefined;
    if (address && address !== own) others.add(address);
    if (others.size >= MAX_OTHER_REPLY_TO) break;
  }
  return [...others];
}
