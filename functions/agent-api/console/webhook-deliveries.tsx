import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Page } from './api.js';
import { clock } from './format.js';
import { ErrorNote, focusLost } from './ui.js';
import { useFocusOnShow } from './webhook-form.js';
import {
  DELIVERY_STATUSES,
  type DeliveryRow,
  deliveryText,
  type Webhook,
  webhookErrorText,
} from './webhook-text.js';

/** Deliveries a page of the log reads. */
const PAGE = 25;

/** The most replay calls one press makes (500 deliveries each): 50,000, far more than a log holds. */
const MAX_REPLAY_CALLS = 100;

/**
 * A subscription's delivery log, newest first, a page at a time (More follows the API's cursor), with
 * its status filter and a Replay on each failed delivery; and "Replay failed since", which sends again
 * every delivery given up on since a time, calling again with the cursor until it is null.
 */
export function DeliveryLog(props: { api: Api; webhook: Webhook }) {
  const { api, webhook } = props;
  const heading = useFocusOnShow<HTMLHeadingElement>();
  const [status, setStatus] = useState('');
  const [reads, setReads] = useState(0);
  return (
    <section class="webhook-log" aria-labelledby="webhook-log-title">
      <h3 id="webhook-log-title" ref={heading} tabIndex={-1}>
        Delivery log of {webhook.url}
      </h3>
      <ReplayFailed api={api} webhook={webhook} onReplayed={() => setReads((n) => n + 1)} />
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">Any</option>
          {DELIVERY_STATUSES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <LogPages key={`${status}#${reads}`} api={api} webhook={webhook} status={status} />
    </section>
  );
}

/**
 * The log's pages under one filter (drawn anew when the filter changes or a replay is done, so no page
 * of the last filter shows under the new one), and More for the next page. A failed delivery's Replay
 * (while the subscription is enabled) sends it again (`POST …/deliveries/{id}/replay`, the same
 * `webhook-id`): its row then shows it pending, as the API answers it.
 */
function LogPages(props: { api: Api; webhook: Webhook; status: string }) {
  const { api, webhook } = props;
  const log = useLog(api, webhook.id, props.status);
  const [said, setSaid] = useState('');
  const [refused, setRefused] = useState('');
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    // The replayed row's button is gone: the focus on the next failed delivery's Replay, or the list.
    if (said && focusLost()) list.current?.querySelector<HTMLElement>('.replay-one')?.focus();
    if (said && focusLost()) list.current?.focus();
  }, [said]);
  const replay = async (d: DeliveryRow) => {
    setSaid('');
    setRefused('');
    const path = `/api/webhooks/${encodeURIComponent(webhook.id)}/deliveries/${encodeURIComponent(d.id)}/replay`;
    try {
      log.replace(await api.send<DeliveryRow>('POST', path));
      setSaid(`Sent again: the ${d.eventType} of ${clock(d.createdAt)}, pending.`);
    } catch (e) {
      setRefused(webhookErrorText('Not replayed', e));
    }
  };
  return (
    <>
      <ul ref={list} class="webhook-deliveries" aria-label="Deliveries" aria-busy={log.busy} tabIndex={-1}>
        {log.rows.map((d) => (
          <li key={d.id}>
            <span class={`delivery-status status-${d.status}`}>{d.status}</span> {d.eventType},{' '}
            {clock(d.createdAt)}
            <span class="muted"> · {deliveryText(d)}</span>
            {d.status === 'failed' && !webhook.disabledAt ? (
              <button
                type="button"
                class="replay-one"
                aria-label={`Replay the ${d.eventType} of ${clock(d.createdAt)}`}
                onClick={() => void replay(d)}
              >
                Replay
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <p role="status">{log.summary}</p>
      <p role="status">{said}</p>
      <ErrorNote message={refused || log.error} />
      {log.cursor ? (
        <button type="button" disabled={log.busy} onClick={log.more}>
          More deliveries
        </button>
      ) : null}
    </>
  );
}

/** The log's pages read so far under one filter, and a read of the next one. */
function useLog(api: Api, id: string, status: string) {
  const [rows, setRows] = useState<DeliveryRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState('');
  const generation = useRef(0);
  const read = (after: string | null) => {
    const mine = ++generation.current;
    setBusy(true);
    setError('');
    const query = `limit=${PAGE}${status ? `&status=${status}` : ''}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`;
    api.get<Page<DeliveryRow>>(`/api/webhooks/${encodeURIComponent(id)}/deliveries?${query}`).then(
      (page) => {
        if (mine !== generation.current) return;
        setRows((shown) => (after ? [...shown, ...page.items] : page.items));
        setCursor(page.cursor);
        setBusy(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setError(webhookErrorText('The delivery log could not be read', e));
        setBusy(false);
      },
    );
  };
  useEffect(() => {
    read(null);
    return () => {
      generation.current += 1;
    };
  }, []);
  const filtered = status ? ` ${status}` : '';
  const summary = busy
    ? 'Reading the log…'
    : rows.length === 0 && !cursor
      ? `No${filtered} deliveries in the log (it keeps 30 days).`
      : `${rows.length}${filtered} ${rows.length === 1 ? 'delivery' : 'deliveries'} shown${cursor ? ', more in the log' : ''}.`;
  const replace = (row: DeliveryRow) => setRows((shown) => shown.map((d) => (d.id === row.id ? row : d)));
  return { rows, cursor, busy, error, summary, more: () => read(cursor), replace };
}

/** What `POST /api/webhooks/{id}/replay` answers. */
interface Replayed {
  replayed: number;
  gone: number;
  cursor: string | null;
}

/** The time an hour ago as a `datetime-local` value (the agent's local time, to the minute). */
function anHourAgo(): string {
  const d = new Date(Date.now() - 3_600_000);
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** "Replay failed since <time>": every call's page, following the cursor until it is null. */
function ReplayFailed(props: { api: Api; webhook: Webhook; onReplayed(): void }) {
  const { api, webhook } = props;
  const [since, setSince] = useState(anHourAgo);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState('');
  const replay = async (e: Event) => {
    e.preventDefault();
    const at = new Date(since);
    if (Number.isNaN(at.getTime())) return setError('Not replayed: give the date and time to replay from.');
    setBusy(true);
    setError('');
    const total = { replayed: 0, gone: 0 };
    const said = () =>
      `${total.replayed} failed ${total.replayed === 1 ? 'delivery' : 'deliveries'} sent again${total.gone ? `, ${total.gone} of erased customers not sent` : ''}`;
    try {
      let cursor: string | null = null;
      for (let call = 0; call < MAX_REPLAY_CALLS; call++) {
        setOutcome(call ? `Replaying… ${said()} so far.` : 'Replaying…');
        const body: { since: string; cursor?: string } = {
          since: at.toISOString(),
          ...(cursor ? { cursor } : {}),
        };
        const answer: Replayed = await api.send(
          'POST',
          `/api/webhooks/${encodeURIComponent(webhook.id)}/replay`,
          body,
        );
        total.replayed += answer.replayed;
        total.gone += answer.gone;
        cursor = answer.cursor;
        if (cursor === null) break;
      }
      setOutcome(`Done: ${said()} since ${clock(at.toISOString())}.`);
    } catch (failure) {
      setOutcome(total.replayed ? `Stopped: ${said()}; replay again to send the rest.` : '');
      setError(webhookErrorText('Not replayed', failure));
    } finally {
      setBusy(false);
      props.onReplayed();
    }
  };
  return (
    <form class="webhook-replay" onSubmit={(e) => void replay(e)}>
      <label>
        Replay failed deliveries since
        <input
          type="datetime-local"
          required
          value={since}
          onInput={(e) => setSince(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy || !!webhook.disabledAt}>
        Replay failed
      </button>
      {webhook.disabledAt ? <p class="hint">Enable the subscription to replay its deliveries.</p> : null}
      <p role="status">{outcome}</p>
      <ErrorNote message={error} />
    </form>
  );
}
