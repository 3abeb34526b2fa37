import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isRetryableStatus } from '#shared/http/status.js';
import type { AgentRow } from './agents.js';
import { type Api, ApiError, type Conversation, type InboxConversation, type Page } from './api.js';
import type { Presence, Subscribe } from './app.js';
import { CustomerSearch } from './customer-search.js';
import { BulkBar, useSelection } from './inbox-bulk.js';
import { EmptyInbox } from './inbox-empty.js';
import { FilterForm, useRemovedAgents } from './inbox-filters.js';
import { ConversationRow, useNow } from './inbox-row.js';
import { type InboxRow, useMovedAway } from './moved-away.js';
import { ErrorNote } from './ui.js';
import { type UrgentArrivals, UrgentNotice, useUrgentArrivals } from './urgent.js';

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

/** One page of the inbox as read: the cursor it was read from (null: the first), its rows, the cursor after. */
interface Loaded {
  from: string | null;
  items: InboxConversation[];
  next: string | null;
}

/** Pages a batch of live events reads at most, the first included, however many pages show. */
export const LIVE_READS = 3;

/** The page of the inbox that starts at `from`. */
async function readPage(api: Api, filters: Filters, from: string | null): Promise<Loaded> {
  const page: Page<InboxConversation> = await api.get(`/api/conversations?${query(filters, from)}`);
  return { from, items: page.items, next: page.cursor };
}

/** The first `count` pages of the inbox, read in turn (each cursor names the next). */
async function readPages(api: Api, filters: Filters, count: number): Promise<Loaded[]> {
  const pages: Loaded[] = [];
  let from: string | null = null;
  for (let n = 0; n < count; n++) {
    const page = await readPage(api, filters, from);
    pages.push(page);
    from = page.next;
    if (!from) break;
  }
  return pages;
}

/** The rows of the pages in order, each conversation once (where it shows first). */
function rowsOf(pages: Loaded[]): InboxConversation[] {
  const seen = new Set<string>();
  return pages.flatMap((p) => p.items).filter((c) => !seen.has(c.id) && seen.add(c.id));
}

/** What a batch of live events touched: conversations and customers. */
interface Touched {
  conversations: Set<string>;
  customers: Set<string>;
}

/**
 * The pages a batch of live events reads again: the first (where a conversation newly waiting goes),
 * each page showing a row touched, and the last when every page shows and a touched conversation is on
 * none (a new one that lists late goes there); at most LIVE_READS of them, so an agent who loaded many
 * pages does not pay a read of each per event.
 */
export function pagesToRead(
  pages: Array<{ items: Array<{ id: string; customerId: string }>; next: string | null }>,
  touched: Touched,
): number[] {
  const want = new Set([0]);
  pages.forEach((p, k) => {
    if (p.items.some((c) => touched.conversations.has(c.id) || touched.customers.has(c.customerId)))
      want.add(k);
  });
  const shown = new Set(pages.flatMap((p) => p.items.map((c) => c.id)));
  const last = pages.length - 1;
  if (last > 0 && pages[last]?.next === null && [...touched.conversations].some((id) => !shown.has(id)))
    want.add(last);
  return [...want].sort((a, b) => a - b).slice(0, LIVE_READS);
}

/**
 * Reads again, a batch of live events at a time (at most every 300 ms), the pages `pagesToRead` names,
 * each put in its place; an erased customer's rows go at once.
 */
function useLiveRefresh(
  api: Api,
  filters: Filters,
  subscribe: Subscribe,
  held: { current: Loaded[] | undefined },
  setPages: (update: (cur: Loaded[] | undefined) => Loaded[] | undefined) => void,
  failed: { current: (e: Error) => void },
  setError: (message: string) => void,
  moved: ReturnType<typeof useMovedAway>['note'],
  urgent: UrgentArrivals['note'],
): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let touched: Touched = { conversations: new Set(), customers: new Set() };
    const refresh = () => {
      const now = held.current;
      const batch = touched;
      touched = { conversations: new Set(), customers: new Set() };
      if (!now) return;
      const picks = pagesToRead(now, batch);
      Promise.all(picks.map((k) => readPage(api, filters, now[k]?.from ?? null))).then((read) => {
        setPages((cur) => {
          const next = cur?.map((p, k) => {
            const i = picks.indexOf(k);
            const again = i < 0 ? undefined : read[i];
            return again && again.from === p.from ? again : p;
          });
          if (cur && next) {
            const [before, after] = [rowsOf(cur), rowsOf(next)];
            moved(before, after, batch.conversations, next.at(-1)?.next === null);
            urgent(before, after, batch.conversations);
          }
          return next;
        });
        setError('');
      }, failed.current);
    };
    const off = subscribe((event) => {
      if (!['conversation.updated', 'timeline.item', 'customer.updated'].includes(event.type)) return;
      // An erased customer's rows go at once (the eraser's own answer tells it too, socket or not).
      if (event.item?.change === 'erased')
        setPages((cur) =>
          cur?.map((p) => ({ ...p, items: p.items.filter((c) => c.customerId !== event.customerId) })),
        );
      if (event.conversationId) touched.conversations.add(event.conversationId);
      if (event.customerId) touched.customers.add(event.customerId);
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [subscribe, api, filters]);
}

