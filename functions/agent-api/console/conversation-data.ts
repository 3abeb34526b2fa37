import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type Api,
  type ApiError,
  type ChannelOption,
  type CustomerView,
  newestPage,
  type TimelineItem,
} from './api.js';
import type { Subscribe } from './app.js';
import type { LiveEvent } from './live.js';
import { upsert, withEarlier } from './upsert.js';

/** Items the view opens on (the newest), and read a press of "Earlier messages". */
const NEWEST_ITEMS = 50;
const EARLIER_ITEMS = 100;

/** Whether older items than those shown are there to read, and a read of them on its way or failed. */
export interface Earlier {
  cursor: string | null;
  busy?: boolean;
  failed?: boolean;
  /** How many items the last press read (said to a screen reader). */
  added?: number;
}

/**
 * The older pages of the timeline, read on demand: `load` reads the page before those shown and puts it
 * first. `opened()` starts again from a newest page just read (its cursor); an older page of a read
 * before it is dropped.
 */
function useEarlier(
  api: Api,
  customerId: string,
  setItems: (change: (list: TimelineItem[]) => TimelineItem[]) => void,
) {
  const [earlier, setEarlier] = useState<Earlier>({ cursor: null });
  const reads = useRef(0);
  const load = () => {
    const { cursor, busy } = earlier;
    if (!cursor || busy) return;
    const read = reads.current;
    setEarlier({ cursor, busy: true });
    newestPage(api, customerId, EARLIER_ITEMS, cursor).then(
      (page) => {
        if (read !== reads.current) return;
        setItems((list) => withEarlier(page.items, list));
        setEarlier({ cursor: page.cursor, added: page.items.length });
      },
      () => {
        if (read === reads.current) setEarlier({ cursor, failed: true });
      },
    );
  };
  const opened = (cursor: string | null) => {
    reads.current++;
    setEarlier({ cursor });
  };
  return { earlier, load, opened };
}

/**
 * A live timeline item put in place. An item shown as this customer's that an event now names under
 * another customer was moved away by an unmerge (its copy goes to the other customer before it leaves
 * this timeline, which tells nothing): it is dropped. Items of customers the view does not hold are ignored.
 */
function applyItem(
  list: TimelineItem[],
  event: LiveEvent,
  customerId: string,
  ids: ReadonlySet<string>,
): TimelineItem[] {
  const item = event.item as TimelineItem | undefined;
  if (!item) return list;
  const owner = event.customerId ?? '';
  const shown = list.find((i) => i.id === item.id);
  if (shown && shown.customerId === customerId && owner !== customerId)
    return list.filter((i) => i !== shown);
  return ids.has(owner) ? upsert(list, item) : list;
}

/**
 * The customer's profile, read again when asked. Answers can come back out of order (a read asked before
 * a Reopen answering after one asked since): one older than the profile shown is dropped. A read that
 * fails is asked again after 2 s (before, nothing read it again until a live event, and a stale status
 * stayed); a `410` is a customer erased (or being erased). `read` is the number of the read `customer`
 * came from, `asked()` that of the last read asked.
 */
function useProfile(
  api: Api,
  firstId: string,
  customerId: string,
  ids: { current: Set<string> },
  follow: (mergedInto: string) => void,
  refreshChannels: () => void,
) {
  const [customer, setCustomer] = useState<CustomerView>();
  const [erased, setErased] = useState(false);
  const reads = useRef({ asked: 0, shown: 0, retry: undefined as ReturnType<typeof setTimeout> | undefined });
  const r = reads.current;
  const refreshProfile = () => {
    const n = ++r.asked;
    clearTimeout(r.retry);
    api.get<CustomerView>(`/api/customers/${customerId}`).then(
      (c) => {
        if (n < r.shown) return;
        r.shown = n;
        ids.current = new Set([firstId, customerId, ...c.mergedFrom]);
        if (c.mergedInto && c.mergedInto !== customerId) return follow(c.mergedInto);
        setCustomer(c);
      },
      (e: Partial<ApiError>) => {
        // A network failure has no status: it is tried again, as a 5xx is; a 4xx is not.
        if (e.status === 410) return setErased(true);
        if (n === r.asked && !((e.status ?? 500) < 500)) r.retry = setTimeout(refreshProfile, 2_000);
      },
    );
    refreshChannels();
  };
  return {
    customer,
    read: r.shown,
    asked: () => r.asked,
    erased,
    setErased,
    refreshProfile,
    stop: () => clearTimeout(r.retry),
  };
}

