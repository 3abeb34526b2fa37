import type { Customer } from './api.js';
import { channelName, since } from './format.js';

/**
 * The read for a page of customers: a search's (`q`) or, with no text, the list of every customer,
 * newest first; `cursor` for the page after the one before.
 */
export function customersPath(q: string, cursor?: string): string {
  const query = new URLSearchParams();
  if (q) query.set('q', q);
  if (cursor) query.set('cursor', cursor);
  const text = query.toString();
  return text ? `/api/customers?${text}` : '/api/customers';
}

/** The customers shown, with an answer's page added: a customer already listed is not listed again. */
export function withPage(list: readonly Customer[] | undefined, items: readonly Customer[]): Customer[] {
  const listed = new Set(list?.map((c) => c.id));
  return [...(list ?? []), ...items.filter((c) => !listed.has(c.id))];
}

/** What the customers' pane shows in place of rows, or `rows`. */
export type ListShows = 'loading' | 'failed' | 'empty' | 'rows';

/**
 * What the pane shows: "loading" until the first page came, "failed" when it did not (a failed More keeps
 * the rows), "empty" only once no page is left to read (a page of the list may hold none, its customers
 * merged away or erased, and still have a cursor), else the rows.
 */
export function listShows(state: {
  found: readonly Customer[] | undefined;
  error: string;
  more: boolean;
}): ListShows {
  if (!state.found) return state.error ? 'failed' : 'loading';
  if (state.found.length === 0 && !state.more) return 'empty';
  return 'rows';
}

/** The keys that move through the customers listed, and by how many rows (Home and End: to the ends). */
const STEPS: Record<string, number> = {
  j: 1,
  ArrowDown: 1,
  k: -1,
  ArrowUp: -1,
  Home: -Infinity,
  End: Infinity,
};

/**
 * The row a key moves to from row `at` of `count` (j or ↓ the next, k or ↑ the one before, Home and End
 * the first and last), kept within the list; undefined for another key, or an empty list.
 */
export function rowAfterKey(key: string, at: number, count: number): number | undefined {
  const by = STEPS[key];
  if (by === undefined || count === 0) return undefined;
  // From no row, a step down starts above the first, a step up below the last.
  const from = at < 0 ? (by > 0 ? -1 : count) : at;
  return Math.min(count - 1, Math.max(0, from + by));
}

/**
 * When Threadline first heard from the customer and when they last wrote, and on which channel: "first
 * seen 3 d ago · last wrote 2 h ago on WhatsApp"; "first seen 5 min ago on SMS" while their last message
 * is their first (written within a minute of it: a message's own time may be a little before the
 * profile's).
 */
export function seenText(customer: Customer, now: number): string {
  const first = `first seen ${since(customer.createdAt, now)} ago`;
  const on = customer.lastInboundChannel ? ` on ${channelName(customer.lastInboundChannel)}` : '';
  const last = customer.lastInboundAt;
  if (!last) return first;
  if (Date.parse(last) - Date.parse(customer.createdAt) < 60_000) return `${first}${on}`;
  return `${first} · last wrote ${since(last, now)} ago${on}`;
}

/**
 * The customers shown after a live change of one (`customer.updated`): an erased customer or one merged
 * away leaves (neither list nor search answers them again); a listed one is replaced by the change; one
 * not listed comes first on the newest customers' list when first seen no earlier than its first row
 * (a new customer's first message), and is left out of a search's results, which it may not match.
 */
export function afterCustomerChange(
  list: Customer[] | undefined,
  change: { customerId: string | undefined; erased: boolean; customer: Customer | undefined },
  newest: boolean,
): Customer[] | undefined {
  if (!list) return list;
  const { customer } = change;
  if (change.erased || customer?.mergedInto) {
    const id = customer?.id ?? change.customerId;
    return list.some((c) => c.id === id) ? list.filter((c) => c.id !== id) : list;
  }
  if (!customer) return list;
  if (list.some((c) => c.id === customer.id)) return list.map((c) => (c.id === customer.id ? customer : c));
  const first = list[0];
  return newest && (!first || customer.createdAt >= first.createdAt) ? [customer, ...list] : list;
}
