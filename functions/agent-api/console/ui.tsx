import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

/** An error line read out as it appears, or nothing; `id` for the field it describes (`aria-describedby`). */
export function ErrorNote(props: { message: string; id?: string }) {
  if (!props.message) return null;
  return (
    <p role="alert" class="error" id={props.id}>
      {props.message}
    </p>
  );
}

/**
 * A customer id, and a button that copies it (the admin merge box takes one); `what` names another
 * value for the button (a webhook's signing secret), which then does not read the value out.
 */
export function CopyId(props: { id: string; what?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span class="copy-id">
      <code>{props.id}</code>
      <button
        type="button"
        class="copy"
        aria-label={`Copy ${props.what ?? `the id ${props.id}`}`}
        onClick={() =>
          navigator.clipboard?.writeText(props.id).then(
            () => setCopied(true),
            () => undefined,
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

/** Whether keyboard focus is nowhere the agent can see: the page itself, or an element hidden since (the inbox row at phone width). */
export function focusLost(): boolean {
  const el = document.activeElement;
  return !el || el === document.body || el.getClientRects().length === 0;
}

/**
 * Each id's answer to `GET path(id)`, read once while the component shows (a failed read is left out):
 * for a few ids at most (a panel's suggestions, a customer's conversations).
 */
export function useReadEach<T>(api: Api, ids: string[], path: (id: string) => string): Record<string, T> {
  const [read, setRead] = useState<Record<string, T>>({});
  const key = ids.join(' ');
  useEffect(() => {
    let stale = false;
    for (const id of ids)
      if (!(id in read))
        api.get<T>(path(id)).then(
          (value) => {
            if (!stale) setRead((r) => ({ ...r, [id]: value }));
          },
          () => undefined,
        );
    return () => {
      stale = true;
    };
  }, [api, key]);
  return read;
}
