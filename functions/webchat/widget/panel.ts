// The web chat's panel (Preact), loaded by the loader on first open.
import { h, render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type ChatMessage,
  call,
  history,
  type LiveFrame,
  live,
  type StoredSession,
  storageKey,
} from './api.js';
import { Availability, Composer, MessageList, PANEL_CSS, PreChat } from './panel-view.js';

/** How long an agent's typing shows after their last hint (the console repeats it while they type). */
const AGENT_TYPING_MS = 6_000;

interface Config {
  origin: string;
  identityToken?: string | undefined;
  welcome?: string | undefined;
  title?: string | undefined;
}

function readStored(key: string): StoredSession | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as StoredSession | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
}

function merge(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const at = list.findIndex((m) => m.id === message.id);
  if (at < 0) return [...list, message].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const copy = list.slice();
  copy[at] = { ...copy[at], ...message, pending: false };
  return copy;
}

/** Tells Threadline, on the socket, which replies the open panel has shown. */
function useReadReceipts(
  showing: boolean,
  messages: ChatMessage[],
  socket: { current: { send(frame: unknown): void } | undefined },
) {
  useEffect(() => {
    if (!showing) return;
    const unread = messages.filter(
      (m) => m.author !== 'visitor' && m.status !== 'read' && m.id.startsWith('reply:'),
    );
    if (unread.length) socket.current?.send({ type: 'read', messageIds: unread.slice(-50).map((m) => m.id) });
  }, [showing, messages]);
}

/** Who is typing, as the live frames say; an agent's typing fades unless renewed (no "stopped" comes). */
function useTyping() {
  const [typing, setTyping] = useState<'agent' | 'ai' | undefined>();
  const fade = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const show = (by: 'agent' | 'ai' | undefined) => {
    clearTimeout(fade.current);
    setTyping(by);
    if (by === 'agent') fade.current = setTimeout(() => setTyping(undefined), AGENT_TYPING_MS);
  };
  return [typing, show] as const;
}

/** The session, the history and the live socket of the visitor. */
function useChat(config: Config, open: boolean) {
  const key = useMemo(() => storageKey(config.identityToken), [config.identityToken]);
  const [session, setSession] = useState(() => readStored(key));
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [typing, setTyping] = useTyping();
  const socket = useRef<{ send(frame: unknown): void } | undefined>(undefined);
  const start = async (name?: string, email?: string) => {
    const body = { identityToken: config.identityToken, name: name || undefined, email: email || undefined };
    const started = await call<StoredSession>(config.origin, '/webchat/sessions', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    localStorage.setItem(key, JSON.stringify(started));
    setSession(started);
  };
  useEffect(() => {
    if (!session && config.identityToken) void start();
  }, []);
  useEffect(() => {
    if (!session) return;
    let closed = false;
    const load = () =>
      history(config.origin, session.sessionToken)
        .then((all) => setMessages((now) => all.reduce(merge, now)))
        .catch((error: { status?: number }) => {
          if (error.status === 401) {
            localStorage.removeItem(key);
            closed = true;
            setSession(undefined);
          }
        });
    const onFrame = (frame: LiveFrame) => {
      if (frame.type === 'message') {
        setMessages((now) => merge(now, frame.message));
        if (frame.message.author !== 'visitor') setTyping(undefined);
      } else if (frame.type === 'typing') setTyping(frame.on ? frame.by : undefined);
    };
    const base = session.liveUrl ?? `${config.origin.replace(/^http/, 'ws')}/webchat/live`;
    const url = `${base}?session=${encodeURIComponent(session.sessionToken)}`;
    socket.current = live(
      url,
      onFrame,
      () => void load(),
      () => closed,
    );
    return () => {
      closed = true;
    };
  }, [session?.sessionToken]);
  useReadReceipts(open && Boolean(session), messages, socket);
  const send = async (text: string) => {
    if (!session) return;
    const clientMessageId = crypto.randomUUID().replace(/-/g, '');
    const pending: ChatMessage = {
      id: `pending:${clientMessageId}`,
      at: new Date().toISOString(),
      author: 'visitor',
      text,
      pending: true,
    };
    setMessages((now) => [...now, pending]);
    const body = JSON.stringify({ text, clientMessageId });
    const sent = await call<{ id: string; at: string }>(config.origin, '/webchat/messages', {
      method: 'POST',
      body,
      token: session.sessionToken,
    });
    setMessages((now) =>
      merge(
        now.filter((m) => m.id !== pending.id),
        { ...pending, id: sent.id, at: sent.at, pending: false },
      ),
    );
  };
  return { session, messages, typing, start, send };
}

function Panel(props: { config: Config; open: boolean; onClose(): void }) {
  const { config, open } = props;
  const chat = useChat(config, open);
  const offline = chat.session?.availability?.open === false;
  const who =
    chat.typing === 'agent' ? 'An agent is typing…' : chat.typing === 'ai' ? 'The assistant is typing…' : '';
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') props.onClose();
  };
  return h(
    'section',
    {
      class: 'panel',
      role: 'dialog',
      'aria-label': config.title ?? 'Chat with us',
      hidden: !open,
      onKeyDown,
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
      h(Availability, { session: chat.session }),
      h(MessageList, { messages: chat.messages, welcome: config.welcome ?? 'Hi! How can we help?' }),
      h('div', { class: 'typing', role: 'status', 'aria-live': 'polite' }, who),
      chat.session
        ? h(Composer, { onSend: (text: string) => void chat.send(text) })
        : config.identityToken
          ? null
          : h(PreChat, { onStart: (name: string, email: string) => void chat.start(name, email), offline }),
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
