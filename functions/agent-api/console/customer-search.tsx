import { useState } from 'preact/hooks';
import type { Api, Conversation, Customer, CustomerView, Page } from './api.js';
import { identityName } from './format.js';
import { CopyId, ErrorNote } from './ui.js';

/** Find a customer by name, phone, email or handle (`GET /api/customers?q=`), see their id, open their conversation. */
export function CustomerSearch(props: { api: Api; onOpen(conversation: Conversation): void }) {
  const [found, setFound] = useState<Customer[]>();
  const [error, setError] = useState('');
  const search = (q: string) => {
    setError('');
    if (!q) return setFound(undefined);
    props.api.get<Page<Customer>>(`/api/customers?q=${encodeURIComponent(q)}`).then(
      (page) => setFound(page.items),
      (e: Error) => setError(e.message),
    );
  };
  const open = (id: string) =>
    props.api.get<CustomerView>(`/api/customers/${id}`).then(
      (c) => (c.openConversation ? props.onOpen(c.openConversation) : setError('No open conversation.')),
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
              {c.openConversationId ? (
                <button type="button" onClick={() => open(c.id)}>
                  Open conversation
                </button>
              ) : (
                <span class="muted"> no open conversation</span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
