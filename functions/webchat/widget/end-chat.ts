// "End chat": an anonymous visitor on a shared computer ends their chat, so the next person at it reads
// nothing of it. Threadline ends the session (its token answers 401; the agents keep the messages) and
// the browser forgets it, with its outbox, draft, start key and the replies seen.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { siteStore, tabStore } from './storage.js';
import { endKept } from './user-change.js';

/** What the panel says once the chat has ended (and the browser forgot it). */
export const ENDED =
  'Chat ended. It no longer shows in this browser, and the next person here cannot open it.';

/** Ends the chat kept under `key` at Threadline (best effort) and forgets it in this browser. */
export function endChat(origin: string, key: string): void {
  endKept(origin, siteStore, tabStore, key);
}

/** The question asked before the chat ends, so a stray click loses nothing; the answer takes the focus. */
export function EndChatAsk(props: { onEnd(): void; onKeep(): void }) {
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
      { class: 'send', type: 'button', ref: end, onClick: props.onEnd },
      'End chat and forget it here',
    ),
    h('button', { class: 'retry', type: 'button', onClick: props.onKeep }, 'Keep chatting'),
  ]);
}
