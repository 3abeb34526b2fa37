import { useEffect, useState } from 'preact/hooks';
import type { AgentRow } from './agents.js';
import type { Api } from './api.js';
import { assigneeOptions } from './assignee-options.js';
import { CHANNELS, channelName } from './format.js';
import type { Filters } from './inbox.js';

/** The inbox's filters: status, who has it (any registered agent), channel, queue (known ones offered), sort. */
export function FilterForm(props: {
  filters: Filters;
  onFilters(filters: Filters): void;
  agents: readonly AgentRow[];
  me: string;
  queues: readonly string[];
  /** The conversations in view: who holds one without being registered is offered too. */
  conversations?: ReadonlyArray<{ assignee?: string | undefined }> | undefined;
  /** The removed agents who still hold conversations (an admin's console knows them). */
  removed?: ReadonlySet<string> | undefined;
}) {
  const { filters } = props;
  const set = (patch: Partial<Filters>) => props.onFilters({ ...filters, ...patch });
  const select = (label: string, key: keyof Filters, options: Array<[string, string]>) => (
    <label>
      {label}
      <select value={filters[key]} onChange={(e) => set({ [key]: e.currentTarget.value })}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="filters" aria-label="Inbox filters" onSubmit={(e) => e.preventDefault()}>
      {select('Status', 'status', [
        ['open', 'Open'],
        ['resolved', 'Resolved'],
        ['snoozed', 'Snoozed'],
      ])}
      {select(
        'Assigned',
        'assignee',
        assigneeOptions(props.agents, props.me, filters.assignee, props.conversations, props.removed),
      )}
      {select('Channel', 'channel', [
        ['', 'Any'],
        ...CHANNELS.map((c): [string, string] => [c, channelName(c)]),
      ])}
      <QueueFilter queue={filters.queue} queues={props.queues} onQueue={(queue) => set({ queue })} />
      {select('Sort', 'sort', [
        ['waiting', 'Waiting longest'],
        ['due', 'SLA due soonest'],
      ])}
    </form>
  );
}

/**
 * The queue filter: a name typed (one of the policy's offered), applied when it is committed (Enter or
 * leaving the field). What is typed is the field's own, so a redraw meanwhile (a live update, the clock)
 * does not put the applied value back under the agent's hands.
 */
function QueueFilter(props: { queue: string; queues: readonly string[]; onQueue(queue: string): void }) {
  const [typed, setTyped] = useState(props.queue);
  useEffect(() => setTyped(props.queue), [props.queue]);
  return (
    <label>
      Queue
      <input
        value={typed}
        placeholder="any"
        list="known-queues"
        onInput={(e) => setTyped(e.currentTarget.value)}
        onChange={(e) => props.onQueue(e.currentTarget.value)}
      />
      <datalist id="known-queues">
        {props.queues.map((q) => (
          <option key={q} value={q} />
        ))}
      </datalist>
    </label>
  );
}

/**
 * The ids of the removed agents who still hold conversations, for an admin's console (the route is
 * admins'): read once, and again when the registered agents change (a removal, a restore): who is on
 * the list, not the list read again with the same agents (before, each read of the agents, five at a
 * sign-in, read this again).
 */
export function useRemovedAgents(
  api: Api,
  admin: boolean,
  agents: ReadonlyArray<{ id: string }>,
): ReadonlySet<string> {
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const who = agents
    .map((a) => a.id)
    .sort()
    .join('\n');
  useEffect(() => {
    // Not before the agents are read (the signed-in admin is on the list once it is).
    if (!admin || !who) return;
    api.get<{ items: Array<{ id: string }> }>('/api/agents/removed?limit=200').then(
      (page) => setRemoved(new Set(page.items.map((row) => row.id))),
      () => undefined,
    );
  }, [api, admin, who]);
  return removed;
}
