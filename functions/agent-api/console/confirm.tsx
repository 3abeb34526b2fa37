import { useEffect, useRef, useState } from 'preact/hooks';

/** A question asked in the page: its words, the confirm button's, and who waits for the answer. */
interface Question {
  id: number;
  text: string;
  confirm: string;
  answer(yes: boolean): void;
}

let ask: ((question: Question) => void) | undefined;
let asked = 0;

/**
 * Asks the agent to confirm, in the page (`ConfirmHost` shows it): true for the confirm button, false
 * for Cancel or Escape. With no host on the page it answers false (nothing is done unasked).
 */
export function confirmInPage(text: string, confirm: string): Promise<boolean> {
  return new Promise((answer) => (ask ? ask({ id: ++asked, text, confirm, answer }) : answer(false)));
}

/**
 * The question as a modal alert dialog (the rest of the page inert while it shows): focus moves to Cancel
 * (the answer that does nothing), Enter or Space presses the focused button, Escape cancels, and focus
 * goes back where it was. Keys pressed in it never reach the console's one-key shortcuts.
 */
function ConfirmDialog(props: { question: Question; onAnswer(yes: boolean): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const shown = dialog.current;
    shown?.showModal();
    cancel.current?.focus();
    return () => {
      // Closed first: while it is open the rest of the page is inert and takes no focus.
      shown?.close();
      back?.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="confirm-text"
      class="confirm"
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key !== 'Escape') return;
        e.preventDefault();
        props.onAnswer(false);
      }}
      onCancel={(e) => {
        e.preventDefault();
        props.onAnswer(false);
      }}
    >
      <p id="confirm-text">{props.question.text}</p>
      <div class="confirm-buttons">
        <button type="button" ref={cancel} onClick={() => props.onAnswer(false)}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => props.onAnswer(true)}>
          {props.question.confirm}
        </button>
      </div>
    </dialog>
  );
}

/** Where `confirmInPage` shows its question; one per page. A second question waits for the first. */
export function ConfirmHost() {
  const [questions, setQuestions] = useState<Question[]>([]);
  useEffect(() => {
    ask = (question) => setQuestions((list) => [...list, question]);
    return () => {
      ask = undefined;
    };
  }, []);
  const [first] = questions;
  if (!first) return null;
  return (
    <ConfirmDialog
      key={first.id}
      question={first}
      onAnswer={(yes) => {
        setQuestions((list) => list.slice(1));
        first.answer(yes);
      }}
    />
  );
}
