import { useEffect, useRef, useState } from 'preact/hooks';
import { announce, titleUrgent } from './announce.js';
import type { InboxConversation } from './api.js';
import {
  arrivalOf,
  stillUrgent,
  turnedUrgent,
  type UrgentArrival,
  urgentText,
  urgentTitle,
} from './urgent-text.js';

/**
 * Urgent arrivals in the inbox's view (`turnedUrgent`, noted by its live updates as they land): each
 * conversation told once in this tab through the console's status line (polite, as every other), and
 * kept as a notice until it is opened or dismissed. One open already (`shownId`) is not told: the agent
 * is looking at it. A page read (a reconnect's, a filter's, Load more) tells nothing, and an event on a
 * conversation already urgent in the view tells nothing again.
 */
export function useUrgentArrivals() {
  const pending = useRef(new Map<string, InboxConversation>());
  const told = useRef(new Set<string>());
  const [notices, setNotices] = useState<UrgentArrival[]>([]);
  /** Called with the rows before and after a live update's page reads. */
  const note = (
    before: readonly InboxConversation[],
    after: readonly InboxConversation[],
    touched: ReadonlySet<string>,
  ) => {
    for (const c of turnedUrgent(before, after, touched)) pending.current.set(c.id, c);
  };
  /** Tells what was noted, once the rows are drawn. */
  const tell = (shownId: string | undefined) => {
    const fresh = [...pending.current.values()].filter((c) => !told.current.has(c.id));
    pending.current.clear();
    for (const c of fresh) told.current.add(c.id);
    const arrivals = fresh.filter((c) => c.id !== shownId).map(arrivalOf);
    if (!arrivals.length) return;
    announce(urgentText(arrivals));
    setNotices((up) => [...arrivals, ...up.filter((n) => !arrivals.some((a) => a.id === n.id))]);
  };
  /** Takes notices down: the one opened, or all (Dismiss). */
  const drop = (id?: string) =>
    setNotices((up) =>
      id === undefined ? [] : up.some((n) => n.id === id) ? up.filter((n) => n.id !== id) : up,
    );
  return { note, tell, drop, notices };
}

export type UrgentArrivals = ReturnType<typeof useUrgentArrivals>;

/**
 * The urgent arrivals not opened yet, above the inbox's rows, each a button that opens it: a sighted
 * agent sees them wherever the rows sorted them, and the tab's title names them. The name and the first
 * words are each isolated in their own direction, the ", " between them outside both: an Arabic name's
 * trailing digit would otherwise join the Arabic words after it. Tells what the live
 * updates noted once `rows` are drawn; takes down the one opened. Not a live region: the status line
 * said them already.
 */
export function UrgentNotice(props: {
  urgent: UrgentArrivals;
  rows: readonly InboxConversation[] | undefined;
  shown: { id: string } | undefined;
  onOpen(conversation: InboxConversation): void;
}) {
  const { urgent, rows = [], shown } = props;
  useEffect(() => urgent.tell(shown?.id), [props.rows]);
  useEffect(() => {
    if (shown) urgent.drop(shown.id);
  }, [shown?.id]);
  const up = stillUrgent(urgent.notices, rows);
  const named = urgentTitle(up);
  useEffect(() => titleUrgent(named), [named]);
  useEffect(() => () => titleUrgent(''), []);
  if (!up.length) return null;
  return (
    <div class="urgent-notice">
      <ul aria-label="Urgent arrivals">
        {up.map((n) => (
          <li key={n.id}>
            <button
              type="button"
              class="urgent-open"
              onClick={() => {
                const c = rows.find((r) => r.id === n.id);
                if (c) props.onOpen(c);
              }}
            >
              <strong>Urgent:</strong> <bdi dir="auto">{n.who}</bdi>
              {n.preview ? (
                <>
                  {', '}
                  <bdi dir="auto">{n.preview}</bdi>
                </>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => urgent.drop()}>
        Dismiss
      </button>
    </div>
  );
}
