import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { focusLost } from './ui.js';

/** The field the reply box's focus goes to: the template's name where only a template may go, else the text. */
const fieldIn = (form: ParentNode | null | undefined) =>
  form?.querySelector<HTMLElement>('fieldset.template input') ??
  form?.querySelector<HTMLElement>('textarea') ??
  null;

/**
 * `r` or `n` pressed: the open conversation's reply box takes the focus at once, in the key's own
 * handler, so the keys typed next are written in it. Focused only after the box had drawn the mode
 * asked for, they went meanwhile to the one-key shortcuts (`e` resolved the conversation, `j` opened
 * the next one).
 */
export function focusComposerNow(): void {
  fieldIn(document.querySelector('main.conversation form.composer'))?.focus();
}

/**
 * Where the reply box puts the focus, never on the page: in the field the agent writes in now, the
 * template's name where only a template may go, else the text. `ask()` after `r` or `n`, once the box
 * shows the mode asked for (before, the focus went to the field of the mode left, which the new one
 * replaced, or nowhere); `refused()` when a reply was refused, so that once the channels read again show
 * the template form the focus goes to its name (only a template may go now; the text stays in view);
 * `restore()` after a send, when its button or the note of a held reply dropped the focus
 * (`evenInForm`: also when the focus is still where the send started, `sending()`, as after a send that
 * went), never when the agent went on to another field while it was on its way: the keys typed there
 * after the answer went to the template's name (a typed reply lost its last words).
 */
export function useComposerFocus(
  form: RefObject<HTMLFormElement>,
  area: RefObject<HTMLTextAreaElement>,
  channels: unknown,
) {
  const [asked, setAsked] = useState(0);
  const refused = useRef(false);
  const from = useRef<Element | null>(null);
  const field = () => fieldIn(form.current) ?? area.current;
  const inForm = () => form.current?.contains(document.activeElement) === true;
  useEffect(() => {
    // Not when the agent went elsewhere since the key (Escape to the heading): only a focus in the box,
    // or one the mode's redraw dropped, moves to the field.
    if (asked && (inForm() || focusLost())) field()?.focus();
  }, [asked]);
  useEffect(() => {
    if (!refused.current) return;
    refused.current = false;
    const template = form.current?.querySelector('fieldset.template');
    if (template && (focusLost() || inForm())) field()?.focus();
  }, [channels]);
  return {
    ask: () => setAsked((n) => n + 1),
    refused: () => {
      refused.current = true;
    },
    /** Where the focus is as a send starts. */
    sending: () => {
      from.current = document.activeElement;
    },
    restore: (evenInForm: boolean) => {
      const stayed = inForm() && document.activeElement === from.current;
      from.current = null;
      if (focusLost() || (evenInForm && stayed)) field()?.focus();
    },
  };
}
