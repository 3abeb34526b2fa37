import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Page } from './api.js';
import { confirmInPage } from './confirm.js';
import { CopyId, ErrorNote } from './ui.js';
import { DeliveryLog } from './webhook-deliveries.js';
import { type Created, CreateWebhook, useFocusOnShow } from './webhook-form.js';
import { type Webhook, webhookErrorText, webhookState } from './webhook-text.js';

/**
 * Admins only (loaded when an admin opens it): the webhook subscriptions with their state, a new one
 * (its signing secret shown once), disable and enable, and a subscription's delivery log with its
 * replay of the failed. A modal dialog, as the shortcuts are: Escape or Close closes it, and the focus
 * goes back to the Webhooks button.
 */
export function Webhooks(props: { api: Api; onClose(): void }) {
  const { api } = props;
  const dialog = useModal();
  const { webhooks, error, replace, add, reload } = useWebhooks(api);
  const [created, setCreated] = useState<Created>();
  // Done on the secret puts the focus in the form that takes its place (its button is gone).
  const [afterSecret, setAfterSecret] = useState(false);
  const [logOf, setLogOf] = useState<string>();
  const shownLog = webhooks?.find((w) => w.id === logOf);
  return (
    <dialog ref={dialog} class="webhooks" aria-labelledby="webhooks-title" onClose={props.onClose}>
      <header class="help-head">
        <h2 id="webhooks-title">Webhooks</h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <p>
        Threadline posts the events each subscription names to its URL, signed with its secret. Disable holds
        them (nothing is lost) until Enable sends them.
      </p>
      <section aria-labelledby="webhooks-list-title">
        <div class="webhooks-list-head">
          <h3 id="webhooks-list-title">Subscriptions</h3>
          <button type="button" onClick={reload}>
            Read again
          </button>
        </div>
        <ErrorNote message={error} />
        {webhooks === undefined && !error ? <p aria-busy="true">Loading the subscriptions…</p> : null}
        {webhooks?.length === 0 ? <p>No subscription yet: create one below.</p> : null}
        {webhooks?.length ? (
          <ul class="webhook-list" aria-label="Webhook subscriptions">
            {webhooks.map((w) => (
              <WebhookRow
                key={w.id}
                api={api}
                webhook={w}
                logShown={w.id === logOf}
                onChanged={replace}
                onLog={() => setLogOf(w.id === logOf ? undefined : w.id)}
              />
            ))}
          </ul>
        ) : null}
      </section>
      {created ? (
        <SecretOnce
          created={created}
          onDone={() => {
            setCreated(undefined);
            setAfterSecret(true);
          }}
        />
      ) : (
        <CreateWebhook
          api={api}
          focusOnShow={afterSecret}
          onCreated={(made) => {
            setCreated(made);
            add(made);
          }}
        />
      )}
      {shownLog ? <DeliveryLog key={shownLog.id} api={api} webhook={shownLog} /> : null}
    </dialog>
  );
}

/**
 * The dialog shown modal while drawn; once gone, the focus back where it was (on Webhooks), or on the
 * compact top bar's Menu when a click in the view closed the menu that held the button.
 */
function useModal() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const shown = dialog.current;
    shown?.showModal();
    return () => {
      shown?.close();
      const target = back?.getClientRects().length
        ? back
        : document.querySelector<HTMLElement>('.menu > summary');
      target?.focus();
    };
  }, []);
  return dialog;
}

/**
 * The subscriptions, read when the view opens and on Read again (a breaker opens and closes, a 410
 * disables one); a row replaced by a disable's or an enable's answer.
 */
function useWebhooks(api: Api) {
  const [webhooks, setWebhooks] = useState<Webhook[]>();
  const [error, setError] = useState('');
  const [reads, setReads] = useState(0);
  useEffect(() => {
    let stale = false;
    setError('');
    api.get<Page<Webhook>>('/api/webhooks').then(
      (page) => !stale && setWebhooks(page.items),
      (e: unknown) => !stale && setError(webhookErrorText('The subscriptions could not be read', e)),
    );
    return () => {
      stale = true;
    };
  }, [api, reads]);
  const replace = (webhook: Webhook) =>
    setWebhooks((list) => list?.map((w) => (w.id === webhook.id ? webhook : w)));
  const add = (made: Created) =>
    setWebhooks((list) => [
      ...(list ?? []).filter((w) => w.id !== made.id),
      { ...made, createdAt: new Date().toISOString(), consecutiveFailures: 0 },
    ]);
  return { webhooks, error, replace, add, reload: () => setReads((n) => n + 1) };
}

