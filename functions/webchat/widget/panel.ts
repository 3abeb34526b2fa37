// The web chat's panel (Preact), loaded by the loader on first open.
import { type ComponentChild, h, render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage, Availability as Hours } from './api.js';
import { storageKey } from './api.js';
import { type Connection, useChat } from './chat.js';
import { nextOpening } from './days.js';
import { emailProblem } from './email-check.js';
import { useEndChat } from './end-chat.js';
import { isChatReply, label } from './launcher.js';
import { dialogKeys, useCoversWindow } from './modal.js';
import { PANEL_CSS } from './panel-css.js';
import { Arrivals, Availability, Composer, MessageList, Problem, pageLang } from './panel-view.js';
import { PreChat } from './pre-chat.js';
import { type Config, type StartProblem, useAvailability } from './session.js';
import { siteStore, storageKept, tabStore } from './storage.js';
import { endPreviousUser } from './user-change.js';

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

/** How close to the top of the log (px) asks for the page of history before it. */
const AT_TOP_PX = 40;

/**
 * The log follows the newest message: on open, on the visitor's own send, and on a new message while
 * they are at the end. A visitor who scrolled up to read keeps their place and gets a "new message"
 * hint instead; their own message taken by Threadline (it leaves the outbox for the history) is not a
 * new one, so a slow answer does not pull them back down. Any change while the log was at the end
 * (a message sent, a status) keeps it there. An older page put above (the visitor scrolled to the top:
 * `onTop`) keeps what they were reading where it was, and is no new message. `atEnd` says whether the
 * newest message is in view (read receipts wait for it).
 */
function useFollow(open: boolean, messages: ChatMessage[], unsentCount: number, onTop: () => void) {
  const list = useRef<HTMLOListElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  const [hint, setHint] = useState(false);
  const seen = useRef({ shown: 0, unsent: 0, last: '', first: '', fromEnd: 0 });
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
    seen.current.fromEnd = el.scrollHeight - el.scrollTop;
    pinned.current = end;
    setAtEnd(end);
    if (end) setHint(false);
    if (el.scrollTop <= AT_TOP_PX) onTop();
  };
  useLayoutEffect(() => {
    if (open) toEnd();
  }, [open]);
  // The log or the panel changes size (the on-screen keyboard, a turned phone, the window): a log at its
  // end stays there. Before, the keyboard left it 337 px short of the newest message.
  useEffect(() => {
    const el = list.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const watch = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    watch.observe(el);
    if (el.parentElement) watch.observe(el.parentElement);
    return () => watch.disconnect();
  }, []);
  useLayoutEffect(() => {
    const before = seen.current;
    const shown = messages.length + unsentCount;
    const last = messages.at(-1)?.id ?? '';
    const first = messages[0]?.id ?? '';
    seen.current = { shown, unsent: unsentCount, last, first, fromEnd: before.fromEnd };
    const sending = unsentCount > before.unsent;
    const el = list.current;
    if (!open || !el) return;
    const olderAbove = first !== before.first && last === before.last && before.shown > 0;
    if (sending || pinned.current || before.shown === 0) toEnd();
    else if (olderAbove) el.scrollTop = el.scrollHeight - before.fromEnd;
    else if (shown > before.shown) setHint(true);
    seen.current.fromEnd = el.scrollHeight - el.scrollTop;
    // A log too short to scroll cannot reach its top by scrolling: ask for the page before now.
    if (el.scrollHeight <= el.clientHeight) onTop();
  }, [messages, unsentCount, open]);
  return { list, atEnd, hint, toEnd, onScroll };
}

/** Tells Threadline which replies the visitor has had in front of them. */
function useReadReceipts(
  showing: boolean,
  messages: ChatMessage[],
  markRead: (shown: ChatMessage[]) => void,
) {
  useEffect(() => {
    if (!showing) return;
    const unread = messages.filter(
      (m) => m.author !== 'visitor' && m.status !== 'read' && m.id.startsWith('reply:'),
    );
    if (unread.length) markRead(unread.slice(-50));
  }, [showing, messages]);
}

/**
 * The replies the visitor has not seen: on the chat, not `read`, and not in front of them since they
 * came (`showing`: the panel open, the page visible, the newest message in view). What they saw is
 * kept in the tab's sessionStorage (the newest 200 ids), so the next page of the shop does not count
 * a reply whose `read` Threadline has not stored yet. Told to `onUnread` for the launcher's badge.
 */
function useUnread(key: string, showing: boolean, messages: ChatMessage[], onUnread: (n: number) => void) {
  const store = `${key}:seen`;
  const [seen, setSeen] = useState<readonly string[]>(() => {
    try {
      return JSON.parse(tabStore.getItem(store) ?? '[]') as string[];
    } catch {
      return [];
    }
  });
  const replies = messages.filter(isChatReply);
  const unread = replies.filter((m) => m.status !== 'read' && !seen.includes(m.id)).length;
  useEffect(() => {
    if (!showing || !replies.some((m) => !seen.includes(m.id))) return;
    const next = [...new Set([...seen, ...replies.map((m) => m.id)])].slice(-200);
    setSeen(next);
    tabStore.setItem(store, JSON.stringify(next));
  }, [showing, messages]);
  useEffect(() => onUnread(showing ? 0 : unread), [showing, unread]);
}

