import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type Api,
  type ChannelOption,
  type Conversation,
  type CustomerView,
  readAllPages,
  type TimelineItem,
} from './api.js';
import type { Presence, Subscribe } from './app.js';
import { CustomerPanel } from './customer-panel.js';
import { channelName } from './format.js';
import { ReplyBox } from './reply-box.js';
import type { Session } from './session.js';
import { TimelineEntry } from './timeline-item.js';
import { ErrorNote } from './ui.js';
import { VirtualList } from './virtual-list.js';

/** Puts a live item in place: the same id replaces (a status moved), a new one goes in time order. */
export function upsert(items: TimelineItem[], item: TimelineItem): TimelineItem[] {
  const at = items.findIndex((i) => i.id === item.id);
  if (at >= 0) {
    const next = items.slice();
    next[at] = { ...items[at], ...item };
    return next;
  }
  const lastInbound = items.findLast((i) => i.type === 'message' && i.direction === 'inbound');
  const add: TimelineItem[] = [];
  if (
    item.type === 'message' &&
    item.direction === 'inbound' &&
    lastInbound?.channel &&
    item.channel !== lastInbound.channel
  )
    add.push({
      ...item,
      id: `switch:${item.id}`,
      type: 'event',
      event: 'channel_switch',
      data: { from: lastInbound.channel, to: item.channel },
    });
  add.push(item);
  let index = items.length;
  while (index > 0 && (items[index - 1]?.at ?? '') > item.at) index--;
  return [...items.slice(0, index), ...add, ...items.slice(index)];
}

function useConversationData(api: Api, customerId: string, subscribe: Subscribe, reloads: number) {
  const [customer, setCustomer] = useState<CustomerView>();
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [loading, setLoading] = useState(true);
  const [channels, setChannels] = useState<ChannelOption[]>();
  const [tick, setTick] = useState(0);
  const ids = useRef(new Set([customerId]));
  const refreshProfile = () => {
    api.get<CustomerView>(`/api/customers/${customerId}`).then((c) => {
      ids.current = new Set([customerId, ...c.mergedFrom]);
      setCustomer(c);
    });
    api
      .get<ChannelOption[]>(`/api/customers/${customerId}/channels`)
      .then(setChannels, () => setChannels([]));
  };
  useEffect(() => {
    let stale = false;
    const buffered: TimelineItem[] = [];
    setLoading(true);
    refreshProfile();
    let loadingNow = true;
    const off = subscribe((event) => {
      if (event.type === 'timeline.item' && ids.current.has(event.customerId ?? '')) {
        if (loadingNow) buffered.push(event.item);
        else setItems((list) => upsert(list, event.item));
        if (event.item?.direction === 'inbound') refreshProfile();
      }
      if (event.type === 'customer.updated' && ids.current.has(event.customerId ?? '')) refreshProfile();
    });
    let all: TimelineItem[] = [];
    readAllPages<TimelineItem>(
      api,
      `/api/customers/${customerId}/timeline`,
      (page, done) => {
        all = all.concat(page);
        if (done) {
          loadingNow = false;
          for (const item of buffered) all = upsert(all, item);
          setLoading(false);
        }
        setItems(all);
      },
      () => stale,
    ).catch(() => setLoading(false));
    return () => {
      stale = true;
      off();
    };
  }, [api, customerId, reloads, tick]);
  return {
    customer,
    items,
    loading,
    channels,
    setItems,
    refreshProfile,
    reload: () => setTick((t) => t + 1),
  };
}

