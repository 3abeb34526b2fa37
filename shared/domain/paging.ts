/** A page of results and the opaque cursor of the next one: the shape of every list the API answers. */
export interface Page<T> {
  items: T[];
  cursor: string | null;
}

/**
 * A page of a list that grows at its end (a timeline read oldest first): `resume`, on every page the
 * last one included, is a cursor after its last item, to read later what was added after it (`null`:
 * nothing read yet, start from the beginning).
 */
export interface ResumablePage<T> extends Page<T> {
  resume: string | null;
}
