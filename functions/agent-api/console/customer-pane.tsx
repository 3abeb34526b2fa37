import { type ListShows, listShows } from './customer-list-state.js';
import type { useCustomerPages } from './customer-pages.js';
import { CustomerList, MoreFound } from './customer-rows.js';
import { ErrorNote } from './ui.js';

/** What the pane says in place of rows: while its first page is read, when none came, when there is none. */
function PaneNote(props: { shows: ListShows; newest: boolean; onRetry(): void }) {
  if (props.shows === 'loading')
    return (
      <p class="muted" role="status">
        {props.newest ? 'Loading the newest customers…' : 'Searching…'}
      </p>
    );
  if (props.shows === 'failed')
    return (
      <button type="button" onClick={props.onRetry}>
        Try again
      </button>
    );
  if (props.shows === 'empty')
    return (
      <p class="muted" role="status">
        {props.newest ? 'No customers yet.' : 'No customer matches.'}
      </p>
    );
  return null;
}

/**
 * The customers' pane under the search field: its title ("Newest customers" or "Customers found") and
 * Close, what it says while it has no rows, the rows, and their foot with More.
 */
export function FoundPane(props: {
  pages: ReturnType<typeof useCustomerPages>;
  onOpen(id: string): void;
  /** Back to the search field (Close, Escape in the list). */
  onField(): void;
}) {
  const { shown, found, error, more, reading } = props.pages;
  const newest = shown === '';
  const shows = listShows({ found, error, more: more !== undefined });
  const title = newest ? 'Newest customers' : 'Customers found';
  return (
    <div class="found-pane" aria-busy={reading}>
      <div class="found-head">
        <h3>{title}</h3>
        <button
          type="button"
          aria-label="Close the customer list"
          onClick={() => {
            props.pages.close();
            props.onField();
          }}
        >
          Close
        </button>
      </div>
      <ErrorNote message={error} />
      <PaneNote shows={shows} newest={newest} onRetry={() => props.pages.show(shown ?? '')} />
      {found?.length ? (
        <CustomerList label={title} customers={found} onOpen={props.onOpen} onEscape={props.onField} />
      ) : null}
      {found && shows === 'rows' ? (
        <MoreFound
          count={found.length}
          what={newest ? 'more below' : 'more match'}
          reading={reading}
          {...(more ? { onMore: more } : {})}
        />
      ) : null}
    </div>
  );
}
