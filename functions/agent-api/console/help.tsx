import { useEffect, useRef } from 'preact/hooks';

/** The keyboard shortcuts, as `?` shows them. */
export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['j', 'next conversation'],
  ['k', 'previous conversation'],
  ['r', 'reply'],
  ['n', 'note'],
  ['e', 'resolve (or reopen)'],
  ['?', 'this help'],
];

/** The shortcuts dialog: focus moves into it and Escape closes it. */
export function Help(props: { onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby="help-title" onClose={props.onClose} class="help">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <p>Shortcuts work when no text field has the focus.</p>
      <button type="button" onClick={() => dialog.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
