import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { knownQueues, useAgents } from './agents.js';
import { Announcer, useWorkTold } from './announce.js';
import { type Api, type Conversation, conversationFrom, createApi } from './api.js';
import { NoConversation, Removed } from './app-views.js';
import { focusComposerNow } from './composer-focus.js';
import { ConfirmHost } from './confirm.js';
import { ConversationView } from './conversation.js';
import { useDayTurns } from './day-turns.js';
import { Header } from './header.js';
import { Help } from './help.js';
import { type Filters, Inbox } from './inbox.js';
import { type InboxPlace, placeIn, stepTarget } from './inbox-step.js';
import { useLinkedConversation } from './linked-conversation.js';
import { LiveClient, type LiveEvent, type LiveStatus } from './live.js';
import {
  conversationInAddress,
  forgetCustomers,
  forgetPlace,
  rememberConversation,
  rememberedConversation,
  showInAddress,
} from './place.js';
import { type Presence, usePresence } from './presence.js';
import {
  type ConsoleConfig,
  endSession,
  liveUrl,
  readSession,
  type Session,
  saveSession,
  startSession,
} from './session.js';
import { useShortcuts } from './shortcuts.js';
import { SignIn } from './sign-in.js';
import { focusLost } from './ui.js';

export type { Presence };

/** A listener of live events (the inbox and the open conversation). */
export type Subscribe = (listener: (event: LiveEvent) => void) => () => void;

/** The console: sign-in, then the inbox, the conversation and the customer. */
export function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [session, setSession] = useState<Session | null>(readSession);
  const [removed, setRemoved] = useState(false);
  useEffect(() => {
    fetch('/console/config.json')
      .then((r) => r.json())
      .then(setConfig, () => setConfig({ auth: { kind: 'token' } }));
  }, []);
  const signOut = useCallback(() => {
    forgetPlace();
    saveSession(null);
    setSession(null);
    setRemoved(false);
  }, []);
  // A 401 (the token's hour is up): back to the sign-in, the agent's place kept for them.
  const ended = useCallback(() => {
    endSession();
    setSession(null);
  }, []);
  const onRemoved = useCallback(() => setRemoved(true), []);
  if (!session || !config)
    return (
      <SignIn
        config={config}
        onSignedIn={(s) => {
          startSession(s);
          setSession(s);
        }}
      />
    );
  // The console goes with its socket, its reads and its timers: nothing is asked of the server again.
  if (removed) return <Removed onSignOut={signOut} />;
  return (
    <Console config={config} session={session} onSignOut={signOut} onEnded={ended} onRemoved={onRemoved} />
  );
}

function useLive(config: ConsoleConfig, api: Api, onRemoved: () => void) {
  const listeners = useRef(new Set<(event: LiveEvent) => void>());
  const subscribe: Subscribe = useCallback((listener) => {
    listeners.current.add(listener);
    return () => listeners.current.delete(listener);
  }, []);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [reloads, setReloads] = useState(0);
  const { presence, apply } = usePresence();
  const live = useRef<LiveClient>();
  /** An event the console learnt from an answer of its own (an erasure), told as the socket would. */
  const publish = useCallback((event: LiveEvent) => {
    for (const listener of listeners.current) listener(event);
  }, []);
  useEffect(() => {
    const client = new LiveClient(liveUrl(config), api, {
      onEvent: (event) => {
        apply(event);
        publish(event);
      },
      onStatus: setStatus,
      onReload: () => setReloads((n) => n + 1),
      onRemoved,
    });
    live.current = client;
    // Tests drop the socket through it, as a network failure would.
    (window as unknown as { threadlineLive?: LiveClient }).threadlineLive = client;
    client.connect();
    // The browser's word on the network and the tab come at once: a phone's link dies without a close.
    const wake = () => client.wake();
    const shown = () => document.visibilityState === 'visible' && client.wake();
    const down = () => client.offline();
    window.addEventListener('online', wake);
    window.addEventListener('offline', down);
    document.addEventListener('visibilitychange', shown);
    if (navigator.onLine === false) client.offline();
    return () => {
      window.removeEventListener('online', wake);
      window.removeEventListener('offline', down);
      document.removeEventListener('visibilitychange', shown);
      client.close();
    };
  }, [api, apply, config, publish, onRemoved]);
  return { subscribe, publish, status, reloads, presence, live };
}

