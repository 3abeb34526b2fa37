// The visitor's conversation: the history, the live socket, the outbox of unsent messages, who is
// typing, whether Threadline has handed the conversation to a person, and whether the network is there.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { newerHandoff } from '#shared/domain/webchat/newer-handoff.js';
import { type ChatMessage, call, type Handoff, history, type LiveFrame, live } from './api.js';
import { merge } from './merge.js';
import { createOutbox, type Outbox, type Unsent } from './outbox.js';
import { type Config, useSession } from './session.js';

/** How long an agent's typing shows after their last hint (the console repeats it while they type). */
const AGENT_TYPING_MS = 6_000;

/** The live socket's state as the visitor sees it. */
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

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
 * The hand-off to show: Threadline's newest (its `handoff` frame, or the history's) while no agent or
 * AI message came after it.
 */
function useHandoff(messages: readonly ChatMessage[]) {
  const [handoff, setHandoff] = useState<Handoff | undefined>();
  const see = (seen: Handoff | undefined) => setHandoff((now) => newerHandoff(now, seen));
  const answered = handoff && messages.some((m) => m.author !== 'visitor' && m.at > handoff.at);
  return [answered ? undefined : handoff, see] as const;
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
  const [handoff, seeHandoff] = useHandoff(messages);
  const [socketOpen, setSocketOpen] = useState<boolean | undefined>();
  const socket = useRef<{ send(frame: unknown): void } | undefined>(undefined);
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
    add(incoming);
    outbox.confirm(incoming.filter((m) => m.author === 'visitor').map((m) => m.id));
  };
  useEffect(() => {
    if (!session) return;
    const load = () =>
      history(config.origin, session.sessionToken).then(
        (page) => {
          received(page.messages);
          seeHandoff(page.handoff);
        },
        (error: { status?: number }) => {
          if (error.status === 401) auth.reset();
        },
      );
    const onFrame = (frame: LiveFrame) => {
      if (frame.type === 'message') {
        received([frame.message]);
        if (frame.message.author !== 'visitor') setTyping(undefined);
      } else if (frame.type === 'typing') {
        setTyping(frame.on ? frame.by : undefined);
      } else if (frame.type === 'handoff') {
        seeHandoff(frame.handoff);
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