/** What `/enable` answers besides the subscription. */
interface Enabled extends Webhook {
  resumed: number;
  expired: number;
  more: boolean;
}

/** Enables a subscription, calling again while `more` (at most 100 calls), and sums what each resumed. */
async function enableAll(api: Api, id: string): Promise<Enabled> {
  const path = `/api/webhooks/${encodeURIComponent(id)}/enable`;
  let total: Enabled | undefined;
  for (let call = 0; call < 100; call++) {
    const answer = await api.send<Enabled>('POST', path);
    total = total
      ? { ...answer, resumed: total.resumed + answer.resumed, expired: total.expired + answer.expired }
      : answer;
    if (!answer.more) break;
  }
  return total as Enabled;
}

/** What an enable did, in words: its counts, `expired` included (held past the log's 30 days, not sent). */
const enabledText = (e: Enabled) =>
  `Enabled: ${e.resumed} held ${e.resumed === 1 ? 'delivery' : 'deliveries'} resumed, ${e.expired} expired (older than the log's 30 days: not sent)${e.more ? '; more wait: press Enable again' : ''}.`;

/** One subscription: its URL, state and events, Disable or Enable, and its delivery log's button. */
function WebhookRow(props: {
  api: Api;
  webhook: Webhook;
  logShown: boolean;
  onChanged(webhook: Webhook): void;
  onLog(): void;
}) {
  const { api, webhook } = props;
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState('');
  const state = webhookState(webhook);
  const act = async (run: () => Promise<string>, failed: string) => {
    setBusy(true);
    setError('');
    setOutcome('');
    try {
      setOutcome(await run());
    } catch (e) {
      setError(webhookErrorText(failed, e));
    } finally {
      setBusy(false);
    }
  };
  const disable = async () => {
    const text = `Disable ${webhook.url}? Nothing more is sent to it: its pending deliveries and the events made from now on are held (paused) until you enable it.`;
    if (!(await confirmInPage(text, 'Disable'))) return;
    await act(async () => {
      const path = `/api/webhooks/${encodeURIComponent(webhook.id)}/disable`;
      props.onChanged(await api.send<Webhook>('POST', path));
      return 'Disabled: its events are held until you enable it.';
    }, 'Not disabled');
  };
  const enable = () =>
    act(async () => {
      const enabled = await enableAll(api, webhook.id);
      const { resumed: _r, expired: _e, more: _m, ...rest } = enabled;
      props.onChanged(rest);
      return enabledText(enabled);
    }, 'Not enabled');
  return (
    <li class={`webhook webhook-${state.kind}`}>
      <p class="webhook-url">
        <code>{webhook.url}</code>
      </p>
      <p class={`webhook-state state-${state.kind}`}>{state.text}</p>
      <p class="muted">
        Events: {webhook.events.join(', ')}
        {webhook.description ? ` · ${webhook.description}` : ''}
      </p>
      <p class="muted">
        Id <CopyId id={webhook.id} />
      </p>
      <div class="webhook-actions">
        {webhook.disabledAt ? (
          <button type="button" disabled={busy} onClick={() => void enable()}>
            Enable
          </button>
        ) : (
          <button type="button" class="danger" disabled={busy} onClick={() => void disable()}>
            Disable
          </button>
        )}
        <button type="button" aria-pressed={props.logShown} onClick={props.onLog}>
          Delivery log
        </button>
      </div>
      <p role="status" class="webhook-outcome">
        {outcome}
      </p>
      <ErrorNote message={error} />
    </li>
  );
}

/** The new subscription's signing secret, shown this once, with a Copy. */
function SecretOnce(props: { created: Created; onDone(): void }) {
  const heading = useFocusOnShow<HTMLHeadingElement>();
  return (
    <section class="webhook-secret" aria-labelledby="webhook-secret-title">
      <h3 id="webhook-secret-title" ref={heading} tabIndex={-1}>
        Created: the signing secret of {props.created.url}
      </h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> The endpoint checks each event's signature
        with it (a lost secret is replaced by rotating it through the API).
      </p>
      <CopyId id={props.created.secret} what="the signing secret" />
      <p>
        <button type="button" onClick={props.onDone}>
          Done: I have copied it
        </button>
      </p>
    </section>
  );
}
