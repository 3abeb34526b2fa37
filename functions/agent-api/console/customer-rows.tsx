import { useEffect, useRef } from 'preact/hooks';
import type { Customer } from './api.js';
import { customerLabel } from './customer-label.js';
import { rowAfterKey, seenText } from './customer-list-state.js';
import { channelName, clock, identityName } from './format.js';
import { useNow } from './inbox-row.js';
import { CopyId, focusLost } from './ui.js';

/**
 * One customer: who (name, else their first identity), the channels they used, their identities, when
 * first seen and when they last wrote, their id with a Copy, and the button that opens them.
 */
function CustomerRow(props: { customer: Customer; now: number; onOpen(): void }) {
  const { customer: c } = props;
  const who = customerLabel(c.name, c.identities[0]);
  const nameId = `customer-name-${c.id}`;
  const seenTitle = `first seen ${clock(c.createdAt)}${c.lastInboundAt ? `, last wrote ${clock(c.lastInboundAt)}` : ''}`;
  return (
    <li data-customer={c.id}>
      <strong id={nameId} title={who.title}>
        {who.text ?? 'unnamed'}
      </strong>
      <span class="badges">
        {c.channels.map((ch) => (
          <span key={ch} class={`badge ch-${ch}`}>
            {channelName(ch)}
          </span>
        ))}
      </span>
      <span class="muted identities">
        {c.identities.map((i) => `${identityName(i.kind)} ${i.display ?? i.value}`).join(' · ')}
      </span>
      <span class="muted seen" title={seenTitle}>
        {seenText(c, props.now)}
      </span>
      <CopyId id={c.id} />
      <button type="button" class="open-customer" aria-describedby={nameId} onClick={props.onOpen}>
        {c.openConversationId ? 'Open conversation' : 'View customer'}
      </button>
      {c.openConversationId ? null : <span class="muted"> no open conversation</span>}
    </li>
  );
}

/**
 * The customers listed, each row's Open button reached by j and k (or ↓ and ↑, Home and End) once the
 * focus is in the list; Enter opens, as any button. The keys go no further: j and k there move through
 * these rows, not through the inbox's conversations. When More's page came and the focus was lost
 * (its button went with the last page), it goes to the first row added. Escape goes back to the field.
 */
export function CustomerList(props: {
  label: string;
  customers: Customer[];
  onOpen(id: string): void;
  /** Escape in the list: back to the search field. */
  onEscape(): void;
}) {
  const list = useRef<HTMLUListElement>(null);
  const count = useRef(props.customers.length);
  const now = useNow();
  useEffect(() => {
    const before = count.current;
    count.current = props.customers.length;
    if (props.customers.length > before && before > 0 && focusLost())
      list.current?.querySelectorAll<HTMLButtonElement>('button.open-customer')[before]?.focus();
  }, [props.customers.length]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    if (e.key === 'Escape') {
      e.stopPropagation();
      return props.onEscape();
    }
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.open-customer') ?? [])];
    const row = (e.target as Element).closest('li');
    const to = rowAfterKey(
      e.key,
      buttons.findIndex((b) => b.closest('li') === row),
      buttons.length,
    );
    if (to === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    buttons[to]?.focus();
  };
  return (
    <ul ref={list} class="found" aria-label={props.label} onKeyDown={onKeyDown}>
      {props.customers.map((c) => (
        <CustomerRow key={c.id} customer={c} now={now} onOpen={() => props.onOpen(c.id)} />
      ))}
    </ul>
  );
}

/**
 * Back from a conversation opened from the customers listed (Back to inbox, at phone width) puts the
 * focus on that customer's row again, a frame after the console put it on the inbox's row or the search
 * field, so `j` and `k` go on from there. Only for the conversation opened here: one reached since by
 * `j`, `k` or a click elsewhere goes back as the console does. Answers what to call on an open.
 */
export function useBackToRow(
  shownId: string | undefined,
): (conversationId: string, customerId: string) => void {
  const opened = useRef<{ conversationId: string; customerId: string }>();
  const left = useRef(shownId);
  useEffect(() => {
    const was = left.current;
    left.current = shownId;
    const from = opened.current;
    if (shownId || !from || from.conversationId !== was) return;
    const frame = requestAnimationFrame(() =>
      document
        .querySelector<HTMLButtonElement>(
          `.customer-search li[data-customer="${CSS.escape(from.customerId)}"] button.open-customer`,
        )
        ?.focus(),
    );
    return () => cancelAnimationFrame(frame);
  }, [shownId]);
  return (conversationId, customerId) => {
    opened.current = { conversationId, customerId };
  };
}

/** The foot of the customers listed: how many show, and More while the API's cursor says more follow. */
export function MoreFound(props: { count: number; what: string; reading: boolean; onMore?: () => void }) {
  return (
    <p class="more-rows" role="status">
      {`Customers: ${props.onMore ? `${props.count} shown, ${props.what}` : `${props.count} in all`}`}
      {props.onMore ? (
        <button type="button" onClick={props.onMore} aria-disabled={props.reading}>
          More
        </button>
      ) : null}
    </p>
  );
}