function useCurrent(api: Api, subscribe: Subscribe, live: { current: LiveClient | undefined }) {
  const [current, setCurrent] = useState<Conversation>();
  const [wanted, setWanted] = useState(conversationInAddress);
  useEffect(() => {
    if (!current) return;
    const id = current.id;
    live.current?.send({ type: 'viewing', conversationId: id });
    return () => live.current?.send({ type: 'left', conversationId: id });
  }, [current?.id]);
  // Kept as it is now, not as it was opened: going back to it shows it resolved, not the status it had.
  useEffect(() => {
    if (current) rememberConversation(current);
  }, [current]);
  useEffect(() => {
    const follow = () => setWanted(conversationInAddress());
    addEventListener('popstate', follow);
    // The address may have changed between the first render and now (a link followed as the console
    // mounted, after sign-in): its popstate came before this listener, so read it once more.
    follow();
    return () => removeEventListener('popstate', follow);
  }, []);
  useEffect(() => {
    if (!wanted) return setCurrent(undefined);
    setCurrent((c) => (c?.id === wanted ? c : rememberedConversation(wanted)));
  }, [wanted]);
  useEffect(
    () =>
      subscribe((event) => {
        if (event.type === 'customer.updated' && event.item?.change === 'erased' && event.customerId)
          forgetCustomers([event.customerId]);
        if (event.type === 'conversation.updated' && event.item?.id)
          setCurrent((c) => (c && c.id === event.item.id ? { ...c, ...conversationFrom(event.item) } : c));
      }),
    [subscribe],
  );
  const open = (c: Conversation | undefined) => {
    showInAddress(c?.id);
    setWanted(c?.id);
    setCurrent(c);
  };
  /**
   * A newer copy of a conversation (an action's answer, the view's profile read): it replaces that
   * conversation only while it is the one shown. An answer for the conversation just left (Back, `j`, a
   * click) can land after the console turned to the next one, and it must not turn it back: the
   * address would name one conversation and the view show another until the agent moved again.
   */
  const update = (c: Conversation) => setCurrent((shown) => (shown?.id === c.id ? c : shown));
  /**
   * A conversation read for the address (the inbox's row, a pasted link's fetch): shown when the address
   * names it still (read at the moment it lands, not as it was when the read was asked) and it is not
   * shown already (a copy kept by this tab, or one updated since, is not replaced by an older row).
   */
  const named = (c: Conversation) =>
    setCurrent((shown) => (shown?.id !== c.id && conversationInAddress() === c.id ? c : shown));
  /** The inbox's rows: the conversation the address names, when it was not opened in this tab before. */
  const found = (list: Conversation[]) => {
    const c = wanted ? list.find((x) => x.id === wanted) : undefined;
    if (c) named(c);
  };
  const known = !!wanted && (current?.id === wanted || rememberedConversation(wanted) !== undefined);
  const link = useLinkedConversation(api, wanted, known, named);
  const resolve = async () => {
    if (!current) return;
    const path = `/api/conversations/${current.id}/${current.status === 'open' ? 'resolve' : 'reopen'}`;
    update(await api.send<Conversation>('POST', path));
  };
  return { current, link, update, open, found, resolve };
}

const NO_FILTER: Filters = { status: 'open', assignee: '', queue: '', channel: '', sort: 'waiting' };

/** A press of `r` or `n`: the composer of the conversation it was made in (`conversationId`) opens, once. */
export interface ComposerAsk {
  mode: 'reply' | 'note';
  at: number;
  conversationId: string;
}

/**
 * The keyboard: j and k through the inbox, r and n to the composer, e resolves (through the open
 * conversation's header, so a failure shows as the Resolve button's does, after the agent confirms),
 * ? the help. `r` and `n` put the focus in the reply box at once (the keys typed next are the reply's) and go to
 * the open conversation only (the reply box takes them once, never again as it is opened later). j or k
 * pressed with the focus on the conversation's heading (Escape left the reply box) puts it on the next
 * one's heading, so j and k go on working; after the open conversation left the list (resolved with `e`),
 * they go to the rows that were either side of it.
 */
function useKeys(
  list: Conversation[],
  current: Conversation | undefined,
  open: (c: Conversation) => void,
  help: () => void,
) {
  const [composer, setComposer] = useState<ComposerAsk>();
  const [resolveAsked, setResolveAsked] = useState<number>();
  const last = useRef<InboxPlace>();
  const toHeading = useRef(false);
  useEffect(() => {
    last.current =
      placeIn(list, current?.id) ?? (last.current?.id === current?.id ? last.current : undefined);
  }, [list, current?.id]);
  useEffect(() => {
    if (!toHeading.current) return;
    toHeading.current = false;
    document.getElementById('conversation-title')?.focus();
  }, [current?.id]);
  const step = (by: 1 | -1) => {
    const next = stepTarget(list, current?.id, by, last.current);
    if (!next || next.id === current?.id) return;
    const at = document.activeElement;
    toHeading.current = at?.id === 'conversation-title' || focusLost();
    open(next);
  };
  const ask = (mode: ComposerAsk['mode']) => {
    if (!current) return;
    setComposer({ mode, at: Date.now(), conversationId: current.id });
    focusComposerNow();
  };
  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    r: () => ask('reply'),
    n: () => ask('note'),
    e: () => setResolveAsked(Date.now()),
    '?': help,
  });
  return { composer: composer?.conversationId === current?.id ? composer : undefined, resolveAsked };
}

