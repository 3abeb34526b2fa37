import type { AgentStore } from '#shared/domain/agent-ports.js';
import { asciiDigits } from '#shared/domain/digits.js';
import type { Identity } from '#shared/domain/envelope.js';
import {
  earlierIdentities,
  normaliseEmail,
  normalisePhone,
  type PhoneOptions,
  phoneIdentityKey,
} from '#shared/domain/identity.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Page } from '#shared/domain/paging.js';
import type { Customer } from '#shared/domain/timeline.js';

/**
 * Our own Facebook Page and Instagram account ids (META_PAGE_ID, META_INSTAGRAM_ACCOUNT_ID): a
 * Messenger or Instagram customer is keyed `{account}:{their page-scoped id}`, so a bare id is tried
 * under each.
 */
export type SearchAccounts = { messenger?: string | undefined; instagram?: string | undefined };

/**
 * The identities a search string could be: a phone in any format, an email, or a raw handle; all
 * digits, also a Messenger PSID or Instagram IGSID under our own Page or account (two more at most).
 */
export function candidateIdentities(
  q: string,
  phone: PhoneOptions,
  accounts: SearchAccounts = {},
): Identity[] {
  const found: Identity[] = [];
  const email = normaliseEmail(q);
  if (email) {
    // An internationalised domain in Punycode, and as earlier versions keyed it.
    const key: Identity = { kind: 'email', value: email };
    found.push(key, ...earlierIdentities(key));
  }
  // A number typed in Arabic-Indic digits (copied from a customer's message) or in full-width
  // characters (a Japanese or Chinese keyboard: ＋９７１) is searched as the number.
  const digits = asciiDigits(q.normalize('NFKC'));
  if (/^[\d\s()+.\-:a-z]+$/i.test(digits) && /\d{4}/.test(digits.replace(/\D/g, ''))) {
    // Bare digits read as a national number (`21988197564` in Brazil) are tried with their `+` too,
    // the reading before: a number copied from an id without its `+` still finds its customer.
    const bare = /^[1-9]\d{10,14}$/.test(digits);
    const international = bare ? normalisePhone(digits, { ...phone, international: true }) : undefined;
    for (const e164 of new Set([normalisePhone(digits, phone), international])) {
      if (!e164) continue;
      // Either form of a Brazilian or Mexican mobile finds its customer, keyed under either.
      const key: Identity = { kind: 'phone', value: phoneIdentityKey(e164) };
      found.push(key, ...earlierIdentities(key));
    }
  }
  if (/^[\w.:-]{1,200}$/.test(q)) {
    for (const kind of ['messenger', 'instagram', 'whatsapp'] as const) found.push({ kind, value: q });
  }
  if (/^\d{1,64}$/.test(q)) {
    for (const kind of ['messenger', 'instagram'] as const) {
      const account = accounts[kind];
      if (account) found.push({ kind, value: `${account}:${q}` });
    }
  }
  return found;
}

/** The customers the text names as an identity (a phone, an email, a handle): each once, in that order. */
async function identityMatches(deps: SearchDeps, candidates: readonly Identity[]): Promise<Customer[]> {
  const byId = new Map<string, Customer>();
  for (const identity of candidates) {
    const id = await deps.store.findCustomerId(identity);
    const customer = id && !byId.has(id) ? await deps.store.getCustomer(id) : undefined;
    if (customer) byId.set(customer.id, customer);
  }
  return [...byId.values()];
}

type SearchDeps = {
  store: Pick<AgentStore, 'findCustomerId' | 'getCustomer' | 'findCustomersByName'>;
  phone: PhoneOptions;
  metaAccounts?: SearchAccounts | undefined;
  cursors: PageCursors;
};

/**
 * Finds customers by any identity the text could be, then by name prefix, a page at a time. The first
 * page answers the identity matches (a handful at most, never cut), then name matches up to `limit` in
 * all; the cursor leaves the identity matches out of every later page, so each customer comes once.
 * A later page reads names only: no identity lookup repeats. A text that reads as a phone number is
 * that number only: the customers holding it, and no name matches (an agent looking up a caller wants
 * whoever wrote or called from it, not an anonymous visitor who typed it as their name), on one page.
 */
export async function searchCustomers(
  deps: SearchDeps,
  q: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Customer>> {
  const scope = ['customer-search', q] as const;
  const cursor = deps.cursors.open(page.cursor, scope);
  const candidates = candidateIdentities(q, deps.phone, deps.metaAccounts);
  if (candidates.some((identity) => identity.kind === 'phone')) {
    return { items: cursor ? [] : await identityMatches(deps, candidates), cursor: null };
  }
  if (cursor) {
    const names = await deps.store.findCustomersByName(q, { limit: page.limit, cursor });
    return { items: names.items, cursor: deps.cursors.seal(names.cursor, scope) };
  }
  const found = await identityMatches(deps, candidates);
  const names = await deps.store.findCustomersByName(q, {
    limit: Math.max(0, page.limit - found.length),
    skip: found.map((c) => c.id),
  });
  return { items: [...found, ...names.items], cursor: deps.cursors.seal(names.cursor, scope) };
}

/**
 * Every customer, newest first by first contact, a page at a time (`GET /api/customers` without `q`):
 * a bounded read per page, whatever the number of customers. Customers merged away, erased or being
 * erased are left out, so a page may be short and still have a cursor.
 */
export async function listCustomers(
  deps: { store: Pick<AgentStore, 'listCustomers'>; cursors: PageCursors },
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Customer>> {
  const scope = ['customers'] as const;
  const found = await deps.store.listCustomers({
    limit: page.limit,
    cursor: deps.cursors.open(page.cursor, scope),
  });
  return { items: found.items, cursor: deps.cursors.seal(found.cursor, scope) };
}
