import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type Api,
  type ApiError,
  type ChannelOption,
  type CustomerView,
  readAllPages,
  type TimelineItem,
} from './api.js';
import type { Subscribe } from './app.js';
import type { LiveEvent } from './live.js';
import { upsert } from './upsert.js';

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

/**
 * The customer's profile, timeline and reply channels, kept live. A customer merged into another (their
 * profile has `mergedInto`) is followed to the one that remains, whose timeline holds both, so a view
 * opened before the merge does not stay on the merged-away profile.
 */
export function useConversationData(api: Api, firstId: string, subscribe: Subscribe, reloads: number) {
  const [customerId, setCustomerId] = useState(firstId);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [loading, setLoading] = useState(true);
  const [channels, setChannels] = useState<ChannelOption[]>();
  const [tick, setTick] = useState(0);
  const ids = useRef(new Set([firstId]));
  const refreshChannels = () => {
    api
      .get<ChannelOption[]>(`/api/customers/${customerId}/channels`)
      .then(setChannels, () => setChannels([]));
  };
  const profile = useProfile(api, firstId, customerId, ids, setCustomerId, refreshChannels);
  const { refreshProfile, setErased } = profile;
  useEffect(() => {
    let stale = false;
    const buffered: LiveEvent[] = [];
    setLoading(true);
    refreshProfile();
    let loadingNow = true;
    const off = subscribe((event) => {
      if (event.type === 'timeline.item') {
        if (loadingNow) buffered.push(event);
        else setItems((list) => applyItem(list, event, customerId, ids.current));
        if (ids.current.has(event.customerId ?? '') && event.item?.direction === 'inbound') refreshProfile();
      }
      if (event.type === 'customer.updated' && ids.current.has(event.customerId ?? '')) {
        if (event.item?.change === 'erased') return setErased(true);
        // A merge or an unmerge changes whose items the timeline holds: read it again, from the customer
        // the view was opened on (an unmerge gives a customer followed into another back to itself).
        refreshProfile();
        if (event.item?.change === 'merged') {
          setCustomerId(firstId);
          setTick((t) => t + 1);
        }
      }
    });
    let all: TimelineItem[] = [];
    readAllPages<TimelineItem>(
      api,
      `/api/customers/${customerId}/timeline`,
      (page, done) => {
        all = all.concat(page);
        if (done) {
          loadingNow = false;
          for (const event of buffered) all = applyItem(all, event, customerId, ids.current);
          setLoading(false);
        }
        setItems(all);
      },
      () => stale,
    ).catch(() => setLoading(false));
    return () => {
      stale = true;
      off();
      profile.stop();
    };
  }, [api, customerId, reloads, tick]);
  return {
    ...profile,
    items,
    loading,
    channels,
    setItems,
    refreshChannels,
    reload: () => setTick((t) => t + 1),
  };
}
