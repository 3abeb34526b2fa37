// The visitor's conversation: the history, the live socket, the outbox of unsent messages, who is
// typing, whether Threadline has handed the conversation to a person, and whether the network is there.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { newerHandoff } from '#shared/domain/webchat/newer-handoff.js';
import {
  type ChatMessage,
  call,
  type Handoff,
  type HistoryPage,
  historyPage,
  type LiveFrame,
  live,
  type StoredSession,
} from './api.js';
import { merge } from './merge.js';
import { createOutbox, type Outbox, type Unsent } from './outbox.js';
import { sendRead } from './read-receipts.js';
import { sendLock } from './send-lock.js';
import { type Config, useSession } from './session.js';
import { siteStore } from './storage.js';
import { aiAway, useTyping } from './typing.js';
import { whenShown } from './when-shown.js';

/** The first and the longest wait between two reads of the history while the socket is not open (doubling). */
const POLL_FIRST_MS = 5_000;
const POLL_LONGEST_MS = 60_000;
/** The first and the longest wait before a failed read of the history on the socket's (re)open is tried again. */
const RETRY_FIRST_MS = 1_000;
const RETRY_LONGEST_MS = 30_000;

/**
 * The live socket's state as the visitor sees it; `polling`: the page may not open it (its CSP), so
 * the panel reads the history now and then instead; `retrying`: the socket is open but the read of
 * what it missed failed (no answer in time), and is tried again.
 */
export type Connection = 'connecting' | 'live' | 'retrying' | 'reconnecting' | 'polling' | 'offline';

/**
 * Reads the history while the live socket is not open (blocked, or dropped and not back yet): after
 * 5 s, then doubling to a minute while nothing new comes, back to 5 s when something did. `read`
 * answers what it saw (a message count, say) so the poll knows whether anything changed.
 */
