import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { loadOf, withLoad } from './agent-load.js';
import { nextLapse } from './agent-state.js';
import type { Api, Page } from './api.js';
import type { Subscribe } from './app.js';
import type { LiveEvent } from './live.js';
import { queuesReadAtSignIn } from './session.js';
import { ErrorNote } from './ui.js';

/** An agent as `GET /api/agents` lists them: what routing reads to hand conversations over. */
export interface AgentRow {
  id: string;
  queues: string[];
  languages: string[];
  capacity: number;
  presence: 'online' | 'away';
  openConversations: number;
  /** Until when they count as at the console (online ones with a console open): see `agentState`. */
  connectedUntil?: string | undefined;
  /** Their role as their own console last told it (`PUT /api/agents/me`). */
  role?: 'agent' | 'admin' | undefined;
}

type Registered = Omit<AgentRow, 'openConversations'>;

/** `PUT /api/agents/me` with nothing to change: registers the agent, and notes their role as they sign in now. */
function register(api: Api, then: (agent: Registered) => void): void {
  api.send<Registered>('PUT', '/api/agents/me', {}).then(then, () => undefined);
}

/** The list with the agent, added (none open) unless listed already. */
const withAgent = (list: AgentRow[], agent: Registered): AgentRow[] =>
  list.some((a) => a.id === agent.id) ? list : [...list, { ...agent, openConversations: 0 }];

/**
 * Each agent's newest `agent.load` (count, order seen): a list read under way when one came answers the
 * count from before it, so the read keeps the event's (`over`), not its own.
 */
function useLoadsSeen() {
  const seen = useRef({ seq: 0, loads: new Map<string, { open: number; seq: number }>() });
  return {
    seq: () => seen.current.seq,
    note(event: LiveEvent): LiveEvent {
      const load = loadOf(event);
      if (load) {
        seen.current.seq += 1;
        seen.current.loads.set(load.agentId, { open: load.openConversations, seq: seen.current.seq });
      }
      return event;
    },
    over: (items: AgentRow[], since: number) =>
      items.map((a) => {
        const load = seen.current.loads.get(a.id);
        return load && load.seq > since ? { ...a, openConversations: load.open } : a;
      }),
  };
}

/**
 * The registered agents, read again when someone's presence moves (the live socket says so) and when a
 * socket opens (its `hello`: what it missed), a second after, once for a burst (a sign-in's hello and
 * presences: one read, not three). An agent's load (open conversations) follows its own live event,
 * `agent.load`, sent from the change that moved it: a take, a transfer or a resolve shows at once, with
 * no read (before, the list was read a second and 5 s after a conversation changed hands, and showed the
 * old holder's load while the change feed lagged).
 * An agent signed in here who is not on the list is registered (`PUT /api/agents/me` with nothing to
 * change: a new agent is away, in no queue), once a load, so colleagues can transfer to them and an
 * admin sees them; never set online by it (on a list that lagged, the call changes nothing of theirs).
 * The same call, once a load, when the list gives them another role than their sign-in's (`admin`):
 * it notes their role as it is now; after either, the list is read again (for the role it now says).
 * Registered so, they stay on the list as shown until a read lists them: the list index the read
 * answers from may lag the registration (before, the read after it took them off: "Agents (0)").
 */
