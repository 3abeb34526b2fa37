/** A page of results and the opaque cursor of the next one: the shape of every list the API answers. */
export interface Page<T> {
  items: T[];
  cursor: string | null;
}
