import { type ComponentType, h } from 'preact';
import { useState } from 'preact/hooks';
import type { Api } from './api.js';
import { ErrorNote } from './ui.js';

/** An admin's view opened from the header, given the API and what closes it. */
export type AdminView = ComponentType<{ api: Api; onClose(): void }>;

/**
 * A header button and the view it opens, whose code is loaded on the first press, not with the console,
 * so agents and admins who never open it do not download it. The button goes where the header puts it
 * (in the compact top bar's Menu), the view outside that menu: a dialog inside a closed `<details>`
 * would not show.
 */
export function useLazyView(api: Api, label: string, what: string, load: () => Promise<AdminView>) {
  const [View, setView] = useState<AdminView>();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  const show = () => {
    setError('');
    load().then(
      (loaded) => {
        setView(() => loaded);
        setOpen(true);
      },
      () => setError(`The ${what} could not be loaded: check the connection and try again.`),
    );
  };
  const button = (
    <span class={`${label.toLowerCase()}-open`}>
      <button type="button" aria-haspopup="dialog" onClick={show}>
        {label}
      </button>
      <ErrorNote message={error} />
    </span>
  );
  const view = open && View ? h(View, { api, onClose: () => setOpen(false) }) : null;
  return { button, view };
}
