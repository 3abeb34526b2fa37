import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Conversation, InboxConversation, Page } from './api.js';
import type { Presence, Subscribe } from './app.js';
import { CustomerSearch } from './customer-search.js';
import { CHANNELS, channelName, clock, since, slaDue } from './format.js';
import { ErrorNote } from './ui.js';

/** The inbox filter, as `GET /api/conversations` takes it. */
export interface Filters {
  status: 'open' | 'resolved' | 'snoozed';
  assignee: string;
  queue: string;
  channel: string;
  sort: 'waiting' | 'due';
}

/** Rows a page of the inbox asks for. */
export const INBOX_PAGE = 50;

function query(filters: Filters, cursor: string | null): string {
  const q = new URLSearchParams({ status: filters.status, sort: filters.sort, limit: String(INBOX_PAGE) });
  if (filters.assignee) q.set('assignee', filters.assignee);
  if (filters.queue.trim()) q.set('queue', filters.queue.trim());
  if (filters.channel) q.set('channel', filters.channel);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** The first `pages` pages of the inbox, and the cursor after them (null: nothing more). */
async function readPages(api: Api, filters: Filters, pages: number) {
  let items: InboxConversation[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < pages; n++) {
    const page: Page<InboxConversation> = await api.get(`/api/conversations?${query(filters, cursor)}`);
    items = items.concat(page.items.filter((c) => !items.some((i) => i.id === c.id)));
    cursor = page.cursor;
    if (!cursor) break;
  }
  return { items, cursor };
}

/**
 * Loads the inbox a page at a time (each conversation with its customer's summary), and the pages shown
 * again (at most every 300 ms) when an event touches it, so a new conversation takes its place in the
 * order: a `customer.updated` reloads it too, so a new name shows, and an erased customer's rows leave.
 */
function useInbox(api: Api, filters: Filters, subscribe: Subscribe, reloads: number) {
  const [items, setItems] = useState<InboxConversation[]>();
  const [more, setMore] = useState(false);
  const [pages, setPages] = useState(1);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => setPages(1), [filters]);
  useEffect(() => {
    let stale = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    readPages(api, filters, pages).then(
      (read) => {
        if (stale) return;
        setItems(read.items);
        setMore(read.cursor !== null);
        setError('');
      },
      (e: Error) => {
        if (stale) return;
        setError(e.message);
        // A failed load (the API busy or unreachable a moment) tries again by itself, as the live socket does.
        retry = setTimeout(() => setTick((t) => t + 1), 2_000);
      },
    );
    return () => {
      stale = true;
      clearTimeout(retry);
    };
  }, [api, filters, pages, tick, reloads]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe((event) => {
      if (!['conversation.updated', 'timeline.item', 'customer.updated'].includes(event.type)) return;
      // An erased customer's rows go at once (the eraser's own answer tells it too, socket or not).
      if (event.item?.change === 'erased')
        setItems((rows) => rows?.filter((c) => c.customerId !== event.customerId));
      clearTimeout(timer);
      timer = setTimeout(() => setTick((t) => t + 1), 300);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [subscribe]);
  return { items, error, more, loadMore: () => setPages((n) => n + 1) };
}

function FilterForm(props: { filters: Filters; onFilters(filters: Filters): void }) {
  const { filters } = props;
  const set = (patch: Partial<Filters>) => props.onFilters({ ...filters, ...patch });
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  const select = (label: string, key: keyof Filters, options: Array<[string, string]>) => (
    <label>
      {label}
      <select value={filters[key]} onChange={(e) => set({ [key]: value(e) })}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="filters" aria-label="Inbox filters" onSubmit={(e) => e.preventDefault()}>
      {select('Status', 'status', [
        ['open', 'Open'],
        ['resolved', 'Resolved'],
        ['snoozed', 'Snoozed'],
      ])}
      {select('Assigned', 'assignee', [
        ['', 'Anyone'],
        ['me', 'Mine'],
        ['unassigned', 'Unassigned'],
      ])}
      {select('Channel', 'channel', [
        ['', 'Any'],
        ...CHANNELS.map((c): [string, string] => [c, channelName(c)]),
      ])}
      <label>
        Queue
        <input value={filters.queue} placeholder="any" onChange={(e) => set({ queue: value(e) })} />
      </label>
      {select('Sort', 'sort', [
        ['waiting', 'Waiting longest'],
        ['due', 'SLA due soonest'],
      ])}
    </form>
  );
}

/** What a row says of its state: snoozed until when, waiting how long (as of `now`), answered, or its status. */
function rowState(c: InboxConversation, now: number): string {
  if (c.snoozedUntil) return `snoozed until ${clock(c.snoozedUntil)}`;
  if (c.waiting && c.waitingSince) return `waiting ${since(c.waitingSince, now)}`;
  return c.status === 'open' ? 'answered' : c.status;
}

/** The time now, moved every 15 seconds, so "waiting 40 s" counts on while nothing else happens. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function ConversationRow(props: {
  conversation: InboxConversation;
  selected: boolean;
  viewed: boolean;
  now: number;
  onSelect(): void;
}) {
  const { conversation: c } = props;
  const due = slaDue(c.sla);
  return (
    <li>
      <button
        type="button"
        class="conversation-row"
        aria-current={props.selected ? 'true' : undefined}
        data-conversation={c.id}
        onClick={props.onSelect}
      >
        <span class="name">{c.customer?.name ?? c.customer?.identity?.value ?? c.customerId}</span>
        <span class="badges">
          {(c.channels.length ? c.channels : c.channel ? [c.channel] : []).map((ch) => (
            <span key={ch} class={`badge ch-${ch}`}>
              {channelName(ch)}
            </span>
          ))}
        </span>
        <span class="meta">
          {rowState(c, props.now)}
          {due ? ` · due ${clock(due)}` : ''}
          {c.assignee ? ` · ${c.assignee}` : ' · unassigned'}
          {c.queue ? ` · ${c.queue}` : ''}
          {props.viewed ? ' · being viewed' : ''}
        </span>
      </button>
    </li>
  );
}

/** How many rows show and whether more follow: a button, pressed by itself when it scrolls into view. */
function MoreRows(props: { count: number; more: boolean; onMore(): void }) {
  const button = useRef<HTMLButtonElement>(null);
  const onMore = useRef(props.onMore);
  onMore.current = props.onMore;
  useEffect(() => {
    const el = button.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore.current();
    });
    seen.observe(el);
    return () => seen.disconnect();
  }, [props.more, props.count]);
  return (
    <p class="more-rows" role="status">
      {props.more ? `${props.count} shown, more below` : `${props.count} in all`}
      {props.more ? (
        <button ref={button} type="button" onClick={props.onMore}>
          Load more
        </button>
      ) : null}
    </p>
  );
}