function poller(read: () => Promise<string>) {
  let wait = POLL_FIRST_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seen: string | undefined;
  const tick = async () => {
    const now = await read().catch(() => seen);
    wait = now !== seen ? POLL_FIRST_MS : Math.min(wait * 2, POLL_LONGEST_MS);
    seen = now;
    if (timer) timer = setTimeout(tick, wait);
  };
  return {
    start: () => {
      timer ??= setTimeout(tick, wait);
    },
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Whether the browser says it is offline, kept current by its online and offline events. */
function useOnline(onBack: () => void, onGone: () => void) {
  const [online, setOnline] = useState(() => navigator.onLine !== false);
  useEffect(() => {
    const up = () => {
      setOnline(true);
      onBack();
    };
    const down = () => {
      setOnline(false);
      onGone();
    };
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

/**
 * The page the visitor writes from, for the fallback email's link back to the chat: its origin and
 * path only (a query may hold the site's tokens); Threadline keeps it only on an allowed origin.
 */
function chatPage(): string {
  return (location.origin + location.pathname).slice(0, 2048);
}

/**
 * The page's language (`<html lang>`), Threadline's hint of the conversation's when the first message is
 * too short to tell ("hi"): only a language tag of at most four parts (30 characters), else none is sent.
 */
function chatLang(): string | undefined {
  const lang = document.documentElement.lang;
  return /^[a-z]{2,3}(-[a-z\d]{1,8}){0,3}$/i.test(lang) ? lang : undefined;
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
      storage: siteStore,
      post: (u) =>
        call(origin, '/webchat/messages', {
          method: 'POST',
          body: JSON.stringify({
            text: u.text,
            clientMessageId: u.clientMessageId,
            page: chatPage(),
            lang: chatLang(),
          }),
          ...(tokenRef.current ? { token: tokenRef.current } : {}),
        }),
      sent: (u, answer) => onSent({ id: answer.id, at: answer.at, author: 'visitor', text: u.text }),
      unauthorized: reset,
      changed: setItems,
      offline: () => navigator.onLine === false,
      exclusive: sendLock(`${key}:outbox:sending`, siteStore),
    });
    setItems(box.items());
    return box;
  }, [key]);
  useEffect(() => {
    outbox.ready(Boolean(token));
    // Unmounted (another user's panel), it sends nothing more with this session.
    return () => outbox.ready(false);
  }, [outbox, token]);
  return [outbox, items] as const;
}

/** What the live socket and the reads of the history change in the panel. */
interface LiveHooks {
  received(incoming: ChatMessage[]): void;
  /** The newest page of the history was read (its cursor leads to older pages). */
  newest(page: HistoryPage): void;
  seeHandoff(handoff: Handoff | undefined): void;
  setTyping(by: 'agent' | 'ai' | undefined): void;
  setSocketOpen(open: boolean | 'blocked' | undefined): void;
  /** A read of the history on the socket's (re)open failed and is being tried again. */
  setBehind(behind: boolean): void;
  reset(): void;
  resume(): void;
}

/**
 * Opens the session's live socket and loads the history (on the first open or failure, and on each
 * reopen); reads it now and then while the socket is not open, and for good once the page's CSP
 * refuses it (its violation report names the socket's URL). Answers the channel and how to stop.
 */
function connect(origin: string, session: StoredSession, hooks: LiveHooks) {
  const load = () =>
    historyPage(origin, session.sessionToken).then(
      (page) => {
        hooks.newest(page);
        hooks.seeHandoff(page.handoff);
        const last = page.messages.at(-1);
        return `${page.messages.length}:${last?.id}:${last?.status}`;
      },
      (error: { status?: number }) => {
        if (error.status === 401) hooks.reset();
        throw error;
      },
    );
  const poll = poller(load);
  // The read on (re)open: a failure (a timed-out answer) is tried again, 1 s doubling to 30 s, while it shows.
  let retry: ReturnType<typeof setTimeout> | undefined;
  let wait = RETRY_FIRST_MS;
  const catchUp = () => {
    clearTimeout(retry);
    load().then(
      () => {
        wait = RETRY_FIRST_MS;
        hooks.setBehind(false);
      },
      (error: { status?: number }) => {
        if (error.status === 401) return;
        hooks.setBehind(true);
        retry = setTimeout(catchUp, wait);
        wait = Math.min(wait * 2, RETRY_LONGEST_MS);
      },
    );
  };
  const onFrame = (frame: LiveFrame) => {
    if (frame.type === 'message') {
      hooks.received([frame.message]);
      if (frame.message.author !== 'visitor') hooks.setTyping(undefined);
    } else if (frame.type === 'typing') {
      // Offline, nobody is shown typing: a frame that still gets through must not bring it back.
      hooks.setTyping(frame.on && navigator.onLine !== false ? frame.by : undefined);
    } else if (frame.type === 'handoff') {
      hooks.seeHandoff(frame.handoff);
    }
  };
  const base = session.liveUrl ?? `${origin.replace(/^http/, 'ws')}/webchat/live`;
  const url = `${base}?session=${encodeURIComponent(session.sessionToken)}`;
  const onState = (open: boolean, again: boolean) => {
    // A socket that was never up is still `connecting` (no "Reconnecting…"): only a drop is a reconnect.
    hooks.setSocketOpen(open || again ? open : undefined);
    clearTimeout(retry);
    hooks.setBehind(false);
    if (!open && !again) load().catch(() => {});
    if (!open) {
      // A "stopped" sent while the socket is down is lost with it: no typing outlives the connection.
      hooks.setTyping(undefined);
      return poll.start();
    }
    poll.stop();
    catchUp();
    if (again) hooks.resume();
  };
  const blocked = () => {
    hooks.setSocketOpen('blocked');
    load().catch(() => {});
    poll.start();
  };
  const channel = live(url, onFrame, onState, blocked, whenShown);
  const violated = (event: SecurityPolicyViolationEvent) => {
    if (event.blockedURI && url.startsWith(event.blockedURI)) channel.block();
  };
  document.addEventListener('securitypolicyviolation', violated);
  const stop = () => {
    document.removeEventListener('securitypolicyviolation', violated);
    channel.stop();
    poll.stop();
    clearTimeout(retry);
    hooks.setSocketOpen(undefined);
  };
  return { channel, stop };
}

/** The connection as the visitor sees it, from the browser's online state, the socket's and the catch-up read's. */
function connectionOf(
  online: boolean,
  socketOpen: boolean | 'blocked' | undefined,
  behind: boolean,
): Connection {
  if (!online) return 'offline';
  if (socketOpen === 'blocked') return 'polling';
  if (socketOpen === undefined) return 'connecting';
  if (socketOpen && behind) return 'retrying';
  return socketOpen ? 'live' : 'reconnecting';
}

/**
 * Paging back through the history, one page at a time and one read at once: `from` takes the newest
 * page's cursor, `load` reads the page before the oldest shown (the panel calls it when the visitor
 * scrolls to the top), `more` says whether there is one.
 */
function useOlder(
  origin: string,
  token: string | undefined,
  received: (incoming: ChatMessage[]) => void,
  seeHandoff: (handoff: Handoff | undefined) => void,
) {
  const cursor = useRef<string | null | undefined>(undefined);
  const reading = useRef(false);
  const [more, setMore] = useState(false);
  const from = (next: string | null) => {
    cursor.current = next;
    setMore(Boolean(next));
  };
  const load = () => {
    if (!token || !cursor.current || reading.current) return;
    reading.current = true;
    historyPage(origin, token, cursor.current)
      .then((page) => {
        from(page.cursor);
        received(page.messages);
        seeHandoff(page.handoff);
      })
      .catch(() => {})
      .finally(() => {
        reading.current = false;
      });
  };
  return { more, from, load, started: () => cursor.current !== undefined };
}

/**
 * Tells Threadline the replies the visitor saw, each once per connection and status: the panel asks
 * whenever the list changes until the `read` status comes back, and a history read with nothing new sent
 * the same frame again. A connection that comes up again (or a new session) tells them again, in case a
 * frame was lost with the one before.
 */
function useMarkRead(
  origin: string,
  socket: { current: { send(frame: unknown): boolean } | undefined },
  session: StoredSession | undefined,
  socketOpen: unknown,
) {
  const sent = useRef(new Set<string>());
  useEffect(() => {
    sent.current = new Set();
  }, [socketOpen, session?.sessionToken]);
  return (shown: ChatMessage[]) => sendRead(origin, socket.current, session, shown, sent.current);
}

/** The session, the history, the live socket and the outbox of the visitor. */
export function useChat(config: Config) {
  const auth = useSession(config);
  const { session } = auth;
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [typing, setTyping] = useTyping();
  const [handoff, seeHandoff] = useHandoff(messages);
  const [socketOpen, setSocketOpen] = useState<boolean | 'blocked' | undefined>();
  const [behind, setBehind] = useState(false);
  const socket = useRef<{ send(frame: unknown): boolean } | undefined>(undefined);
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
  // Offline, the typing goes too (its "stopped" may be lost meanwhile), and does not come back after.
  const online = useOnline(
    () => current.current.resume(),
    () => setTyping(undefined),
  );
  const received = (incoming: ChatMessage[]) => {
    add(incoming);
    outbox.confirm(incoming.filter((m) => m.author === 'visitor').map((m) => m.id));
  };
  const shown = useRef(messages);
  shown.current = messages;
  const older = useOlder(config.origin, session?.sessionToken, received, seeHandoff);
  // The newest page: merged into what is shown; the first one (or one with a gap before it, the
  // socket down for longer than a page) starts the paging back from its cursor.
  const newest = (page: HistoryPage) => {
    const now = shown.current;
    const last = now.at(-1);
    const gap = Boolean(page.cursor && last && page.messages.every((m) => m.at > last.at));
    if (gap) setMessages([]);
    if (gap || !older.started()) older.from(page.cursor);
    received(page.messages);
    if (session && page.expiresAt) auth.renew(session.sessionToken, page.expiresAt);
  };
  useEffect(() => {
    if (!session) return;
    const resume = () => outbox.resume();
    const hooks = {
      received,
      newest,
      seeHandoff,
      setTyping,
      setSocketOpen,
      setBehind,
      reset: auth.reset,
      resume,
    };
    const { channel, stop } = connect(config.origin, session, hooks);
    socket.current = channel;
    return stop;
  }, [session?.sessionToken]);
  const markRead = useMarkRead(config.origin, socket, session, socketOpen);
  const connection = connectionOf(online, socketOpen, behind);
  return {
    ...auth,
    messages,
    unsent,
    outbox,
    typing: typing === 'ai' && aiAway(messages, handoff) ? undefined : typing,
    handoff,
    connection,
    markRead,
    hasOlder: older.more,
    loadOlder: older.load,
    /** The newest page of the history has been read: what comes after it is new to the visitor. */
    historyRead: older.started(),
  };
}
