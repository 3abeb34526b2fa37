import { useState } from 'preact/hooks';
import type { Api, CustomerView } from './api.js';
import { renameFailure } from './rename-text.js';
import { ErrorNote } from './ui.js';

/**
 * Any agent: the customer's name, set by hand (`PATCH /api/customers/{id}`), so a customer known only
 * by a number or as "Instagram user" can be called by their name. A disclosure under the name line; the
 * name typed is kept over the names providers' profiles give later. A refusal is said under the field.
 */
export function RenameForm(props: { api: Api; customer: CustomerView; onRenamed(): void }) {
  const { customer } = props;
  const [name, setName] = useState<string>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const shown = name ?? customer.name ?? '';
  return (
    <details class="rename" onToggle={() => setError('')}>
      <summary class="rename-toggle">{customer.name ? 'Rename' : 'Add a name'}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget as HTMLFormElement;
          const typed = shown.trim();
          if (!typed) return setError('Not renamed: type a name (1 to 256 characters).');
          setError('');
          setBusy(true);
          try {
            await props.api.send('PATCH', `/api/customers/${customer.id}`, { name: typed });
            setName(undefined);
            form.closest('details')?.removeAttribute('open');
            props.onRenamed();
          } catch (failure) {
            setError(renameFailure(failure));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          The customer’s name
          <input
            value={shown}
            maxLength={256}
            dir="auto"
            aria-invalid={error ? true : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Save name
        </button>
        <ErrorNote message={error} />
      </form>
    </details>
  );
}