const TYPING = { agent: 'An agent is typing…', ai: 'The assistant is typing…' } as const;

/**
 * What the status line above the log says of the connection: nothing while the first socket is being
 * made (`connecting`), "Reconnecting…" only once one that was up dropped. The line is always there
 * (empty when all is well): a status region put in with its text is not read out by every screen reader.
 */
const CONNECTION: Partial<Record<Connection, string>> = {
  offline: 'You are offline. Your messages will be sent when you are back online.',
  reconnecting: 'Reconnecting…',
  retrying: 'Could not load the latest messages. Trying again…',
  polling: 'Live updates are not available on this page: a reply may take up to a minute to show.',
};

/** The browser blocks site data (storage throws): the chat lives in the page's memory, gone on reload. */
const NOT_KEPT =
  "Your browser blocks this site's storage, so this chat is kept only until you leave this page.";

function problemText(problem: StartProblem | undefined, guest: boolean, unsent: number): string | undefined {
  if (problem?.kind === 'identity') {
    if (guest)
      return 'Your sign-in has expired, so this chat is not linked to your account. Sign in again to see your history, or chat with us as a guest.';
    const kept = unsent ? ' Your unsent messages are kept and will be sent then.' : '';
    return `Your sign-in has expired. Please sign in again to chat with us.${kept}`;
  }
  if (problem?.kind === 'unavailable') return 'We could not start the chat just now.';
  return undefined;
}

/**
 * What the unsent messages say while no session can send them (they are kept for the next one):
 * before, "Sending…" for ever under "Your sign-in has expired".
 */
function heldText(chat: { session?: unknown; starting: boolean; problem?: StartProblem | undefined }) {
  if (chat.session || chat.starting) return undefined;
  return chat.problem?.kind === 'identity'
    ? 'Not sent: your sign-in has expired. It will be sent when you sign in again'
    : 'Not sent yet: it will be sent when the chat starts';
}

/**
 * What the visitor has in front of them (`inView`: the panel open at the newest message, and the page
 * visible): Threadline hears it as read receipts, the launcher's count leaves it out.
 */
function useSeen(chat: ReturnType<typeof useChat>, inView: boolean, onUnread: (n: number) => void) {
  const visible = usePageVisible();
  const showing = inView && visible && Boolean(chat.session);
  useReadReceipts(showing, chat.messages, chat.markRead);
  useUnread(chat.key, showing, chat.messages, onUnread);
}

/** Threadline handed the chat to a person: when they will answer (after hours, from the next opening). */
function Handoff(props: { hours: Hours | undefined }) {
  const { hours } = props;
  const when = hours?.open === false && hours.nextOpenAt ? ` from ${nextOpening(hours)}` : ' soon';
  return h(
    'p',
    { class: 'note', role: 'status' },
    `Connecting you to someone. A person will reply here${when}.`,
  );
}

/** The panel's `data-hours`: the availability answer, `asking` while it is awaited, `unknown` without it. */
function hoursState(hours: { open: boolean } | undefined, known: boolean) {
  if (hours) return hours.open ? 'open' : 'closed';
  return known ? 'unknown' : 'asking';
}

/** The title bar: the site's title (in the page's language), "End chat" when it applies, and close. */
function Head(props: { title: string | undefined; end: ComponentChild; onClose(): void }) {
  return h('div', { class: 'head' }, [
    h('h2', { lang: props.title ? pageLang() : undefined }, props.title ?? 'Chat with us'),
    props.end,
    h('button', { class: 'close', type: 'button', 'aria-label': 'Close chat', onClick: props.onClose }, '×'),
  ]);
}

interface PanelProps {
  config: Config;
  open: boolean;
  /** The visitor ended the chat before this panel mounted ("End chat"): it says so until a new one starts. */
  ended: boolean;
  onClose(): void;
  onUnread(n: number): void;
  onEnded(): void;
}

