/** Where the open conversation was last seen in the inbox: its place and the rows either side of it. */
export interface InboxPlace {
  id: string;
  index: number;
  before: string | undefined;
  after: string | undefined;
}

/** The open conversation's place in the listed rows, or undefined when it is not listed. */
export function placeIn(list: readonly { id: string }[], id: string | undefined): InboxPlace | undefined {
  const index = id === undefined ? -1 : list.findIndex((c) => c.id === id);
  if (index < 0 || id === undefined) return undefined;
  return { id, index, before: list[index - 1]?.id, after: list[index + 1]?.id };
}

/**
 * The row `j` (by 1) or `k` (by -1) opens. While the open conversation is listed, the one next to it.
 * Once it has left the list (resolved, snoozed or taken out by a filter as it changed), the row that
 * followed it or came before it where it was (`last`), as if it were still there, found by id when it is
 * still listed, else at the place the open one had (nothing past either end); before, such a `j` opened the inbox's first row.
 */
export function stepTarget<T extends { id: string }>(
  list: readonly T[],
  currentId: string | undefined,
  by: 1 | -1,
  last: InboxPlace | undefined,
): T | undefined {
  const index = currentId === undefined ? -1 : list.findIndex((c) => c.id === currentId);
  if (index >= 0 || last === undefined || last.id !== currentId)
    return list[Math.min(list.length - 1, Math.max(0, index + by))];
  const neighbour = by === 1 ? last.after : last.before;
  const byId = neighbour === undefined ? undefined : list.find((c) => c.id === neighbour);
  if (byId) return byId;
  // Nothing before the first row nor after the last: k at the top does not turn into a j.
  return list[by === 1 ? last.index : last.index - 1];
}
