import { useRef, useState } from 'preact/hooks';
import type { Api, Customer, Page } from './api.js';
import { customersPath, withPage } from './customer-list-state.js';
import { failureText } from './format.js';

/**
 * The customers the pane shows, a page at a time (25, the API's default): a search's (`show(q)`) or,
 * with no text, every customer newest first (`show('')`). `show` starts over, its first page read
 * anew; `more` reads the next page with the API's cursor and adds it below, and is undefined once the
 * cursor is null; `close` empties the pane. An answer that comes after the pane turned to another
 * read (a search of before, its More, the list before a search) is dropped, so a slow page never lands
 * among another's rows. A failed More keeps the rows and their cursor, to try again.
 */
export function useCustomerPages(api: Api) {
  /** The text whose customers show ('' every customer, newest first); undefined: the pane is closed. */
  const [shown, setShown] = useState<string>();
  const [found, setFound] = useState<Customer[]>();
  const [next, setNext] = useState<{ q: string; cursor: string }>();
  const [reading, setReading] = useState(false);
  const [error, setError] = useState('');
  const generation = useRef(0);
  const read = (q: string, cursor: string | undefined) => {
    const mine = generation.current;
    setReading(true);
    api.get<Page<Customer>>(customersPath(q, cursor)).then(
      (page) => {
        if (mine !== generation.current) return;
        setFound((list) => (cursor ? withPage(list, page.items) : page.items));
        setNext(page.cursor ? { q, cursor: page.cursor } : undefined);
        setReading(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setError(failureText(e));
        setReading(false);
      },
    );
  };
  const reset = (q: string | undefined) => {
    generation.current += 1;
    setShown(q);
    setFound(undefined);
    setNext(undefined);
    setError('');
    setReading(false);
  };
  const show = (q: string) => {
    reset(q);
    read(q, undefined);
  };
  const more = () => {
    if (!next || reading) return;
    setError('');
    read(next.q, next.cursor);
  };
  return {
    shown,
    found,
    setFound,
    error,
    setError,
    reading,
    show,
    close: () => reset(undefined),
    more: next ? more : undefined,
  };
}
