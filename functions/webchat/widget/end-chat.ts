// "End chat": an anonymous visitor on a shared computer ends their chat, so the next person at it reads
// nothing of it. Threadline ends the session (its token answers 401; the agents keep the messages) and
// the browser forgets it, with its outbox, draft, start key and the replies seen.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { siteStore, tabStore } from './storage.js';
import { endKept } from './user-change.js';

/** What the panel says once the chat has ended (and the browser forgot it). */
export const ENDED =
  'Chat ended. It no longer shows in this browser, and the next person here cannot open it.';

/**
 * Offline, the chat cannot end at Threadline (its token would go on answering): the controls stay where
 * they are, in the focus order, marked disabled and described by the status line, which says this.
 */
export const END_OFFLINE = 'You can end the chat once you are back online.';
const OFF = { 'aria-disabled': 'true', 'aria-describedby': 'tl-state' };

/**
 * The question asked before the chat ends, so a stray click loses nothing; the answer takes the focus.
 * Keep chatting (or Escape) puts it back on End chat: the button pressed goes with the question.
 */
function EndChatAsk(props: { onEnd(): void; onKeep(): void; offline: boolean }) {
  const end = useRef<HTMLButtonElement>(null);
  useEffect(() => end.current?.focus(), []);
  return h('div', { class: 'note ask', role: 'group', 'aria-labelledby': 'tl-end-ask' }, [
    h(
      'p',
      { id: 'tl-end-ask' },
      'End this chat? It will no longer show in this browser (we keep your messages to answer them).',
    ),
    h(
      'button',
      { class: 'send', type: 'button', ref: end, onClick: props.onEnd, ...(props.offline ? OFF : {}) },
      'End chat and forget it here',
    ),
    h('button', { class: 'retry', type: 'button', onClick: props.onKeep }, 'Keep chatting'),
  ]);
}

/**
 * The panel's parts of "End chat", for an anonymous chat only (a signed-in visitor's ends with the
 * site's sign-out): the title bar's button, the question it asks, and once the chat ended (`ended`: the
 * panel mounted again after it) what the panel says until a new chat starts. Ending it ends the
 * session at Threadline (best effort), forgets it in this browser, and calls `onEnded`.
 */
export function useEndChat(
  origin: string,
  chat: { key: string; session?: unknown; signedIn: boolean; connection: string },
  ended: boolean,
  onEnded: () => void,
) {
  const [asking, setAsking] = useState(false);
  const endable = Boolean(chat.session) && !chat.signedIn;
  const offline = chat.connection === 'offline';
  const onEnd = () => {
    if (offline) return;
    endKept(origin, siteStore, tabStore, chat.key);
    onEnded();
  };
  const ask = () => setAsking(!offline);
  const endButton = useRef<HTMLButtonElement>(null);
  const shown = endable && asking;
  const onKeep = () => {
    endButton.current?.focus();
    setAsking(false);
  };
  return {
    button: endable
      ? h(
          'button',
          { class: 'end', type: 'button', ref: endButton, onClick: ask, ...(offline ? OFF : {}) },
          'End chat',
        )
      : null,
    ask: shown ? h(EndChatAsk, { onEnd, onKeep, offline }) : null,
    /** Escape in the panel: closes the question when it shows (true), else it is the panel's. */
    escape: () => {
      if (shown) onKeep();
      return shown;
    },
    /** What the offline status line adds while the chat could be ended. */
    offline: endable && offline ? ` ${END_OFFLINE}` : '',
    note: ended && !chat.session ? h('p', { class: 'note', role: 'status' }, ENDED) : null,
  };
}
