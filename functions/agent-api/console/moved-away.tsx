import { useRef } from 'preact/hooks';
import type { InboxConversation } from './api.js';

/** An inbox row kept where it was after an event moved it off the pages loaded. */
export type InboxRow = InboxConversation & { movedAway?: true };

/**
 * Rows a live event moved off the pages shown: a conversation the event touched that a page read again
 * no longer lists, while pages are left to load (it went further down, to one not read, or out of the
 * filter). Each stays where it was, as last seen and marked, until a page read lists it again, or every
 * page is loaded and none does (then it left the filter), or the filter changes (`key`).
 */
export function useMovedAway(key: unknown) {
  const fresh = () => ({
    key,
    rows: new Map<string, { row: InboxConversation; at: number }>(),
    known: new Set<string>(),
  });
  const kept = useRef(fresh());
  if (kept.current.key !== key) kept.current = fresh();
  /**
   * Rows this tab itself changed (a batch assignment): where they went is known, and the pages read
   * again show it, so they are never kept as last seen (under "Unassigned", 50 rows just assigned
   * stayed listed as unassigned, marked moved down, until every page was loaded).
   */
  const forget = (ids: Iterable<string>) => {
    for (const id of ids) {
      kept.current.rows.delete(id);
      kept.current.known.add(id);
    }
  };
  const note = (
    before: readonly InboxConversation[],
    after: readonly InboxConversation[],
    touched: ReadonlySet<string>,
    complete: boolean,
  ) => {
    if (complete) return;
    const listed = new Set(after.map((c) => c.id));
    before.forEach((row, at) => {
      if (touched.has(row.id) && !listed.has(row.id) && !kept.current.known.has(row.id))
        kept.current.rows.set(row.id, { row, at });
    });
  };
  /** The rows listed with those moved away back in their places. */
  const rows = (listed: readonly InboxConversation[], more: boolean): InboxRow[] => {
    const away = kept.current.rows;
    for (const c of listed) away.delete(c.id);
    if (!more) away.clear();
    const out: InboxRow[] = [...listed];
    for (const { row, at } of [...away.values()].sort((a, b) => a.at - b.at))
      out.splice(Math.min(at, out.length), 0, { ...row, movedAway: true });
    return out;
  };
  return { note, rows, forget };
}