/**
 * Loads the inbox a page at a time (each conversation with its customer's summary); "Load more" reads
 * the next page alone. An event that touches it (at most every 300 ms) reads again only the pages
 * `pagesToRead` names and puts each in its place, so a new conversation takes its place in the order
 * and a `customer.updated` shows a new name, in a bounded number of reads; an erased customer's rows leave.
 */
function useInbox(
  api: Api,
  filters: Filters,
  subscribe: Subscribe,
  reloads: number,
  urgent: UrgentArrivals['note'],
) {
  const [pages, setPages] = useState<Loaded[]>();
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  const held = useRef<Loaded[] | undefined>(undefined);
  held.current = pages;
  const asked = useRef({ filters, count: 1 });
  if (asked.current.filters !== filters) asked.current = { filters, count: 1 };
  /**
   * A failed read (the API busy or unreachable a moment) tries again by itself, as the live socket does;
   * a refusal (a 4xx but 408 and 429: a queue the policy does not have) says why and waits for a change.
   */
  const failed = useRef<(e: Error) => void>(() => {});
  useEffect(() => {
    let stale = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    failed.current = (e: Error) => {
      if (stale) return;
      setError(e.message);
      clearTimeout(retry);
      if (e instanceof ApiError && !isRetryableStatus(e.status)) return;
      retry = setTimeout(() => setTick((t) => t + 1), 2_000);
    };
    readPages(api, filters, asked.current.count).then((read) => {
      if (stale) return;
      setPages(read);
      setError('');
    }, failed.current);
    return () => {
      stale = true;
      clearTimeout(retry);
    };
  }, [api, filters, tick, reloads]);
  const away = useMovedAway(filters);
  useLiveRefresh(api, filters, subscribe, held, setPages, failed, setError, away.note, urgent);
  /** The cursor of the page being read for "Load more", so a second press reads it once. */
  const loading = useRef<string | null>(null);
  const loadMore = () => {
    const now = held.current;
    const from = now?.at(-1)?.next;
    if (!now || !from || loading.current === from) return;
    loading.current = from;
    readPage(api, filters, from).then(
      (page) => {
        loading.current = null;
        setPages((cur) => (cur?.at(-1)?.next === from ? [...cur, page] : cur));
        asked.current.count = Math.max(asked.current.count, now.length + 1);
      },
      (e: Error) => {
        loading.current = null;
        setError(e.message);
      },
    );
  };
  const items = useMemo(() => (pages ? rowsOf(pages) : undefined), [pages]);
  const more = Boolean(pages?.at(-1)?.next);
  /** After the tab's own batch: its rows are not kept as last seen, and the pages shown are read again. */
  const settled = (ids: readonly string[]) => {
    away.forget(ids);
    setTick((t) => t + 1);
  };
  return { items, error, more, loadMore, settled, rows: items ? away.rows(items, more) : undefined };
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
      {`Conversations: ${props.more ? `${props.count} shown, more below` : `${props.count} in all`}`}
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
  /** The registered agents and the queues known, for the filters' choices. */
  agents: readonly AgentRow[];
  queues: readonly string[];
  /** Who is signed in; an admin's filter names the removed agents still holding conversations so. */
  me: { agentId: string; admin: boolean };
}) {
  const removed = useRemovedAgents(props.api, props.me.admin, props.agents);
  const urgent = useUrgentArrivals();
  const { items, error, more, loadMore, settled, rows } = useInbox(
    props.api,
    props.filters,
    props.subscribe,
    props.reloads,
    urgent.note,
  );
  const now = useNow();
  const { picked, setPicked, toggle } = useSelection(JSON.stringify(props.filters));
  useEffect(() => props.onList(items ?? []), [items]);
  const row = (c: InboxRow) => (
    <ConversationRow
      key={c.id}
      conversation={c}
      selected={c.id === props.shown?.id}
      viewed={(props.presence.viewing[c.id] ?? []).length > 0}
      now={now}
      onSelect={() => props.onSelect(c)}
      picked={picked.has(c.id)}
      onPick={(on) => toggle(c.id, on)}
    />
  );
  return (
    <nav class="inbox" aria-label="Inbox">
      <h2 class="visually-hidden">Inbox</h2>
      <CustomerSearch
        api={props.api}
        subscribe={props.subscribe}
        shown={props.shown}
        onOpen={props.onSelect}
      />
      <FilterForm
        filters={props.filters}
        onFilters={props.onFilters}
        agents={props.agents}
        me={props.me.agentId}
        queues={props.queues}
        conversations={items}
        removed={removed}
      />
      <ErrorNote message={error} />
      <UrgentNotice urgent={urgent} rows={items} shown={props.shown} onOpen={props.onSelect} />
      {items?.length === 0 ? <EmptyInbox {...props} /> : null}
      {items?.length ? (
        <BulkBar
          api={props.api}
          rows={items}
          picked={picked}
          onPicked={setPicked}
          onDone={settled}
          agents={props.agents}
          queues={props.queues}
        />
      ) : null}
      <ul class="conversations" aria-label="Conversations">
        {(rows ?? []).map(row)}
      </ul>
      {items?.length ? <MoreRows count={items.length} more={more} onMore={loadMore} /> : null}
    </nav>
  );
}
