import { useEffect, useRef, useState } from 'preact/hooks';
import { setShortcutsOn, shortcutsOn } from './shortcuts.js';

/** The keyboard shortcuts, as `?` shows them. */
export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['j', 'next conversation'],
  ['k', 'previous conversation'],
  ['j k ↓ ↑', 'in the customers listed (Browse, a search): next / previous customer; Enter opens'],
  ['r', 'reply'],
  ['n', 'note'],
  ['e', 'resolve (or reopen)'],
  ['?', 'this help'],
  ['Esc', 'in the reply box: leave it for the conversation (what is written stays)'],
];

/**
 * The shortcuts dialog: focus moves into it and Escape closes it. Its tick box turns the one-key
 * shortcuts off (or on again) in this browser, for a voice-control user or anyone whose stray key
 * presses would act (WCAG 2.1.4); the buttons and Ctrl+Enter go on working. Its title and Close stay at its top
 * while the list scrolls under them (at a large font size and zoom the list is taller than the window).
 */
export function Help(props: { onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [on, setOn] = useState(shortcutsOn);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby="help-title" onClose={props.onClose} class="help">
      <header class="help-head">
        <h2 id="help-title">Keyboard shortcuts</h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <label class="shortcuts-on">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => {
            setShortcutsOn(e.currentTarget.checked);
            setOn(e.currentTarget.checked);
          }}
        />{' '}
        One-key shortcuts (j, k, r, n, e, ?)
      </label>
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
      <p>
        Shortcuts work when no text field has the focus: Escape in the reply box moves the focus out of it.
      </p>
    </dialog>
  );
}
