import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Page } from './api.js';
import { useModal } from './modal.js';
import { CopyId, ErrorNote } from './ui.js';
import { DeliveryLog } from './webhook-deliveries.js';
import { type Created, CreateWebhook, useFocusOnShow } from './webhook-form.js';
import { WebhookRow } from './webhook-row.js';
import { settledList, type Webhook, webhookErrorText } from './webhook-text.js';

/**
 * Admins only (loaded when an admin opens it): the webhook subscriptions with their state, a new one
 * (its signing secret shown once), edit, disable and enable, secret rotation (the new secret shown
 * once), delete, and a subscription's delivery log with its replays. A modal dialog, as the shortcuts
 * are: Escape or Close closes it, and the focus goes back to the Webhooks button.
 */
export function Webhooks(props: { api: Api; onClose(): void }) {
  const { api } = props;
  const dialog = useModal();
  const { webhooks, error, replace, add, remove, reload } = useWebhooks(api);
  const { secrets, show, done, afterSecret } = useSecrets();
  const { deleted, gone, listHead, onDeleted } = useDeletions(remove);
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
          <h3 id="webhooks-list-title" ref={listHead} tabIndex={-1}>
            Subscriptions
          </h3>
          <button type="button" onClick={reload}>
            Read again
          </button>
        </div>
        <p role="status">{deleted}</p>
        <ErrorNote message={error || gone} />
        {webhooks === undefined && !error ? <p aria-busy="true">Loading the subscriptions…</p> : null}
        {webhooks?.length === 0 ? <p>No subscription yet: create one below.</p> : null}
        {webhooks?.length ? (
          <ul class="webhook-list" aria-label="Webhook subscriptions">
            {webhooks.map((w) => (
              <WebhookRow
                key={w.id}
                api={api}
                webhook={w}
                list={webhooks}
                logShown={w.id === logOf}
                onChanged={replace}
                onDeleted={onDeleted}
                onRotated={(made) => show({ ...made, rotated: true })}
                onReload={reload}
                onLog={() => setLogOf(w.id === logOf ? undefined : w.id)}
              />
            ))}
          </ul>
        ) : null}
      </section>
      {secrets.map((secret, i) => (
        <SecretOnce key={secret.secret} created={secret} n={i} onDone={() => done(secret)} />
      ))}
      {/* A new subscription's secret takes the form's place; a rotated one's leaves it (and what is typed in it). */}
      {secrets.some((secret) => !secret.rotated) ? null : (
        <CreateWebhook
          api={api}
          focusOnShow={afterSecret}
          onCreated={(made) => {
            show(made);
            add(made);
          }}
        />
      )}
      {shownLog ? <DeliveryLog key={shownLog.id} api={api} webhook={shownLog} /> : null}
    </dialog>
  );
}

/**
 * Secrets shown once, each until its Done: a new subscription's, or a rotated one's (`rotated`). Done on
 * a rotated one puts the focus back on its row's Rotate secret; on a new one's, in the form that takes
 * its place (its button is gone).
 */
function useSecrets() {
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const [afterSecret, setAfterSecret] = useState(false);
  const show = (secret: Secret) => setSecrets((list) => [...list, secret]);
  const done = (secret: Secret) => {
    setSecrets((list) => list.filter((s) => s !== secret));
    if (secret.rotated) document.getElementById(`rotate-${secret.id}`)?.focus();
    else setAfterSecret(true);
  };
  return { secrets, show, done, afterSecret };
}

/**
 * A subscription gone from the list: deleted here (said in a status line) or meanwhile (an action's
 * refusal, said as an alert); its row, and the focus on its button, gone, the focus on the list's heading.
 */
function useDeletions(remove: (id: string) => void) {
  const [deleted, setDeleted] = useState('');
  const [gone, setGone] = useState('');
  const listHead = useRef<HTMLHeadingElement>(null);
  const onDeleted = (webhook: Webhook, refused?: string) => {
    remove(webhook.id);
    setDeleted(refused ? '' : `Deleted the subscription to ${webhook.url}.`);
    setGone(refused ? `${refused} (${webhook.url})` : '');
    listHead.current?.focus();
  };
  return { deleted, gone, listHead, onDeleted };
}

/**
 * The subscriptions, read when the view opens, on Read again (a breaker opens and closes, a 410
 * disables one), after each action, and when the window takes the focus again while the view is open
 * (no timer); a row replaced by an action's answer. A read leaves out what this view deleted and keeps
 * what it created (the list is an index, which may not show them yet); a newer read wins over an older.
 */
function useWebhooks(api: Api) {
  const [webhooks, setWebhooks] = useState<Webhook[]>();
  const [error, setError] = useState('');
  const [reads, setReads] = useState(0);
  const mine = useRef({ deleted: new Set<string>(), made: [] as Webhook[] });
  const reload = () => setReads((n) => n + 1);
  useEffect(() => {
    let stale = false;
    setError('');
    api.get<Page<Webhook>>('/api/webhooks').then(
      (page) => {
        if (stale) return;
        const { deleted, made } = mine.current;
        mine.current.made = made.filter((m) => !page.items.some((w) => w.id === m.id));
        setWebhooks(settledList(page.items, deleted, made));
      },
      (e: unknown) => !stale && setError(webhookErrorText('The subscriptions could not be read', e)),
    );
    return () => {
      stale = true;
    };
  }, [api, reads]);
  useEffect(() => {
    const back = () => document.visibilityState === 'visible' && reload();
    addEventListener('focus', back);
    document.addEventListener('visibilitychange', back);
    return () => {
      removeEventListener('focus', back);
      document.removeEventListener('visibilitychange', back);
    };
  }, []);
  const replace = (webhook: Webhook) =>
    setWebhooks((list) => list?.map((w) => (w.id === webhook.id ? webhook : w)));
  const add = (made: Created) => {
    const row = { ...made, createdAt: new Date().toISOString(), consecutiveFailures: 0 };
    mine.current.made.push(row);
    setWebhooks((list) => [...(list ?? []).filter((w) => w.id !== made.id), row]);
  };
  const remove = (id: string) => {
    mine.current.deleted.add(id);
    setWebhooks((list) => list?.filter((w) => w.id !== id));
  };
  return { webhooks, error, replace, add, remove, reload };
}

/** A signing secret to show once: a new subscription's, or a rotated one's. */
type Secret = Created & { rotated?: boolean };

/**
 * A signing secret shown this once, with a Copy: a new subscription's, or one rotated (the old one
 * signing beside it for 24 hours, as the API's rotation keeps it).
 */
function SecretOnce(props: { created: Secret; n: number; onDone(): void }) {
  const heading = useFocusOnShow<HTMLHeadingElement>();
  const { url, rotated } = props.created;
  return (
    <section class="webhook-secret" aria-labelledby={`webhook-secret-${props.n}`}>
      <h3 id={`webhook-secret-${props.n}`} ref={heading} tabIndex={-1}>
        {rotated ? `Rotated: the new signing secret of ${url}` : `Created: the signing secret of ${url}`}
      </h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong>{' '}
        {rotated
          ? 'Give it to the endpoint within 24 hours: until then each event is signed with the old secret and with this one, then with this one only.'
          : "The endpoint checks each event's signature with it (a lost secret is replaced by Rotate secret)."}
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
