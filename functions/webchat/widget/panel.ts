// The web chat's panel (Preact), loaded by the loader on first open.
import { h, render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage } from './api.js';
import { type Connection, useChat } from './chat.js';
import { emailProblem } from './email-check.js';
import {
  Availability,
  Composer,
  MessageList,
  nextOpening,
  PANEL_CSS,
  PreChat,
  Problem,
} from './panel-view.js';
import { type Config, type StartProblem, useAvailability } from './session.js';

/** How close to the end of the log (px) still counts as reading the newest message. */
const AT_END_PX = 40;

/** Whether the page is shown (not a background tab), kept current. */
function usePageVisible() {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const change = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', change);
    return () => document.removeEventListener('visibilitychange', change);
  }, []);
  return visible;
}

/**
 * The log follows the newest message: on open, on the visitor's own send, and on a new message while
 * they are at the end. A visitor who scrolled up to read keeps their place and gets a "new message"
 * hint instead; their own message taken by Threadline (it leaves the outbox for the history) is not a
 * new one, so a slow answer does not pull them back down. Any change while the log was at the end
 * (a message sent, a status) keeps it there. `atEnd` says whether the newest message is in view
 * (read receipts wait for it).
 */
function useFollow(open: boolean, messages: ChatMessage[], unsentCount: number) {
  const list = useRef<HTMLOListElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  const [hint, setHint] = useState(false);
  const seen = useRef({ shown: 0, unsent: 0 });
  const pinned = useRef(true);
  const toEnd = () => {
    pinned.current = true;
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
    setAtEnd(true);
    setHint(false);
  };
  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    const end = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_END_PX;
    pinned.current = end;
    setAtEnd(end);
    if (end) setHint(false);
  };
  useLayoutEffect(() => {
    if (open) toEnd();
  }, [open]);
  useLayoutEffect(() => {
    const before = seen.current;
    const shown = messages.length + unsentCount;
    seen.current = { shown, unsent: unsentCount };
    const sending = unsentCount > before.unsent;
    if (!open) return;
    if (sending || pinned.current || before.shown === 0) toEnd();
    else if (shown > before.shown) setHint(true);
  }, [messages, unsentCount, open]);
  return { list, atEnd, hint, toEnd, onScroll };
}

/** Tells Threadline which replies the visitor has had in front of them. */
function useReadReceipts(showing: boolean, messages: ChatMessage[], markRead: (ids: string[]) => void) {
  useEffect(() => {
    if (!showing) return;
    const unread = messages.filter(
      (m) => m.author !== 'visitor' && m.status !== 'read' && m.id.startsWith('reply:'),
    );
    if (unread.length) markRead(unread.slice(-50).map((m) => m.id));
  }, [showing, messages]);
}

const CONNECTION: Partial<Record<Connection, string>> = {
  offline: 'You are offline. Your messages will be sent when you are back online.',
  reconnecting: 'Reconnecting…',
  polling: 'Live updates are not available on this page: a reply may take up to a minute to show.',
};

function problemText(problem: StartProblem | undefined, guest: boolean): string | undefined {
  if (problem?.kind === 'identity') {
    return guest
      ? 'Your sign-in has expired, so this chat is not linked to your account. Sign in again to see your history, or chat with us as a guest.'
      : 'Your sign-in has expired. Please sign in again to chat with us.';
  }
  if (problem?.kind === 'unavailable') return 'We could not start the chat just now.';
  return undefined;
}

function Panel(props: { config: Config; open: boolean; onClose(): void }) {
  const { config, open } = props;
  const chat = useChat(config);
  const hours = useAvailability(config.origin, open, chat.session?.availability);
  const [typedError, setTypedError] = useState<{ field: string; message: string } | undefined>();
  const formShown = useRef(false);
  const visible = usePageVisible();
  const follow = useFollow(open, chat.messages, chat.unsent.length);
  useReadReceipts(open && visible && follow.atEnd && Boolean(chat.session), chat.messages, chat.markRead);
  const who =
    chat.typing === 'agent' ? 'An agent is typing…' : chat.typing === 'ai' ? 'The assistant is typing…' : '';
  const closed = hours?.open === false;
  const problem = problemText(chat.problem, !chat.signedIn);
  const onStart = (name: string, email: string) => {
    const wrong = emailProblem(email);
    setTypedError(wrong ? { field: 'email', message: wrong } : undefined);
    if (!wrong) void chat.start(name, email);
  };
  const fieldError = typedError ?? (chat.problem?.kind === 'field' ? chat.problem : undefined);
  const state = chat.connection === 'offline' || chat.session ? CONNECTION[chat.connection] : undefined;
  const form = chat.session
    ? h(Composer, { onSend: (text: string) => chat.outbox.add(text), focus: open && formShown.current })
    : chat.signedIn
      ? null
      : h(PreChat, { onStart, closed, starting: chat.starting, fieldError });
  formShown.current ||= open && !chat.session && !chat.signedIn;
  return h(
    'section',
    {
      class: 'panel',
      role: 'dialog',
      'aria-label': config.title ?? 'Chat with us',
      'data-connection': chat.session ? chat.connection : undefined,
      hidden: !open,
      onKeyDown: (event: KeyboardEvent) => event.key === 'Escape' && props.onClose(),
    },
    [
      h('div', { class: 'head' }, [
        h('h2', {}, config.title ?? 'Chat with us'),
        h(
          'button',
          { class: 'close', type: 'button', 'aria-label': 'Close chat', onClick: props.onClose },
          '×',
        ),
      ]),
      state ? h('p', { class: 'state', role: 'status' }, state) : null,
      h(Problem, {
        text: problem,
        onRetry: chat.problem?.kind === 'unavailable' && chat.signedIn ? () => void chat.start() : undefined,
      }),
      h(Availability, { hours, session: chat.session }),
      h('div', { class: 'body' }, [
        h(MessageList, {
          messages: chat.messages,
          unsent: chat.unsent,
          welcome: config.welcome ?? 'Hi! How can we help?',
          onRetry: (id: string) => chat.outbox.retry(id),
          listRef: follow.list,
          onScroll: follow.onScroll,
        }),
        follow.hint
          ? h('button', { class: 'hint', type: 'button', onClick: follow.toEnd }, 'New message ↓')
          : null,
      ]),
      chat.handoff
        ? h(
            'p',
            { class: 'note', role: 'status' },
            `Connecting you to someone. A person will reply here${closed && hours?.nextOpenAt ? ` from ${nextOpening(hours)}` : ' soon'}.`,
          )
        : null,
      h('div', { class: 'typing', role: 'status', 'aria-live': 'polite' }, who),
      form,
    ],
  );
}

(window as unknown as Record<string, unknown>).__threadlineChatPanel = (
  mount: HTMLElement,
  root: ShadowRoot,
  config: Config,
  launcher: HTMLButtonElement,
) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(PANEL_CSS);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  let open = false;
  const draw = () => {
    launcher.setAttribute('aria-expanded', String(open));
    launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    render(h(Panel, { config, open, onClose: toggle }), mount);
    if (open)
      requestAnimationFrame(() => (root.querySelector('textarea, input') as HTMLElement | null)?.focus());
    else launcher.focus();
  };
  const toggle = () => {
    open = !open;
    draw();
  };
  return { toggle };
};
