import { useEffect, useState } from 'preact/hooks';
import {
  type Api,
  type Conversation,
  type Customer,
  type CustomerView,
  type Page,
  readAllPages,
  type TimelineItem,
} from './api.js';
import type { Subscribe } from './app.js';
import { identityName, openAfter } from './format.js';
import { CopyId, ErrorNote } from './ui.js';

/**
 * The customer's latest conversation, open or not: the last one their timeline names (oldest first, read
 * to its end, as the view that opens next reads it), then read by its id. Undefined when none is named.
 */
async function latestConversation(api: Api, customerId: string): Promise<Conversation | undefined> {
  let latest: string | undefined;
  await readAllPages<TimelineItem>(
    api,
    `/api/customers/${customerId}/timeline`,
    (items) => {
      for (const item of items) if (item.conversationId) latest = item.conversationId;
    },
    () => false,
  );
  return latest ? api.get<Conversation>(`/api/conversations/${latest}`) : undefined;
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

/**
 * Find a customer by name, phone, email or handle (`GET /api/customers?q=`), see their id, open their
 * conversation; one with none open opens on their latest (resolved) one, with their whole timeline, the
 * customer panel and Reopen, so a search never dead-ends.
 */
export function CustomerSearch(props: {
  api: Api;
  subscribe: Subscribe;
  /** The conversation open in the view. */
  shown: Conversation | undefined;
  onOpen(conversation: Conversation): void;
}) {
  const [found, setFound] = useState<Customer[]>();
  const [error, setError] = useState('');
  useFollowFound(setFound, props.subscribe, props.shown);
  const search = (q: string) => {
    setError('');
    if (!q) return setFound(undefined);
    props.api.get<Page<Customer>>(`/api/customers?q=${encodeURIComponent(q)}`).then(
      (page) => setFound(page.items),
      (e: Error) => setError(e.message),
    );
  };
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
              <strong>{c.name ?? c.identities[0]?.value ?? 'unnamed'}</strong>{' '}
              <span class="muted">
                {c.identities.map((i) => `${identityName(i.kind)} ${i.value}`).join(' · ')}
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
    </section>
  );
}
