// The visitor's conversation: the history, the live socket, the outbox of unsent messages, who is
// typing, whether a person has been asked for, and whether the network is there.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ChatMessage, call, history, type LiveFrame, live } from './api.js';
import { createOutbox, type Outbox, type Unsent } from './outbox.js';
import { type Config, useSession } from './session.js';

/** How long an agent's typing shows after their last hint (the console repeats it while they type). */
const AGENT_TYPING_MS = 6_000;

/** The live socket's state as the visitor sees it. */
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

function merge(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const at = list.findIndex((m) => m.id === message.id);
  if (at < 0) return [...list, message].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const copy = list.slice();
  copy[at] = { ...copy[at], ...message, pending: false };
  return copy;
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

/** Whether the browser says it is offline, kept current by its online and offline events. */
function useOnline(onBack: () => void) {
  const [online, setOnline] = useState(() => navigator.onLine !== false);
  useEffect(() => {
    const up = () => {
      setOnline(true);
      onBack();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/**
 * A person was asked for: routing decided on the visitor's last message without an AI answer (the
 * AI's typing stops and no reply comes with it). Kept in sessionStorage until someone answers.
 */
function useHandoff(key: string) {
  const storage = `${key}:handoff`;
  const [waiting, setWaiting] = useState(() => sessionStorage.getItem(storage) === '1');
  const set = (on: boolean) => {
    setWaiting(on);
    try {
      if (on) sessionStorage.setItem(storage, '1');
      else sessionStorage.removeItem(storage);
    } catch {}
  };
  return [waiting, set] as const;
}

/** The outbox of this visitor, re-rendering the panel as its messages change. */
function useOutbox(
  key: string,
  token: string | undefined,
  origin: string,
  onSent: (m: ChatMessage) => void,
  reset: () => void,
) {
  const [items, setItems] = useState<readonly Unsent[]>([]);
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const outbox = useMemo<Outbox>(() => {
    const box = createOutbox(`${key}:outbox`, {
      storage: sessionStorage,
      post: (u) =>
        call(origin, '/webchat/messages', {
          method: 'POST',
          body: JSON.stringify({ text: u.text, clientMessageId: u.clientMessageId }),
          ...(tokenRef.current ? { token: tokenRef.current } : {}),
        }),
      sent: (u, answer) => onSent({ id: answer.id, at: answer.at, author: 'visitor', text: u.text }),
      unauthorized: reset,
      changed: setItems,
    });
    setItems(box.items());
    return box;
  }, [key]);
  useEffect(() => outbox.ready(Boolean(token)), [outbox, token]);
  return [outbox, items] as const;
}

/** The session, the history, the live socket and the outbox of the visitor. */
export function useChat(config: Config) {
  const auth = useSession(config);
  const { session } = auth;
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [typing, setTyping] = useTyping();
  const [handoff, setHandoff] = useHandoff(auth.key);
  const [socketOpen, setSocketOpen] = useState<boolean | undefined>();
  const socket = useRef<{ send(frame: unknown): void } | undefined>(undefined);
  const last = useRef({ at: '', author: '' });
  const add = (incoming: ChatMessage[]) => setMessages((now) => incoming.reduce(merge, now));
  const [outbox, unsent] = useOutbox(
    auth.key,
    session?.sessionToken,
    config.origin,
    (m) => received([m]),
    auth.reset,
  );
  const current = useRef(outbox);
  current.current = outbox;
  const online = useOnline(() => current.current.resume());
  const received = (incoming: ChatMessage[]) => {
    for (const m of incoming) if (m.at >= last.current.at) last.current = { at: m.at, author: m.author };
    add(incoming);
    outbox.confirm(incoming.filter((m) => m.author === 'visitor').map((m) => m.id));
    if (last.current.author && last.current.author !== 'visitor') setHandoff(false);
  };
  useEffect(() => {
    if (!session) return;
    const load = () =>
      history(config.origin, session.sessionToken).then(received, (error: { status?: number }) => {
        if (error.status === 401) auth.reset();
      });
    const onFrame = (frame: LiveFrame) => {
      if (frame.type === 'message') {
        received([frame.message]);
        if (frame.message.author !== 'visitor') setTyping(undefined);
      } else if (frame.type === 'typing') {
        setTyping(frame.on ? frame.by : undefined);
        if (frame.by === 'ai' && !frame.on && last.current.author === 'visitor') setHandoff(true);
      }
    };
    const base = session.liveUrl ?? `${config.origin.replace(/^http/, 'ws')}/webchat/live`;
    const url = `${base}?session=${encodeURIComponent(session.sessionToken)}`;
    const channel = live(url, onFrame, (open, again) => {
      setSocketOpen(open);
      if (!open && !again) void load();
      if (!open) return;
      void load();
      if (again) outbox.resume();
    });
    socket.current = channel;
    return () => {
      channel.stop();
      setSocketOpen(undefined);
    };
  }, [session?.sessionToken]);
  const connection: Connection = !online
    ? 'offline'
    : socketOpen === false
      ? 'reconnecting'
      : socketOpen
        ? 'live'
        : 'connecting';
  return { ...auth, messages, unsent, outbox, typing, handoff, connection, socket };
}
