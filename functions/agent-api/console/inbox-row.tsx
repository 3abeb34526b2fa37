import { useEffect, useState } from 'preact/hooks';
import { customerLabel } from './customer-label.js';
import { channelName, clock, nextDeadline, since } from './format.js';
import { missedCallLabel } from './missed-call-text.js';
import type { InboxRow } from './moved-away.js';

/** What a row says of its state: snoozed until when, waiting how long (as of `now`), answered, or its status. */
function rowState(c: InboxRow, now: number): string {
  if (c.snoozedUntil) return `snoozed until ${clock(c.snoozedUntil)}`;
  if (c.waiting && c.waitingSince) return `waiting ${since(c.waitingSince, now)}`;
  return c.status === 'open' ? 'answered' : c.status;
}

/** The time now, moved every 15 seconds, so "waiting 40 s" counts on while nothing else happens. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The row's next response target: which one and when it is due, or, once that time has passed, how
 * long it is overdue (marked, so a breached conversation stands out of a long list).
 */
function Deadline(props: { sla: unknown; now: number }) {
  const next = nextDeadline(props.sla);
  if (!next) return null;
  if (Date.parse(next.at) > props.now) return <>{` · ${next.metric} due ${clock(next.at)}`}</>;
  return (
    <>
      {' · '}
      <span class="overdue">
        {next.metric} overdue {since(next.at, props.now)}
      </span>
    </>
  );
}

/** A priority above normal, as a badge before the channels (a breach's action raises it). */
function PriorityBadge(props: { priority: string | undefined }) {
  if (props.priority !== 'high' && props.priority !== 'urgent') return null;
  return (
    <span class={`badge priority-${props.priority}`}>{props.priority === 'urgent' ? 'Urgent' : 'High'}</span>
  );
}

/**
 * The tick box's name: who, and what tells their rows apart where several read the same ("Messenger
 * user" three times): the first words and the state.
 */
function pickName(who: string, c: InboxRow, now: number): string {
  const missed = missedCallLabel(c.missedCallAt, clock);
  return `Select ${who}${c.preview ? `: ${c.preview}` : ''}, ${missed ? `${missed}, ` : ''}${rowState(c, now)}`;
}

/** A conversation waiting for a call-back: "Missed call 14:05", a badge (the row's, the header's). */
export function MissedCallBadge(props: { at: string | undefined }) {
  const label = missedCallLabel(props.at, clock);
  return label ? <span class="badge missed-call">{label}</span> : null;
}

/**
 * One conversation of the inbox: who, the first words of their first message in it (`preview`, one line:
 * cut with an ellipsis by the style sheet, set in its own direction so a right-to-left message keeps the
 * row's words in order), priority, channels, state, next target, assignee, queue.
 */
export function ConversationRow(props: {
  conversation: InboxRow;
  selected: boolean;
  viewed: boolean;
  now: number;
  onSelect(): void;
  /** Ticked for the inbox's batch assignment. */
  picked: boolean;
  onPick(on: boolean): void;
}) {
  const { conversation: c } = props;
  const who = customerLabel(c.customer?.name, c.customer?.identity);
  return (
    <li class="inbox-item">
      <input
        type="checkbox"
        class="pick"
        aria-label={pickName(who.text ?? c.customerId, c, props.now)}
        checked={props.picked}
        onChange={(e) => props.onPick(e.currentTarget.checked)}
      />
      <button
        type="button"
        class="conversation-row"
        aria-current={props.selected ? 'true' : undefined}
        data-conversation={c.id}
        onClick={props.onSelect}
      >
        <span class="name" title={who.title}>
          {who.text ?? c.customerId}
        </span>
        {c.preview ? (
          <span class="preview" dir="auto" title={c.preview}>
            {c.preview}
          </span>
        ) : null}
        <span class="badges">
          <PriorityBadge priority={c.priority} />
          <MissedCallBadge at={c.missedCallAt} />
          {(c.channels.length ? c.channels : c.channel ? [c.channel] : []).map((ch) => (
            <span key={ch} class={`badge ch-${ch}`}>
              {channelName(ch)}
            </span>
          ))}
        </span>
        <span class="meta">
          {rowState(c, props.now)}
          <Deadline sla={c.sla} now={props.now} />
          {c.assignee ? ` · ${c.assignee}` : ' · unassigned'}
          {c.queue ? ` · ${c.queue}` : ''}
          {props.viewed ? ' · being viewed' : ''}
          {c.movedAway ? ' · updated: moved down to a page not loaded' : ''}
        </span>
      </button>
    </li>
  );
}
