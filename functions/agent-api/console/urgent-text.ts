import type { InboxConversation } from './api.js';
import { customerLabel } from './customer-label.js';

/** A conversation told as urgent: its id, who, and its first words. */
export interface UrgentArrival {
  id: string;
  who: string;
  preview: string | undefined;
}

/** How many urgent arrivals at once are told by name with their first words; more, by name alone. */
const TOLD_IN_FULL = 3;

/** What tells a conversation urgent. */
type Urgency = { status?: string; priority?: string | undefined; snoozedUntil?: string | undefined };

/** Open, not snoozed, and of priority `urgent`. */
export const isUrgent = (c: Urgency) => c.status === 'open' && !c.snoozedUntil && c.priority === 'urgent';

/** The notices still to show: those whose conversation the rows list, open and urgent still. */
export const stillUrgent = (notices: readonly UrgentArrival[], rows: readonly (Urgency & { id: string })[]) =>
  notices.filter((n) => rows.some((c) => c.id === n.id && isUrgent(c)));

/**
 * The rows a live update made urgent in the view: listed open and urgent after it, named by its events
 * (`touched`), and not listed urgent before it: a new conversation, one moved into the view, one a
 * breach raised in it. Rows the page reads merely brought up from a page not loaded are not among them.
 */
export function turnedUrgent(
  before: readonly InboxConversation[],
  after: readonly InboxConversation[],
  touched: ReadonlySet<string>,
): InboxConversation[] {
  const was = new Set(before.filter(isUrgent).map((c) => c.id));
  return after.filter((c) => isUrgent(c) && touched.has(c.id) && !was.has(c.id));
}

/** What an urgent arrival is told and shown by. */
export const arrivalOf = (c: InboxConversation): UrgentArrival => ({
  id: c.id,
  who: customerLabel(c.customer?.name, c.customer?.identity).text ?? c.customerId,
  preview: c.preview,
});

const named = (a: UrgentArrival) => `${a.who}${a.preview ? `, ${a.preview}` : ''}`;

/**
 * What a screen reader is told of urgent arrivals: "Urgent: Nia New, I want a refund" (up to three
 * so, one after the other), or, for more at once, how many and who: "Urgent: 5 conversations: Nia New,
 * Olive Old, Pat Post and 2 more".
 */
export function urgentText(arrivals: readonly UrgentArrival[]): string {
  if (arrivals.length <= TOLD_IN_FULL) return `Urgent: ${arrivals.map(named).join('; ')}`;
  const names = arrivals.slice(0, TOLD_IN_FULL).map((a) => a.who);
  return `Urgent: ${arrivals.length} conversations: ${names.join(', ')} and ${arrivals.length - TOLD_IN_FULL} more`;
}

/**
 * The tab title's part for the notices up: "Urgent: Nia New · " (or "Urgent: Nia New and 1 more · "),
 * the name isolated (U+2068 FSI … U+2069 PDI) in its own direction: a right-to-left name ending in a
 * digit ("فاطمة (VIP) 2") would otherwise reorder the words around it.
 */
export function urgentTitle(arrivals: readonly UrgentArrival[]): string {
  const [first] = arrivals;
  if (!first) return '';
  return `Urgent: \u2068${first.who}\u2069${arrivals.length > 1 ? ` and ${arrivals.length - 1} more` : ''} · `;
}
