import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Conversation, Customer, CustomerView } from './api.js';
import type { Subscribe } from './app.js';
import { afterCustomerChange } from './customer-list-state.js';
import { useCustomerPages } from './customer-pages.js';
import { FoundPane } from './customer-pane.js';
import { useBackToRow } from './customer-rows.js';
import { failureText, openAfter } from './format.js';
import { latestConversation } from './latest-conversation.js';
import { ErrorNote } from './ui.js';

/**
 * Keeps the customers shown as they change after their read: the conversation shown reopened or
 * resolved here says so at once (its answer, not the live event), a profile changed elsewhere follows
 * live, an erased customer or one merged away leaves, and a new customer comes first on the newest
 * customers' list (`afterCustomerChange`).
 */
function useFollowFound(
  setFound: (change: (list: Customer[] | undefined) => Customer[] | undefined) => void,
  subscribe: Subscribe,
  shown: Conversation | undefined,
  /** Whether the newest customers show (not a search's). */
  newest: { current: boolean },
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
        const what = { customerId: event.customerId, erased: change === 'erased', customer };
        setFound((list) => afterCustomerChange(list, what, newest.current));
      }),
    [subscribe],
  );
}

/**
 * Find a customer by name, phone, email or handle (`GET /api/customers?q=`), or, with the field empty,
 * Browse every customer, newest first (`GET /api/customers`); More for the next page. Each row shows
 * their channels, when first seen and last heard from, their id, and opens their conversation; one with
 * none open opens on their latest (resolved) one, with their whole timeline, the customer panel and
 * Reopen, so a search never dead-ends. Clearing the field turns a search's pane back to the newest
 * customers; Close leaves it; Escape in the list goes back to the field.
 */
export function CustomerSearch(props: {
  api: Api;
  subscribe: Subscribe;
  /** The conversation open in the view. */
  shown: Conversation | undefined;
  onOpen(conversation: Conversation): void;
}) {
  const pages = useCustomerPages(props.api);
  const { setFound, setError } = pages;
  const [typed, setTyped] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const newest = useRef(false);
  newest.current = pages.shown === '';
  useFollowFound(setFound, props.subscribe, props.shown, newest);
  const opened = useBackToRow(props.shown?.id);
  const open = (id: string) =>
    props.api
      .get<CustomerView>(`/api/customers/${id}`)
      .then((c) => c.openConversation ?? latestConversation(props.api, id))
      .then(
        (c) => {
          if (!c) return setError('This customer has no conversation yet.');
          opened(c.id, id);
          props.onOpen(c);
        },
        (e: unknown) => setError(failureText(e)),
      );
  const firstRow = () => document.querySelector<HTMLButtonElement>('.customer-search button.open-customer');
  return (
    <section class="customer-search">
      <form
        aria-label="Customer search"
        onSubmit={(e) => {
          e.preventDefault();
          pages.show(String(new FormData(e.currentTarget).get('q') ?? '').trim());
        }}
      >
        <label>
          Find a customer
          <input
            ref={field}
            name="q"
            type="search"
            maxLength={320}
            placeholder="name, phone, email"
            onInput={(e) => {
              const q = e.currentTarget.value.trim();
              setTyped(q);
              // The search's text gone: the pane goes back to the newest customers, read anew.
              if (!q && pages.shown) pages.show('');
            }}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowDown' || !firstRow()) return;
              e.preventDefault();
              firstRow()?.focus();
            }}
          />
        </label>
        <button type="submit" title={typed ? undefined : 'Every customer, newest first'}>
          {typed ? 'Find' : 'Browse'}
        </button>
      </form>
      {pages.shown === undefined ? (
        <ErrorNote message={pages.error} />
      ) : (
        <FoundPane pages={pages} onOpen={open} onField={() => field.current?.focus()} />
      )}
    </section>
  );
}
