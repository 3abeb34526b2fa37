import { useEffect, useRef, useState } from 'preact/hooks';
import { ALL_EVENTS, EVENT_TYPES } from '#shared/domain/events/event-types.js';
import type { Api } from './api.js';
import { ErrorNote } from './ui.js';
import { editBody, editErrorText, type Webhook, webhookErrorText } from './webhook-text.js';

/** What `POST /api/webhooks` answers: the subscription and its signing secret, shown this once. */
export interface Created {
  id: string;
  url: string;
  events: string[];
  secret: string;
}

/** A ref whose element takes the focus when it is first drawn (if `on`). */
export function useFocusOnShow<T extends HTMLElement>(on = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (on) ref.current?.focus();
  }, []);
  return ref;
}

/** A key for one create: kept until the API answers, so a retry after a lost answer makes no second subscription. */
const newKey = () => crypto.randomUUID();

/**
 * The new subscription form: the endpoint's URL, the events it takes (at least one) and a description.
 * A create carries an `Idempotency-Key`, the same until the form changes or the create goes through.
 */
export function CreateWebhook(props: { api: Api; focusOnShow?: boolean; onCreated(made: Created): void }) {
  const field = useFocusOnShow<HTMLInputElement>(props.focusOnShow);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const changed = () => {
    setKey(newKey());
    setError('');
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!events.length) return setError('Not created: choose at least one event.');
    setBusy(true);
    setError('');
    try {
      const body = {
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      };
      const made = await props.api.send<Created>('POST', '/api/webhooks', body, { 'Idempotency-Key': key });
      setUrl('');
      setDescription('');
      setEvents([]);
      setKey(newKey());
      props.onCreated(made);
    } catch (failure) {
      setError(webhookErrorText('Not created', failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="webhook-form" aria-labelledby="webhook-new-title" onSubmit={(e) => void submit(e)}>
      <h3 id="webhook-new-title">New subscription</h3>
      <label>
        Endpoint URL (https)
        <input
          ref={field}
          type="url"
          required
          maxLength={2048}
          value={url}
          placeholder="https://crm.example.com/threadline"
          onInput={(e) => {
            setUrl(e.currentTarget.value);
            changed();
          }}
        />
      </label>
      <EventChoice
        chosen={events}
        onChange={(list) => {
          setEvents(list);
          changed();
        }}
      />
      <label>
        Description (optional)
        <input
          maxLength={500}
          value={description}
          onInput={(e) => {
            setDescription(e.currentTarget.value);
            changed();
          }}
        />
      </label>
      <p>
        <button type="submit" disabled={busy}>
          Create subscription
        </button>
      </p>
      <ErrorNote message={error} />
    </form>
  );
}

/**
 * A subscription's edit (`PATCH`): its events and description, its URL and secret kept. Sends only what
 * changed; a refusal (`webhook_busy`: changed meanwhile) is said and handed on (`onRefused`: the list
 * read again, a row deleted meanwhile taken away), the choices kept, to save again.
 */
export function EditWebhook(props: {
  api: Api;
  webhook: Webhook;
  list: Webhook[];
  onSaved(webhook: Webhook): void;
  onRefused(error: unknown, text: string): void;
  onCancel(): void;
}) {
  const { webhook } = props;
  const heading = useFocusOnShow<HTMLHeadingElement>();
  const [events, setEvents] = useState(webhook.events);
  const [description, setDescription] = useState(webhook.description ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!events.length) return setError('Not saved: choose at least one event.');
    const body = editBody(webhook, events, description);
    if (!body) return setError('Nothing to save: the events and description are as they were.');
    setBusy(true);
    setError('');
    try {
      const path = `/api/webhooks/${encodeURIComponent(webhook.id)}`;
      props.onSaved(await props.api.send<Webhook>('PATCH', path, body));
    } catch (failure) {
      const text = editErrorText(failure, props.list);
      setError(text);
      props.onRefused(failure, text);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="webhook-form" aria-labelledby={`edit-${webhook.id}`} onSubmit={(e) => void submit(e)}>
      <h4 id={`edit-${webhook.id}`} ref={heading} tabIndex={-1}>
        Edit the subscription to {webhook.url}
      </h4>
      <EventChoice chosen={events} onChange={setEvents} />
      <label>
        Description (empty removes it)
        <input maxLength={500} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <p class="webhook-actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </p>
      <ErrorNote message={error} />
    </form>
  );
}

/**
 * The events a subscription takes: all of them (`*`, those added later too), or one tick box each;
 * with all ticked, each type shows ticked and cannot be unticked alone.
 */
function EventChoice(props: { chosen: string[]; onChange(events: string[]): void }) {
  const { chosen } = props;
  const all = chosen.includes(ALL_EVENTS);
  return (
    <fieldset>
      <legend>Events to send</legend>
      <label class="check">
        <input
          type="checkbox"
          checked={all}
          onChange={(e) => props.onChange(e.currentTarget.checked ? [ALL_EVENTS] : [])}
        />
        All events, including those added in later versions
      </label>
      <div class="webhook-events">
        {EVENT_TYPES.map((type) => (
          <label key={type} class="check">
            <input
              type="checkbox"
              disabled={all}
              checked={all || chosen.includes(type)}
              onChange={(e) =>
                props.onChange(e.currentTarget.checked ? [...chosen, type] : chosen.filter((t) => t !== type))
              }
            />
            {type}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