/** How long after a live event the profile is read again: the events that come with it share the read. */
const PROFILE_AFTER_MS = 300;

/** `run` once `ms` after the first `ask` of a burst, however many follow meanwhile; `stop` drops one asked. */
function once(run: () => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    ask: () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        run();
      }, ms);
    },
    stop: () => clearTimeout(timer),
  };
}

/** The channels a reply in `conversationId` may use now, as last read, and how to read them again. */
function useChannels(api: Api, customerId: string, conversationId: string) {
  const [channels, setChannels] = useState<ChannelOption[]>();
  const refreshChannels = () => {
    api
      .get<ChannelOption[]>(
        `/api/customers/${customerId}/channels?conversation=${encodeURIComponent(conversationId)}`,
      )
      .then(setChannels, () => setChannels([]));
  };
  return { channels, refreshChannels };
}

/**
 * The customer's profile, timeline and reply channels, kept live. A customer merged into another (their
 * profile has `mergedInto`) is followed to the one that remains, whose timeline holds both, so a view
 * opened before the merge does not stay on the merged-away profile. The channels are those of a reply
 * in `conversationId` (`?conversation=`): the first is the one a reply naming none takes there.
 */
export function useConversationData(
  api: Api,
  firstId: string,
  subscribe: Subscribe,
  reloads: number,
  conversationId: string,
) {
  const [customerId, setCustomerId] = useState(firstId);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const ids = useRef(new Set([firstId]));
  const { channels, refreshChannels } = useChannels(api, customerId, conversationId);
  const profile = useProfile(api, firstId, customerId, ids, setCustomerId, refreshChannels);
  const earlier = useEarlier(api, customerId, setItems);
  const { refreshProfile, setErased } = profile;
  useEffect(() => {
    let stale = false;
    const buffered: LiveEvent[] = [];
    setLoading(true);
    refreshProfile();
    let loadingNow = true;
    // The events of one message (its item, the profile it touched), or a reconnect's catch-up, come
    // together: the profile and the channels are read once for them, PROFILE_AFTER_MS after the first.
    const soon = once(refreshProfile, PROFILE_AFTER_MS);
    const refreshSoon = soon.ask;
    const off = subscribe((event) => {
      if (event.type === 'timeline.item') {
        if (loadingNow) buffered.push(event);
        else setItems((list) => applyItem(list, event, customerId, ids.current));
        if (ids.current.has(event.customerId ?? '') && event.item?.direction === 'inbound') refreshSoon();
      }
      if (event.type === 'customer.updated' && ids.current.has(event.customerId ?? '')) {
        if (event.item?.change === 'erased') return setErased(true);
        // A merge or an unmerge changes whose items the timeline holds: read it again, from the customer
        // the view was opened on (an unmerge gives a customer followed into another back to itself).
        refreshSoon();
        if (event.item?.change === 'merged') {
          setCustomerId(firstId);
          setTick((t) => t + 1);
        }
      }
    });
    // The newest page only: older ones are read when asked ("Earlier messages"), so opening a customer
    // (and j/k back to one, and a merge's read again) costs one page whatever their history.
    earlier.opened(null);
    newestPage(api, customerId, NEWEST_ITEMS).then(
      (page) => {
        if (stale) return;
        let all = page.items;
        loadingNow = false;
        for (const event of buffered) all = applyItem(all, event, customerId, ids.current);
        setItems(all);
        earlier.opened(page.cursor);
        setLoading(false);
      },
      () => setLoading(false),
    );
    return () => {
      stale = true;
      off();
      soon.stop();
      profile.stop();
    };
  }, [api, customerId, reloads, tick]);
  return {
    ...profile,
    items,
    loading,
    earlier: earlier.earlier,
    loadEarlier: earlier.load,
    channels,
    setItems,
    refreshChannels,
    reload: () => setTick((t) => t + 1),
  };
}
