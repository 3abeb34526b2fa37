import { useState } from 'preact/hooks';
import { type Api, ApiError, type CustomerView } from './api.js';
import { confirmInPage } from './confirm.js';
import { customerLabel } from './customer-label.js';
import { channelName, failureText } from './format.js';
import { ErrorNote } from './ui.js';

/** A customer in words for a question: their name (or first identity) and their id. */
const named = (c: CustomerView) =>
  `\u2068${customerLabel(c.name, c.identities[0]).text ?? 'a customer'}\u2069 (${c.id})`;

/**
 * The question asked before a merge: who the other customer is (name, channels, open conversation) and
 * what the merge does, so a mistyped or pasted wrong id is seen before anything moves.
 */
export function mergeQuestion(into: CustomerView, other: CustomerView): string {
  const channels = other.channels.map(channelName).join(', ') || 'no channel';
  const open = other.openConversation ? 'an open conversation' : 'no open conversation';
  return `Merge ${named(other)} into ${named(into)}? They wrote on ${channels} and have ${open}. Their identities, conversations and timeline become this customer's (an admin can unmerge them).`;
}

/** Why the other customer cannot be merged in, from their profile's read; undefined when they can. */
function refusal(into: CustomerView, id: string, read: CustomerView | ApiError | Error): string | undefined {
  if (id === into.id) return 'That is this customer’s own id: paste the id of the other customer.';
  if (read instanceof ApiError && read.status === 404)
    return `No customer has the id ${id}: check it in the customer search.`;
  if (read instanceof ApiError && read.status === 410)
    return `The customer ${id} was erased: there is nothing to merge.`;
  if (read instanceof Error) return `The customer ${id} could not be read: ${failureText(read)}`;
  if (read.mergedInto)
    return `${named(read)} was merged into ${read.mergedInto} already: merge that customer in instead.`;
  return undefined;
}

/**
 * Admins: merge another customer into this one by their id. The other customer is read first
 * (`GET /api/customers/{id}`) and named in a question asked in the page, as Erase is; an unknown, erased
 * or already merged id, or this customer's own, is said under the form and nothing is merged.
 */
export function MergeForm(props: {
  api: Api;
  customer: CustomerView;
  run(work: () => Promise<unknown>): void;
}) {
  const { api, customer } = props;
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const merge = async (id: string) => {
    setError('');
    setBusy(true);
    const read = await api
      .get<CustomerView>(`/api/customers/${encodeURIComponent(id)}`)
      .catch((e: Error) => e);
    setBusy(false);
    const refused = refusal(customer, id, read);
    if (refused || read instanceof Error) return setError(refused ?? '');
    if (!(await confirmInPage(mergeQuestion(customer, read), 'Merge'))) return;
    props.run(() => api.send('POST', `/api/customers/${customer.id}/merge`, { customerId: read.id }));
  };
  return (
    <form
      class="merge"
      onSubmit={(e) => {
        e.preventDefault();
        const other = String(new FormData(e.currentTarget as HTMLFormElement).get('other') ?? '').trim();
        if (other) void merge(other);
      }}
    >
      <label>
        Merge another customer in (their id: find them with the customer search)
        <input name="other" placeholder="cu_…" aria-invalid={error ? true : undefined} />
      </label>
      <button type="submit" disabled={busy}>
        Merge
      </button>
      <ErrorNote message={error} />
    </form>
  );
}
