import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api, Page } from './api.js';
import type { Subscribe } from './app.js';
import { ErrorNote } from './ui.js';

/** An agent as `GET /api/agents` lists them: what routing reads to hand conversations over. */
export interface AgentRow {
  id: string;
  queues: string[];
  languages: string[];
  capacity: number;
  presence: 'online' | 'away';
  openConversations: number;
}

/** The registered agents, read again when someone's presence moves (the live socket says so). */
export function useAgents(api: Api, subscribe: Subscribe) {
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stale = false;
    api.get<Page<AgentRow>>('/api/agents').then(
      (page) => !stale && setAgents(page.items),
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [api, tick]);
  useEffect(
    () =>
      subscribe((event) => {
        if (event.type === 'presence' || event.type === 'hello') setTick((t) => t + 1);
      }),
    [subscribe],
  );
  // The routing policy's queues, read once a load: a queue just added to the policy is offered to join
  // before anyone is in it (before, the picker knew only agents' queues and those of conversations in view).
  const [policyQueues, setPolicyQueues] = useState<string[]>([]);
  useEffect(() => {
    let stale = false;
    api.get<{ queues?: string[] }>('/api/me').then(
      (me) => !stale && setPolicyQueues(me.queues ?? []),
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [api]);
  const saved = useCallback((agent: Omit<AgentRow, 'openConversations'>) => {
    setAgents((list) => {
      const old = list.find((a) => a.id === agent.id);
      const row = { ...agent, openConversations: old?.openConversations ?? 0 };
      return old ? list.map((a) => (a.id === agent.id ? row : a)) : [...list, row];
    });
  }, []);
  // An agent an admin removed here: off the list at once (the next read no longer lists them).
  const removed = useCallback(
    (agentId: string) => setAgents((list) => list.filter((a) => a.id !== agentId)),
    [],
  );
  return { agents, saved, removed, policyQueues };
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

function QueuePicker(props: { mine: string[]; queues: string[]; onQueues(queues: string[]): void }) {
  const [added, setAdded] = useState('');
  const toggle = (queue: string, on: boolean) =>
    props.onQueues(on ? [...props.mine, queue] : props.mine.filter((q) => q !== queue));
  return (
    <details class="my-queues">
      <summary>Queues: {props.mine.length ? props.mine.join(', ') : 'none'}</summary>
      <fieldset>
        <legend>The queues you take hand-offs from</legend>
        {[...new Set([...props.queues, ...props.mine])].sort().map((q) => (
          <label key={q} class="check">
            <input
              type="checkbox"
              checked={props.mine.includes(q)}
              onChange={(e) => toggle(q, e.currentTarget.checked)}
            />
            {q}
          </label>
        ))}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const queue = added.trim();
            if (queue && !props.mine.includes(queue)) toggle(queue, true);
            setAdded('');
          }}
        >
          <label>
            Join another queue
            <input value={added} maxLength={64} onInput={(e) => setAdded(e.currentTarget.value)} />
          </label>
          <button type="submit">Join</button>
        </form>
      </fieldset>
    </details>
  );
}

/**
 * The agent's registration for assignment, as routing reads it: presence (online or away) and queues.
 * Online in no queue gets no hand-off, so it says so.
 */
export function PresenceSwitch(props: {
  api: Api;
  agentId: string;
  me: AgentRow | undefined;
  queues: string[];
  onSaved(agent: Omit<AgentRow, 'openConversations'>): void;
}) {
  const [error, setError] = useState('');
  const presence = props.me?.presence ?? 'away';
  const mine = props.me?.queues ?? [];
  const save = (update: { presence?: string; queues?: string[] }) => {
    setError('');
    props.api
      .send<Omit<AgentRow, 'openConversations'>>('PUT', '/api/agents/me', update)
      .then(props.onSaved, (e: Error) => setError(e.message));
  };
  return (
    <div class="presence">
      <label>
        <span class="visually-hidden">Your presence</span>
        <select value={presence} onChange={(e) => save({ presence: e.currentTarget.value })}>
          <option value="online">Online</option>
          <option value="away">Away</option>
        </select>
      </label>
      <QueuePicker mine={mine} queues={props.queues} onQueues={(queues) => save({ queues })} />
      {presence === 'online' && !mine.length ? (
        <p class="hint" role="status">
          Online in no queue: no conversation is handed to you. Choose your queues.
        </p>
      ) : null}
      <ErrorNote message={error} />
    </div>
  );
}
