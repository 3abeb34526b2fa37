import { useEffect, useRef, useState } from 'preact/hooks';
import { ALL_EVENTS } from '#shared/domain/events/event-types.js';
import { type Api, ApiError } from './api.js';
import { confirmInPage } from './confirm.js';
import { CopyId, ErrorNote } from './ui.js';
import { type Created, EditWebhook } from './webhook-form.js';
import {
  deleteQuestion,
  rotateQuestion,
  type Webhook,
  webhookErrorText,
  webhookState,
} from './webhook-text.js';

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

/**
 * What the row asks of the view: a row's new state, its removal (`refused`: what did not happen to one
 * deleted meanwhile, said above the list as its row goes), a rotated secret, a read of the list.
 */
export interface RowEvents {
  onChanged(webhook: Webhook): void;
  onDeleted(webhook: Webhook, refused?: string): void;
  onRotated(made: Created): void;
  onReload(): void;
}

type RowProps = RowEvents & { api: Api; webhook: Webhook; list: Webhook[]; logShown: boolean; onLog(): void };

/**
 * A row's Disable, Enable, Rotate secret and Delete (each but Enable asked first), with what each did or
 * why not; the list read again after each. A refusal for one deleted meanwhile takes its row away.
 */
function useRowActions(props: RowProps) {
  const { api, webhook } = props;
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState('');
  const path = `/api/webhooks/${encodeURIComponent(webhook.id)}`;
  const act = async (run: () => Promise<string>, failed: string) => {
    setBusy(true);
    setError('');
    setOutcome('');
    try {
      setOutcome(await run());
    } catch (e) {
      const text = webhookErrorText(failed, e, props.list);
      if (e instanceof ApiError && e.code === 'not_found') props.onDeleted(webhook, text);
      else setError(text);
    } finally {
      setBusy(false);
      props.onReload();
    }
  };
  const asked = async (question: string, confirm: string, run: () => Promise<string>, failed: string) => {
    if (await confirmInPage(question, confirm)) await act(run, failed);
  };
  const disable = () =>
    asked(
      `Disable ${webhook.url}? Nothing more is sent to it: its pending deliveries and the events made from now on are held (paused) until you enable it.`,
      'Disable',
      async () => {
        props.onChanged(await api.send<Webhook>('POST', `${path}/disable`));
        return 'Disabled: its events are held until you enable it.';
      },
      'Not disabled',
    );
  const enable = () =>
    act(async () => {
      const enabled = await enableAll(api, webhook.id);
      const { resumed: _r, expired: _e, more: _m, ...rest } = enabled;
      props.onChanged(rest);
      return enabledText(enabled);
    }, 'Not enabled');
  const rotate = () =>
    asked(
      rotateQuestion(webhook),
      'Rotate secret',
      async () => {
        props.onRotated(await api.send<Created>('POST', `${path}/rotate-secret`));
        return 'Secret rotated: the old one signs beside the new one for 24 hours.';
      },
      'Not rotated',
    );
  const remove = () =>
    asked(
      deleteQuestion(webhook),
      'Delete',
      async () => {
        await api.send('DELETE', path);
        props.onDeleted(webhook);
        return '';
      },
      'Not deleted',
    );
  return { busy, outcome, setOutcome, error, disable, enable, rotate, remove };
}

/**
 * One subscription: its URL, state and events; Edit (its events and description, in place), Disable or
 * Enable, Rotate secret and Delete, and its delivery log's button.
 */
export function WebhookRow(props: RowProps) {
  const { api, webhook } = props;
  const { busy, outcome, setOutcome, error, disable, enable, rotate, remove } = useRowActions(props);
  const [editing, setEditing] = useState(false);
  const edit = useRef<HTMLButtonElement>(null);
  const drawn = useRef(false);
  useEffect(() => {
    // The edit closed (saved or cancelled): the focus back on Edit, not lost with the form.
    if (drawn.current && !editing) edit.current?.focus();
    drawn.current = true;
  }, [editing]);
  const state = webhookState(webhook);
  return (
    <li class={`webhook webhook-${state.kind}`}>
      <p class="webhook-url">
        <code>{webhook.url}</code>
      </p>
      <p class={`webhook-state state-${state.kind}`}>{state.text}</p>
      <p class="muted">
        Events: {webhook.events.includes(ALL_EVENTS) ? 'all (new ones too)' : webhook.events.join(', ')}
        {webhook.description ? ` · ${webhook.description}` : ''}
      </p>
      <p class="muted">
        Id <CopyId id={webhook.id} />
      </p>
      {editing ? (
        <EditWebhook
          api={api}
          webhook={webhook}
          list={props.list}
          onSaved={(saved) => {
            props.onChanged(saved);
            props.onReload();
            setOutcome('Saved: its events and description are as shown.');
            setEditing(false);
          }}
          onRefused={(e, text) => {
            if (e instanceof ApiError && e.code === 'not_found') props.onDeleted(webhook, text);
            props.onReload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div class="webhook-actions">
          <button type="button" ref={edit} disabled={busy} onClick={() => setEditing(true)}>
            Edit
          </button>
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
          <button type="button" id={`rotate-${webhook.id}`} disabled={busy} onClick={() => void rotate()}>
            Rotate secret
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
            Delete
          </button>
        </div>
      )}
      <p role="status" class="webhook-outcome">
        {outcome}
      </p>
      <ErrorNote message={error} />
    </li>
  );
}
