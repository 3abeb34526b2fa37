import type { OutboundMessage } from './outbound.js';
import { newestOf } from './replies.js';
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
    subject: (text(data.subject) ?? text(data.threadSubject) ?? fallback).slice(0, 998),
    ...(parent ? { inReplyTo: parent } : {}),
    references: parent ? [...previous, parent] : previous,
  };
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
