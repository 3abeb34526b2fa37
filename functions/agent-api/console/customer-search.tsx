import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type Api,
  type Conversation,
  type Customer,
  type CustomerView,
  newestPage,
  type Page,
} from './api.js';
import type { Subscribe } from './app.js';
import { customerLabel } from './customer-label.js';
import { identityName, openAfter } from './format.js';
import { CopyId, ErrorNote } from './ui.js';

/**
 * The customer's latest conversation, open or not: the last one their timeline names, read from its end
 * a page at a time until a page names one (the newest page, nearly always), then read by its id.
 * Undefined when none is named.
 */
async function latestConversation(api: Api, customerId: string): Promise<Conversation | undefined> {
  let cursor: string | undefined;
  do {
    const page = await newestPage(api, customerId, 50, cursor);
    const latest = page.items.findLast((item) => item.conversationId)?.conversationId;
    if (latest) return api.get<Conversation>(`/api/conversations/${latest}`);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return undefined;
}

/**
 * Keeps the customers found as they change after the search: the conversation shown reopened or
 * resolved here says so at once (its answer, not the live event), a profile changed elsewhere follows
 * live, and an erased customer leaves the list.
 */
function useFollowFound(
  setFound: (change: (list: Customer[] | undefined) => Customer[] | undefined) => void,
  subscribe: Subscribe,
  shown: Conversation | undefined,
) {
  useEffect(() => {
    if (shown)
      setFound((list) =>
        list?.map((c) =>
          c.id === shown.customerId
            ? { ...c, openConversationId: openAfter(c.openConversationId, shown.id, shown.status === 'open') }
            : c,
        ),
      );
  }, [shown?.id, shown?.status]);
  useEffect(
    () =>
      subscribe((event) => {
        if (event.type !== 'customer.updated') return;
        const { change, customer } = event.item ?? {};
        setFound((list) =>
          change === 'erased'
            ? list?.filter((c) => c.id !== event.customerId)
            : list?.map((c) => (customer && c.id === customer.id ? customer : c)),
        );
      }),
    [subscribe],
  );
}

/** The customers found, with an answer's page added: a customer already listed is not listed again. */
function withPage(list: Customer[] | undefined, items: Customer[]): Customer[] {
  const listed = new Set(list?.map((c) => c.id));
  return [...(list ?? []), ...items.filter((c) => !listed.has(c.id))];
}

/**
 * The customers a search found, a page at a time (25, the API's default). `search` starts over; `more`
 * reads the next page with the API's cursor and adds it below, and is undefined once the cursor is
 * null. An answer that comes after a new search began (of the search before, or of its More) is dropped,
 * so a slow page never lands in another search's list. A failed More keeps the list and its cursor.
 */
function useSearchPages(api: Api) {
  const [found, setFound] = useState<Customer[]>();
  const [next, setNext] = useState<{ q: string; cursor: string }>();
  const [reading, setReading] = useState(false);
  const [error, setError] = useState('');
  const generation = useRef(0);
  const read = (q: string, cursor: string | undefined) => {
    const mine = generation.current;
    setReading(true);
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    api.get<Page<Customer>>(`/api/customers?q=${encodeURIComponent(q)}${after}`).then(
      (page) => {
        if (mine !== generation.current) return;
        setFound((list) => (cursor ? withPage(list, page.items) : page.items));
        setNext(page.cursor ? { q, cursor: page.cursor } : undefined);
        setReading(false);
      },
      (e: Error) => {
        if (mine !== generation.current) return;
        setError(e.message);
        setReading(false);
      },
    );
  };
  const search = (q: string) => {
    generation.current += 1;
    setError('');
    setNext(undefined);
    setReading(false);
    if (!q) return setFound(undefined);
    read(q, undefined);
  };
  const more = () => {
    if (!next || reading) return;
    setError('');
    read(next.q, next.cursor);
  };
  return { found, setFound, error, setError, search, more: next ? more : undefined, reading };
}

/** The foot of the customers found while another page is there: how many are shown, and More. */
function MoreFound(props: { count: number; reading: boolean; onMore(): void }) {
  return (
    <p class="more-rows">
      {props.count} shown, more match
      <button type="button" onClick={props.onMore} disabled={props.reading}>
        More
      </button>
    </p>
  );
}

/**
 * Find a customer by name, phone, email or handle (`GET /api/customers?q=`, More for the next page),
 * see their id, open their conversation; one with none open opens on their latest (resolved) one, with
 * their whole timeline, the customer panel and Reopen, so a search never dead-ends.
 */
export function CustomerSearch(props: {
  api: Api;
  subscribe: Subscribe;
  /** The conversation open in the view. */
  shown: Conversation | undefined;
  onOpen(conversation: Conversation): void;
}) {
  const { found, setFound, error, setError, search, more, reading } = useSearchPages(props.api);
  useFollowFound(setFound, props.subscribe, props.shown);
  const open = (id: string) =>
    props.api
      .get<CustomerView>(`/api/customers/${id}`)
      .then((c) => c.openConversation ?? latestConversation(props.api, id))
      .then(
        (c) => (c ? props.onOpen(c) : setError('This customer has no conversation yet.')),
        (e: Error) => setError(e.message),
      );
  return (
    <section class="customer-search">
      <form
        aria-label="Customer search"
        onSubmit={(e) => {
          e.preventDefault();
          search(String(new FormData(e.currentTarget).get('q') ?? '').trim());
        }}
      >
        <label>
          Find a customer
          <input name="q" type="search" maxLength={320} placeholder="name, phone, email" />
        </label>
        <button type="submit">Find</button>
      </form>
      <ErrorNote message={error} />
      {found ? (
        <ul class="found" aria-label="Customers found">
          {found.length ? null : <li class="muted">No customer matches.</li>}
          {found.map((c) => (
            <li key={c.id} data-customer={c.id}>
              <strong title={customerLabel(c.name, c.identities[0]).title}>
                {customerLabel(c.name, c.identities[0]).text ?? 'unnamed'}
              </strong>{' '}
              <span class="muted">
                {c.identities.map((i) => `${identityName(i.kind)} ${i.display ?? i.value}`).join(' · ')}
              </span>
              <CopyId id={c.id} />
              <button type="button" onClick={() => open(c.id)}>
                {c.openConversationId ? 'Open conversation' : 'View customer'}
              </button>
              {c.openConversationId ? null : <span class="muted"> no open conversation</span>}
            </li>
          ))}
        </ul>
      ) : null}
      {found && more ? <MoreFound count={found.length} reading={reading} onMore={more} /> : null}
    </section>
  );
}
