import { useEffect, useState } from 'preact/hooks';
import type { Api, Conversation, InboxConversation, Page } from './api.js';
import type { Presence, Subscribe } from './app.js';
import { channelName, clock, since, slaDue } from './format.js';
import { ErrorNote } from './ui.js';

/** The inbox filter, as `GET /api/conversations` takes it. */
export interface Filters {
  status: 'open' | 'resolved';
  assignee: string;
  queue: string;
  channel: string;
  sort: 'waiting' | 'due';
}

const CHANNELS = ['whatsapp', 'sms', 'voice', 'email', 'messenger', 'instagram'];

function query(filters: Filters): string {
  const q = new URLSearchParams({ status: filters.status, sort: filters.sort, limit: '100' });
  if (filters.assignee) q.set('assignee', filters.assignee);
  if (filters.queue.trim()) q.set('queue', filters.queue.trim());
  if (filters.channel) q.set('channel', filters.channel);
  return q.toString();
}

/**
 * Loads the inbox (each conversation with its customer's summary), again (at most every 300 ms) when an
 * event touches it: a `customer.updated` reloads it too, so a new name shows.
 */
function useInbox(api: Api, filters: Filters, subscribe: Subscribe, reloads: number) {
  const [items, setItems] = useState<InboxConversation[]>();
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stale = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    api.get<Page<InboxConversation>>(`/api/conversations?${query(filters)}`).then(
      (page) => {
        if (stale) return;
        setItems(page.items);
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
  }, [api, filters, tick, reloads]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe((event) => {
      if (!['conversation.updated', 'timeline.item', 'customer.updated'].includes(event.type)) return;
      clearTimeout(timer);
      timer = setTimeout(() => setTick((t) => t + 1), 300);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [subscribe]);
  return { items, error };
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

function ConversationRow(props: {
  conversation: InboxConversation;
  selected: boolean;
  viewed: boolean;
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
          {c.waitingSince ? `waiting ${since(c.waitingSince)}` : c.status}
          {due ? ` · due ${clock(due)}` : ''}
          {c.assignee ? ` · ${c.assignee}` : ' · unassigned'}
          {c.queue ? ` · ${c.queue}` : ''}
          {props.viewed ? ' · being viewed' : ''}
        </span>
      </button>
    </li>
  );
}

/** The inbox: filters, then the conversations longest waiting (or soonest due) first. */
export function Inbox(props: {
  api: Api;
  filters: Filters;
  onFilters(filters: Filters): void;
  selected: string | undefined;
  onSelect(conversation: Conversation): void;
  onList(list: Conversation[]): void;
  subscribe: Subscribe;
  reloads: number;
  presence: Presence;
}) {
  const { items, error } = useInbox(props.api, props.filters, props.subscribe, props.reloads);
  useEffect(() => props.onList(items ?? []), [items]);
  return (
    <nav class="inbox" aria-label="Inbox">
      <h2 class="visually-hidden">Inbox</h2>
      <FilterForm filters={props.filters} onFilters={props.onFilters} />
      <ErrorNote message={error} />
      {items && items.length === 0 ? <p class="muted">Nothing here.</p> : null}
      <ul class="conversations" aria-label="Conversations">
        {(items ?? []).map((c) => (
          <ConversationRow
            key={c.id}
            conversation={c}
            selected={c.id === props.selected}
            viewed={(props.presence.viewing[c.id] ?? []).length > 0}
            onSelect={() => props.onSelect(c)}
          />
        ))}
      </ul>
    </nav>
  );
}