/**
 * Back to the inbox puts keyboard focus on the row the agent came from (at phone width the inbox was
 * hidden, and focus would fall to the page), or on the customer search when that row is not listed.
 * For a second after, focus that falls back to the page (the inbox re-rendered the row as a live
 * update came in) goes to that row again; anything the agent focuses meanwhile is left alone.
 */
function useBackFocus(currentId: string | undefined) {
  const from = useRef<string>();
  useEffect(() => {
    const id = from.current;
    if (currentId || !id) return;
    from.current = undefined;
    const target = () =>
      document.querySelector<HTMLElement>(`nav.inbox [data-conversation="${CSS.escape(id)}"]`) ??
      document.querySelector<HTMLElement>('nav.inbox input[name="q"]');
    target()?.focus();
    const until = Date.now() + 1000;
    let frame = 0;
    const keep = () => {
      if (document.activeElement === document.body || document.activeElement === null) target()?.focus();
      if (Date.now() < until) frame = requestAnimationFrame(keep);
    };
    frame = requestAnimationFrame(keep);
    return () => cancelAnimationFrame(frame);
  }, [currentId]);
  return (id: string) => {
    from.current = id;
  };
}

/** The agent API client of the session: a 401 ends the session, a 403 `agent_removed` stops the console. */
function useApi(token: string, onEnded: () => void, onRemoved: () => void): Api {
  return useMemo(() => createApi(token, onEnded, onRemoved), [token, onEnded, onRemoved]);
}

/** What the console is given: Sign out forgets the agent's place in the tab, a 401 (`onEnded`) keeps it. */
interface ConsoleProps {
  config: ConsoleConfig;
  session: Session;
  onSignOut(): void;
  onEnded(): void;
  onRemoved(): void;
}

function Console(props: ConsoleProps) {
  const { session, onEnded, onRemoved } = props;
  useDayTurns();
  const api = useApi(session.token, onEnded, onRemoved);
  const { subscribe, publish, status, reloads, presence, live } = useLive(props.config, api, onRemoved);
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const [list, setList] = useState<Conversation[]>([]);
  const { current, link, update, open, found, resolve } = useCurrent(api, subscribe, live);
  const { agents, saved, removed, policyQueues } = useAgents(api, subscribe, session.agentId, session.admin);
  const queues = useMemo(() => knownQueues(agents, list, policyQueues), [agents, list, policyQueues]);
  const [help, setHelp] = useState(false);
  const { composer, resolveAsked } = useKeys(list, current, open, () => setHelp(true));
  const back = useBackFocus(current?.id);
  useWorkTold(subscribe, current?.id, list, session.agentId);
  return (
    <div class={`shell ${current ? 'has-conversation' : ''}`}>
      <Header
        api={api}
        session={session}
        status={status}
        presence={presence}
        agents={agents}
        queues={queues}
        policyQueues={policyQueues}
        onSaved={saved}
        onRemoved={removed}
        onShowHeld={(agentId) => setFilters({ ...NO_FILTER, assignee: agentId })}
        onHelp={() => setHelp(true)}
        onSignOut={props.onSignOut}
      />
      <Inbox
        api={api}
        filters={filters}
        onFilters={setFilters}
        shown={current}
        onSelect={open}
        onList={(rows) => {
          setList(rows);
          found(rows);
        }}
        subscribe={subscribe}
        reloads={reloads}
        presence={presence}
        agents={agents}
        queues={queues}
        me={session}
      />
      {current ? (
        <ConversationView
          key={current.id}
          api={api}
          session={session}
          conversation={current}
          onConversation={update}
          onOpen={open}
          onBack={() => {
            back(current.id);
            open(undefined);
          }}
          onResolve={resolve}
          onErased={(ids) => tellErased(publish, ids)}
          subscribe={subscribe}
          reloads={reloads}
          presence={presence}
          status={status}
          agents={agents}
          queues={queues}
          onTyping={(note) => live.current?.send({ type: 'typing', conversationId: current.id, note })}
          composer={composer}
          resolveAsked={resolveAsked}
        />
      ) : (
        <NoConversation link={link} />
      )}
      {help ? <Help onClose={() => setHelp(false)} /> : null}
      <ConfirmHost />
      <Announcer />
    </div>
  );
}

/** Tells this console's views that customers were erased here (as the live feed would). */
function tellErased(publish: (event: LiveEvent) => void, ids: readonly string[]): void {
  for (const id of ids) publish({ type: 'customer.updated', customerId: id, item: { change: 'erased' } });
}