function Panel(props: PanelProps) {
  const { config, open } = props;
  const chat = useChat(config);
  const end = useEndChat(config.origin, chat, props.ended, props.onEnded);
  const { hours, known } = useAvailability(config.origin, open, chat.session?.availability);
  const [typedError, setTypedError] = useState<{ field: string; message: string } | undefined>();
  const formShown = useRef(false);
  const follow = useFollow(open, chat.messages, chat.unsent.length, chat.loadOlder);
  const covers = useCoversWindow();
  useSeen(chat, open && follow.atEnd, props.onUnread);
  const who = chat.typing ? TYPING[chat.typing] : '';
  const closed = hours?.open === false;
  const problem = problemText(chat.problem, !chat.signedIn, chat.unsent.length);
  const onStart = (name: string, email: string) => {
    const wrong = emailProblem(email);
    setTypedError(wrong ? { field: 'email', message: wrong } : undefined);
    if (!wrong) void chat.start(name, email);
  };
  const fieldError = typedError ?? (chat.problem?.kind === 'field' ? chat.problem : undefined);
  const connected = chat.connection === 'offline' || chat.session ? CONNECTION[chat.connection] : undefined;
  const state = connected && connected + end.offline;
  const form = chat.session
    ? h(Composer, {
        onSend: (text: string) => chat.outbox.add(text),
        focus: open && formShown.current,
        draftKey: `${chat.key}:draft`,
      })
    : chat.signedIn || !known
      ? null
      : h(PreChat, { onStart, closed, starting: chat.starting, fieldError });
  formShown.current ||= open && known && !chat.session && !chat.signedIn;
  return h(
    'section',
    {
      class: 'panel',
      role: 'dialog',
      'aria-label': config.title ?? 'Chat with us',
      'data-connection': chat.session ? chat.connection : undefined,
      'data-hours': hoursState(hours, known),
      // Over the whole window (a phone) it is modal: the page under it is out of reach and out of sight.
      'aria-modal': covers ? 'true' : undefined,
      tabIndex: -1,
      hidden: !open,
      // Escape closes the End chat question when it shows, else the panel.
      onKeyDown: dialogKeys(covers, () => end.escape() || props.onClose()),
    },
    [
      h(Head, { title: config.title, end: end.button, onClose: props.onClose }),
      h('p', { class: 'state', role: 'status', id: 'tl-state' }, state),
      end.ask,
      end.note,
      h(Problem, {
        text: problem,
        onRetry: chat.problem?.kind === 'unavailable' && chat.signedIn ? () => void chat.start() : undefined,
      }),
      h(Availability, { hours, session: chat.session, messages: chat.messages, noForm: !form }),
      storageKept ? null : h('p', { class: 'kept' }, NOT_KEPT),
      h('div', { class: 'body' }, [
        h(MessageList, {
          messages: chat.messages,
          unsent: chat.unsent,
          welcome: config.welcome,
          offline: chat.connection === 'offline',
          held: heldText(chat),
          onRetry: (id: string) => chat.outbox.retry(id),
          listRef: follow.list,
          onScroll: follow.onScroll,
        }),
        follow.hint
          ? h('button', { class: 'hint', type: 'button', onClick: follow.toEnd }, 'New message ↓')
          : null,
      ]),
      chat.handoff ? h(Handoff, { hours }) : null,
      h('div', { class: 'typing', role: 'status', 'aria-live': 'polite' }, who),
      h(Arrivals, { messages: chat.messages, unsent: chat.unsent, ready: chat.historyRead }),
      form,
    ],
  );
}

/** Where the panel's open or closed state is kept for the tab's next page of the site ('1' open, '0' closed). */
const OPEN_KEY = 'threadline-chat:open';

/**
 * Mounts the panel. `restore`: the loader found the tab's kept state on this new page of the site (the
 * visitor used the chat before), so the panel starts open or closed as it was, without taking the focus.
 */
(window as unknown as Record<string, unknown>).__threadlineChatPanel = (
  mount: HTMLElement,
  root: ShadowRoot,
  config: Config,
  launcher: HTMLButtonElement,
  restore?: boolean,
) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(PANEL_CSS);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  // Whose page it is, for a change later (the loader has ended the one before's chat already; this
  // notes it where the browser blocks storage, and the panel's memory is its own).
  endPreviousUser(config.origin, siteStore, tabStore, config.identityToken);
  let open = Boolean(restore) && tabStore.getItem(OPEN_KEY) === '1';
  let unread = 0;
  // Chats ended here ("End chat"): each makes a new panel, nothing of the ended one's state kept.
  let ended = 0;
  const onUnread = (n: number) => {
    unread = n;
    label(launcher, open, unread);
  };
  const draw = (focus: boolean) => {
    label(launcher, open, unread);
    tabStore.setItem(OPEN_KEY, open ? '1' : '0');
    // Keyed by the page's user: another one mounts a new panel, nothing of the one before's chat kept.
    const key = storageKey(config.identityToken);
    const onEnded = () => {
      ended += 1;
      unread = 0;
      draw(true);
    };
    const panel = {
      key: `${key}#${ended}`,
      config,
      open,
      ended: ended > 0,
      onClose: toggle,
      onUnread,
      onEnded,
    };
    render(h(Panel, panel), mount);
    if (!focus) return;
    // The first field, or the dialog itself while the pre-chat form waits for the hours (it takes the
    // focus over when it shows).
    if (open)
      requestAnimationFrame(() =>
        (
          root.querySelector<HTMLElement>('textarea, input') ?? root.querySelector<HTMLElement>('.panel')
        )?.focus(),
      );
    else launcher.focus();
  };
  const toggle = () => {
    open = !open;
    draw(true);
  };
  /** The tag's identity token changed: another user's chat ends, and the panel starts afresh for the new one. */
  const identityChanged = () => {
    if (!endPreviousUser(config.origin, siteStore, tabStore, config.identityToken)) return;
    unread = 0;
    draw(false);
  };
  if (restore) draw(false);
  return { toggle, identityChanged };
};