/** The inbox: filters, then the conversations longest waiting (or soonest due) first. */
export function Inbox(props: {
  api: Api;
  filters: Filters;
  onFilters(filters: Filters): void;
  /** The conversation open in the view. */
  shown: Conversation | undefined;
  onSelect(conversation: Conversation): void;
  onList(list: Conversation[]): void;
  subscribe: Subscribe;
  reloads: number;
  presence: Presence;
}) {
  const { items, error, more, loadMore } = useInbox(props.api, props.filters, props.subscribe, props.reloads);
  const now = useNow();
  useEffect(() => props.onList(items ?? []), [items]);
  return (
    <nav class="inbox" aria-label="Inbox">
      <h2 class="visually-hidden">Inbox</h2>
      <CustomerSearch
        api={props.api}
        subscribe={props.subscribe}
        shown={props.shown}
        onOpen={props.onSelect}
      />
      <FilterForm filters={props.filters} onFilters={props.onFilters} />
      <ErrorNote message={error} />
      {items && items.length === 0 ? <p class="muted">Nothing here.</p> : null}
      <ul class="conversations" aria-label="Conversations">
        {(items ?? []).map((c) => (
          <ConversationRow
            key={c.id}
            conversation={c}
            selected={c.id === props.shown?.id}
            viewed={(props.presence.viewing[c.id] ?? []).length > 0}
            now={now}
            onSelect={() => props.onSelect(c)}
          />
        ))}
      </ul>
      {items?.length ? <MoreRows count={items.length} more={more} onMore={loadMore} /> : null}
    </nav>
  );
}
