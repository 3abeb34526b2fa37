import { type ComponentType, h } from 'preact';
import { useState } from 'preact/hooks';
import type { Api } from './api.js';
import { ErrorNote } from './ui.js';

type WebhooksView = ComponentType<{ api: Api; onClose(): void }>;

/**
 * Admins' Webhooks button, and the view it opens: its code (`webhooks.tsx`) is loaded on the first
 * press, not with the console, so agents and admins who never open it do not download it. The button
 * goes where the header puts it (in the compact top bar's Menu), the view outside that menu: a dialog
 * inside a closed `<details>` would not show.
 */
export function useWebhooksView(api: Api) {
  const [View, setView] = useState<WebhooksView>();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  const show = () => {
    setError('');
    import('./webhooks.js').then(
      (loaded) => {
        setView(() => loaded.Webhooks);
        setOpen(true);
      },
      () => setError('The webhooks view could not be loaded: check the connection and try again.'),
    );
  };
  const button = (
    <span class="webhooks-open">
      <button type="button" aria-haspopup="dialog" onClick={show}>
        Webhooks
      </button>
      <ErrorNote message={error} />
    </span>
  );
  const view = open && View ? h(View, { api, onClose: () => setOpen(false) }) : null;
  return { button, view };
}