function ConversationHead(props: {
  conversation: Conversation;
  name: string;
  others: string[];
  typing: string[];
  error: string;
  onBack(): void;
  onAssign(body: { agentId?: string; queue?: string }): void;
  onResolve(): void;
}) {
  const { conversation: c } = props;
  return (
    <header class="conversation-head">
      <button type="button" class="back" onClick={props.onBack}>
        Back to inbox
      </button>
      <h2 id="conversation-title">{props.name}</h2>
      <p class="meta">
        {c.status === 'open' ? 'Open' : 'Resolved'} ·{' '}
        {c.assignee ? `assigned to ${c.assignee}` : 'unassigned'}
        {c.queue ? ` · queue ${c.queue}` : ''} · {c.channels.map(channelName).join(', ')}
      </p>
      <div class="actions">
        <button type="button" onClick={() => props.onAssign({ agentId: 'me' })}>
          Assign to me
        </button>
        <TransferForm onTransfer={props.onAssign} />
        <button type="button" onClick={props.onResolve} aria-keyshortcuts="e">
          {c.status === 'open' ? 'Resolve' : 'Reopen'}
        </button>
      </div>
      <p class="awareness" aria-live="polite">
        {props.others.length ? `Also viewing: ${props.others.join(', ')}` : ''}
        {props.typing.length ? ` · ${props.typing.join(', ')} typing…` : ''}
      </p>
      <ErrorNote message={props.error} />
    </header>
  );
}

/** The open conversation: its header and actions, the customer's whole timeline, the reply box, the customer. */
export function ConversationView(props: {
  api: Api;
  session: Session;
  conversation: Conversation;
  onConversation(c: Conversation): void;
  onBack(): void;
  onResolve(): Promise<void>;
  subscribe: Subscribe;
  reloads: number;
  presence: Presence;
  onTyping(): void;
  composer: { mode: 'reply' | 'note'; at: number } | undefined;
}) {
  const { api, conversation: c } = props;
  const data = useConversationData(api, c.customerId, props.subscribe, props.reloads);
  const [error, setError] = useState('');
  const act = (work: () => Promise<void>) => work().catch((e: Error) => setError(e.message));
  const others = (props.presence.viewing[c.id] ?? []).filter((a) => a !== props.session.agentId);
  const typing = Object.entries(props.presence.typing[c.id] ?? {})
    .filter(([agent, until]) => agent !== props.session.agentId && until > Date.now())
    .map(([agent]) => agent);
  return (
    <>
      <main class="conversation" aria-labelledby="conversation-title">
        <ConversationHead
          conversation={c}
          name={data.customer?.name ?? data.customer?.identities[0]?.value ?? c.customerId}
          others={others}
          typing={typing}
          error={error}
          onBack={props.onBack}
          onAssign={(body) =>
            act(async () =>
              props.onConversation(
                await api.send<Conversation>('POST', `/api/conversations/${c.id}/assign`, body),
              ),
            )
          }
          onResolve={() => act(props.onResolve)}
        />
        <section class="timeline" aria-label="Timeline" aria-busy={data.loading}>
          {data.loading ? <p class="muted loading">Loading the timeline… {data.items.length} items</p> : null}
          <VirtualList
            items={data.items}
            keyOf={(i) => i.id}
            render={(i) => <TimelineEntry item={i} />}
            label="Messages"
          />
        </section>
        <ReplyBox
          api={api}
          conversation={c}
          channels={data.channels}
          onSent={(item) => data.setItems((list) => upsert(list, item))}
          onTyping={props.onTyping}
          composer={props.composer}
        />
      </main>
      {data.customer ? (
        <CustomerPanel
          api={api}
          session={props.session}
          customer={data.customer}
          items={data.items}
          onChanged={() => {
            data.refreshProfile();
            data.reload();
          }}
        />
      ) : null}
    </>
  );
}

function TransferForm(props: { onTransfer(body: { agentId?: string; queue?: string }): void }) {
  return (
    <form
      class="transfer"
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget as HTMLFormElement);
        const agentId = String(form.get('agent') ?? '').trim();
        const queue = String(form.get('queue') ?? '').trim();
        if (agentId || queue)
          props.onTransfer({ ...(agentId ? { agentId } : {}), ...(queue ? { queue } : {}) });
      }}
    >
      <label>
        Agent
        <input name="agent" size={10} />
      </label>
      <label>
        Queue
        <input name="queue" size={10} />
      </label>
      <button type="submit">Transfer</button>
    </form>
  );
}