export function useAgents(api: Api, subscribe: Subscribe, me: string, admin = false) {
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [tick, setTick] = useState(0);
  const registering = useRef(false);
  /** Registered here and not yet listed by a read: their row is kept over the reads that lack it. */
  const unlisted = useRef(false);
  const loads = useLoadsSeen();
  useEffect(() => {
    let stale = false;
    const since = loads.seq();
    api.get<Page<AgentRow>>('/api/agents').then(
      (read) => {
        if (stale) return;
        const page = { ...read, items: loads.over(read.items, since) };
        const mine = page.items.find((a) => a.id === me);
        if (mine) unlisted.current = false;
        const keep = unlisted.current;
        setAgents((list) => {
          const shown = keep ? list.find((a) => a.id === me) : undefined;
          return shown ? [...page.items, shown] : page.items;
        });
        if (registering.current || (mine && mine.role === (admin ? 'admin' : 'agent'))) return;
        registering.current = true;
        register(api, (agent) => {
          // Shown at once when new to the list, with the role the call just noted (its answer has none),
          // then read again.
          if (!mine) {
            unlisted.current = true;
            setAgents((list) => withAgent(list, { ...agent, role: admin ? 'admin' : 'agent' }));
          }
          setTick((t) => t + 1);
        });
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [api, tick, me, admin]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe((event) => {
      if (event.type === 'agent.load') return setAgents((list) => withLoad(list, loads.note(event)));
      if ((event.type === 'presence' || event.type === 'hello') && !timer)
        timer = setTimeout(() => {
          timer = undefined;
          setTick((t) => t + 1);
        }, 1_000);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [subscribe]);
  // When the next agent at the console counts as gone (their lease ran out, no event says so): the list
  // drawn again then, so its labels say offline as the server counts them.
  useEffect(() => {
    const at = nextLapse(agents, Date.now());
    if (at === undefined) return;
    const timer = setTimeout(() => setAgents((list) => [...list]), Math.max(0, at - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [agents]);
  const policyQueues = usePolicyQueues(api);
  // The saved registration at once, then the list read again: only it says until when an agent who
  // just chose online counts as at the console (`connectedUntil`), which the saved profile does not carry.
  const saved = useCallback((agent: Omit<AgentRow, 'openConversations'>) => {
    setAgents((list) => {
      const old = list.find((a) => a.id === agent.id);
      const row = { ...old, ...agent, openConversations: old?.openConversations ?? 0 };
      return old ? list.map((a) => (a.id === agent.id ? row : a)) : [...list, row];
    });
    setTick((t) => t + 1);
  }, []);
  // An agent an admin removed here: off the list at once (the next read no longer lists them).
  const removed = useCallback(
    (agentId: string) => setAgents((list) => list.filter((a) => a.id !== agentId)),
    [],
  );
  return { agents, saved, removed, policyQueues };
}

/**
 * The routing policy's queues, read once a load (taken from the sign-in's read when there was one): a
 * queue just added to the policy is offered to join before anyone is in it (before, the picker knew only
 * agents' queues and those of conversations in view).
 */
function usePolicyQueues(api: Api): string[] {
  const [policyQueues, setPolicyQueues] = useState<string[]>([]);
  useEffect(() => {
    const read = queuesReadAtSignIn(api.token);
    if (read) {
      setPolicyQueues(read);
      return;
    }
    let stale = false;
    api.get<{ queues?: string[] }>('/api/me').then(
      (me) => !stale && setPolicyQueues(me.queues ?? []),
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [api]);
  return policyQueues;
}

/**
 * Every queue the console knows of: the routing policy's, agents' queues and those of conversations
 * in view (a queue taken out of the policy keeps its conversations until they are moved), sorted.
 */
export function knownQueues(
  agents: readonly AgentRow[],
  conversations: ReadonlyArray<{ queue?: string | undefined }>,
  policyQueues: readonly string[] = [],
): string[] {
  const all = new Set<string>(policyQueues);
  for (const a of agents) for (const q of a.queues) all.add(q);
  for (const c of conversations) if (c.queue) all.add(c.queue);
  return [...all].sort();
}

/** The queues the agent takes hand-offs from: a disclosure, in the top bar or in its menu. */
export function QueuePicker(props: { registration: Registration; queues: string[] }) {
  const [added, setAdded] = useState('');
  const { mine, save } = props.registration;
  const toggle = (queue: string, on: boolean) =>
    save({ queues: on ? [...mine, queue] : mine.filter((q) => q !== queue) });
  return (
    <details class="my-queues">
      <summary>Queues: {mine.length ? mine.join(', ') : 'none'}</summary>
      <fieldset>
        <legend>The queues you take hand-offs from</legend>
        {[...new Set([...props.queues, ...mine])].sort().map((q) => (
          <label key={q} class="check">
            <input
              type="checkbox"
              checked={mine.includes(q)}
              onChange={(e) => toggle(q, e.currentTarget.checked)}
            />
            {q}
            {props.registration.gone.includes(q) ? ' (not in the routing policy)' : ''}
          </label>
        ))}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const queue = added.trim();
            if (queue && !mine.includes(queue)) toggle(queue, true);
            setAdded('');
          }}
        >
          <label>
            Join another queue
            <input value={added} maxLength={64} onInput={(e) => setAdded(e.currentTarget.value)} />
          </label>
          <button type="submit">Join</button>
        </form>
        <LanguagesForm key={props.registration.languages.join()} registration={props.registration} />
      </fieldset>
    </details>
  );
}

/** The language codes typed (`en, pt-BR` or `en pt`), each once; none is an empty list (any language). */
export const languageCodes = (text: string): string[] => [...new Set(text.split(/[\s,;]+/).filter(Boolean))];

/**
 * The languages the agent takes conversations in, as the codes routing's detector gives (`en`, `es`,
 * `ar`...; `pt-BR` counts as `pt`), saved with their queues' registration. None (the default) takes any
 * language, after the agents who list it. Once saved, the field shows them as kept (`por` as `pt`).
 */
function LanguagesForm(props: { registration: Registration }) {
  const { languages, save } = props.registration;
  const [text, setText] = useState(languages.join(', '));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save({ languages: languageCodes(text) }).then((saved) => {
          if (saved) setText(saved.languages.join(', '));
        });
      }}
    >
      <label>
        Your languages (codes such as en, es, fr; empty: any language)
        <input value={text} maxLength={200} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit">Save languages</button>
    </form>
  );
}

/** The agent's registration for assignment, as routing reads it, and a save of a change to it. */
export interface Registration {
  presence: 'online' | 'away';
  mine: string[];
  /** The languages they take conversations in (none: any). */
  languages: string[];
  /** Queues of theirs the routing policy no longer names: marked in the picker, for them to untick. */
  gone: string[];
  /** Saves the change; the agent as saved, or nothing when it was refused (`error` says why). */
  save(update: RegistrationUpdate): Promise<SavedAgent | undefined>;
  error: string;
}

/** A change to the agent's registration (`PUT /api/agents/me`): only the fields given change. */
type RegistrationUpdate = { presence?: string; queues?: string[]; languages?: string[] };
/** The agent as `PUT /api/agents/me` answers them. */
type SavedAgent = Omit<AgentRow, 'openConversations'>;

/**
 * The agent's own row's presence, queues and languages (away and none until read), saved with `PUT /api/agents/me`;
 * `policyQueues` the routing policy's queues (none known, none judged gone).
 */
export function useRegistration(
  api: Api,
  me: AgentRow | undefined,
  policyQueues: readonly string[],
  onSaved: (agent: SavedAgent) => void,
): Registration {
  const [error, setError] = useState('');
  const save = (update: RegistrationUpdate) => {
    setError('');
    return api.send<SavedAgent>('PUT', '/api/agents/me', update).then(
      (agent) => {
        onSaved(agent);
        return agent;
      },
      (e: Error) => {
        setError(e.message);
        return undefined;
      },
    );
  };
  const mine = me?.queues ?? [];
  const gone = policyQueues.length ? mine.filter((q) => !policyQueues.includes(q)) : [];
  return { presence: me?.presence ?? 'away', mine, languages: me?.languages ?? [], gone, save, error };
}

/** What the hint under the picker says to an agent online in no queue routing hands from, if they are. */
function noQueueHint(mine: string[], gone: string[]): string {
  if (gone.length < mine.length) return '';
  const handed = 'no conversation is handed to you. Choose your queues.';
  if (!gone.length) return `Online in no queue: ${handed}`;
  const names = `${gone.join(', ')} ${gone.length > 1 ? 'are' : 'is'}`;
  return `Online in no queue of the routing policy (${names} no longer in it): ${handed}`;
}

/**
 * The agent's presence (online or away), and their queues when `queues` is given (in the compact top
 * bar they are in its menu). Online in no queue gets no hand-off, so it says so; so does online only in
 * queues the routing policy no longer has.
 */
export function PresenceSwitch(props: { registration: Registration; queues?: string[] }) {
  const { presence, mine, gone, save, error } = props.registration;
  const hint = presence === 'online' ? noQueueHint(mine, gone) : '';
  return (
    <div class="presence">
      <label>
        <span class="visually-hidden">Your presence</span>
        <select value={presence} onChange={(e) => save({ presence: e.currentTarget.value })}>
          <option value="online">Online</option>
          <option value="away">Away</option>
        </select>
      </label>
      {props.queues ? <QueuePicker registration={props.registration} queues={props.queues} /> : null}
      {hint ? (
        <p class="hint" role="status">
          {hint}
        </p>
      ) : null}
      <ErrorNote message={error} />
    </div>
  );
}
